/**
 * Reference counts of shared state files (Flink's SharedStateRegistry): the keyed segments of incremental
 * checkpoints live in the job's `shared/` directory and are referenced by every checkpoint whose chain
 * includes them. A checkpoint registers the files it references when it completes (or when a job claims a
 * restored one); when retention discards it, it unregisters them and gets back the files no retained
 * checkpoint references any more — only those may be deleted.
 *
 * Invariants: a file is returned by `unregister` only once its count reaches zero; registering the same
 * checkpoint twice changes nothing (a bootstrap from storage and a completion may both see it).
 */

export class SharedStateRegistry {
  private readonly counts = new Map<string, number>();
  private readonly byCheckpoint = new Map<string, readonly string[]>();

  /** Registers the shared files (locations) referenced by a completed checkpoint (named by its directory). */
  register(checkpoint: string, files: Iterable<string>): void {
    if (this.byCheckpoint.has(checkpoint)) return;
    const unique = [...new Set(files)];
    this.byCheckpoint.set(checkpoint, unique);
    for (const f of unique) this.counts.set(f, (this.counts.get(f) ?? 0) + 1);
  }

  /** Drops a discarded checkpoint's references; returns the files now referenced by no checkpoint. */
  unregister(checkpoint: string): string[] {
    const files = this.byCheckpoint.get(checkpoint);
    if (!files) return [];
    this.byCheckpoint.delete(checkpoint);
    const free: string[] = [];
    for (const f of files) {
      const n = (this.counts.get(f) ?? 1) - 1;
      if (n > 0) this.counts.set(f, n);
      else {
        this.counts.delete(f);
        free.push(f);
      }
    }
    return free;
  }

  refCount(file: string): number {
    return this.counts.get(file) ?? 0;
  }

  isRegistered(checkpoint: string): boolean {
    return this.byCheckpoint.has(checkpoint);
  }
}
