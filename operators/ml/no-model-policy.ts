/**
 * What happens to a record no model can score yet: 'side-output' (handed to the side-output callback),
 * 'drop' (counted), or 'buffer' (kept per key up to maxBuffered records in total, oldest dropped and counted
 * when full, and drained back to the scorer when a model for the key arrives).
 * Invariant: buffered records never exceed maxBuffered; every record is either buffered, side-output,
 * or counted in `dropped`.
 */
export type NoModelPolicyKind = 'side-output' | 'drop' | 'buffer';

/** A buffered record with the key and event timestamp it arrived with (re-added with both). */
export interface WaitingEntry<T> {
  record: T;
  key: string;
  timestampMs: number;
}

export class NoModelHandler<T> {
  dropped = 0;
  sideOutput = 0;
  private buffered = 0;
  private readonly byKey = new Map<string, WaitingEntry<T>[]>();

  constructor(
    readonly kind: NoModelPolicyKind,
    private readonly opts: {
      maxBuffered?: number;
      toSideOutput?: (record: T, key: string, timestampMs: number) => void;
    } = {},
  ) {}

  get bufferedCount(): number {
    return this.buffered;
  }

  handle(record: T, key: string, timestampMs = Number.NaN): void {
    if (this.kind === 'drop') {
      this.dropped++;
      return;
    }
    if (this.kind === 'side-output') {
      this.sideOutput++;
      this.opts.toSideOutput?.(record, key, timestampMs);
      return;
    }
    const max = this.opts.maxBuffered ?? 10_000;
    if (max <= 0) {
      this.dropped++;
      return;
    }
    if (this.buffered >= max) this.dropOldest();
    let list = this.byKey.get(key);
    if (!list) {
      list = [];
      this.byKey.set(key, list);
    }
    list.push({ record, key, timestampMs });
    this.buffered++;
  }

  /** Takes the buffered records of a key (arrival order) with their keys and timestamps, e.g. when its model arrives. */
  drain(key: string): WaitingEntry<T>[] {
    const list = this.byKey.get(key);
    if (!list) return [];
    this.byKey.delete(key);
    this.buffered -= list.length;
    return list;
  }

  private dropOldest(): void {
    // Drops from the key with the longest queue (bounded total; fair enough and O(keys)).
    let worst: WaitingEntry<T>[] | undefined;
    let worstKey = '';
    for (const [k, l] of this.byKey) if (!worst || l.length > worst.length) [worst, worstKey] = [l, k];
    if (!worst) return;
    worst.shift();
    if (worst.length === 0) this.byKey.delete(worstKey);
    this.buffered--;
    this.dropped++;
  }
}
