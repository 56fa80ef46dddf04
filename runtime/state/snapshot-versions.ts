/**
 * SnapshotVersions: the copy-on-write bookkeeping of one StateTable (state-table.ts) — its current version,
 * the snapshot versions frozen and not yet released, and which key groups each of them has not read yet.
 * A frozen version needs a key group's content kept only until it has read that key group, so the table
 * asks `required[gi]` (the newest version still to read group gi; 0: none) before a write: content written
 * at a version >= required[gi] is nobody's snapshot and is changed in place.
 *
 * Invariants: versions only grow; `required[gi]` is always the largest in-flight version whose group gi is
 * unread (0 when there is none); a version reads each of its key groups at most once.
 */

export class SnapshotVersions {
  /** The version stamped on content written now. */
  current = 0;
  /** Per key group: the newest in-flight version that has not read it (0: none). */
  readonly required: number[];
  /** In-flight version → its key groups still unread (1). */
  private readonly unread = new Map<number, Uint8Array>();

  constructor(private readonly groupCount: number) {
    this.required = new Array<number>(groupCount).fill(0);
  }

  /** A new frozen version: every key group unread. O(key groups). */
  freeze(): number {
    const version = ++this.current;
    this.unread.set(version, new Uint8Array(this.groupCount).fill(1));
    this.required.fill(version);
    return version;
  }

  /** The version is written or abandoned: what only it needed may be changed. */
  release(version: number): void {
    if (!this.unread.delete(version)) return;
    for (let gi = 0; gi < this.groupCount; gi++) if (this.required[gi] === version) this.recompute(gi);
  }

  /** Records that `version` read key group `gi`; throws when it was released or already read it. */
  markRead(version: number, gi: number): void {
    const unread = this.unread.get(version);
    if (unread === undefined) throw new Error(`snapshot version ${version} was released`);
    if (unread[gi] !== 1) throw new Error(`key group index ${gi} of snapshot version ${version} was already read`);
    unread[gi] = 0;
    if (this.required[gi] === version) this.recompute(gi);
  }

  /** Whether a version other than `version` still has to read key group `gi`. */
  othersUnread(version: number, gi: number): boolean {
    for (const [v, unread] of this.unread) if (v !== version && unread[gi] === 1) return true;
    return false;
  }

  /** Whether an in-flight version F with from < F <= to still has to read key group `gi`. */
  unreadBetween(gi: number, from: number, to: number): boolean {
    for (const [v, unread] of this.unread) if (v > from && v <= to && unread[gi] === 1) return true;
    return false;
  }

  /** Versions frozen and not yet released. */
  get inFlight(): number {
    return this.unread.size;
  }

  private recompute(gi: number): void {
    let max = 0;
    for (const [v, unread] of this.unread) if (unread[gi] === 1 && v > max) max = v;
    this.required[gi] = max;
  }
}
