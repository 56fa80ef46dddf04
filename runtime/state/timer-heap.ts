/**
 * Binary min-heap of timers ordered by (timestamp, sequence): O(log n) push/pop, O(1) peek. The
 * sequence number makes firing order among equal timestamps the registration order (deterministic).
 * Deleted timers are removed lazily: they stay in the heap flagged `deleted` and are skipped on pop.
 */
import type { CanonicalKey } from './key-codec.js';

export interface TimerEntry {
  key: unknown;
  namespace: string;
  timestamp: number;
  canon: CanonicalKey;
  keyGroup: number;
  seq: number;
  deleted: boolean;
}

function less(a: TimerEntry, b: TimerEntry): boolean {
  return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
}

export class TimerHeap {
  private readonly items: TimerEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  push(e: TimerEntry): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  /** Smallest live entry without removing it (drops deleted entries at the top). */
  peek(): TimerEntry | undefined {
    while (this.items.length > 0 && this.items[0]!.deleted) this.popRaw();
    return this.items[0];
  }

  /** Removes and returns the smallest live entry. */
  pop(): TimerEntry | undefined {
    return this.peek() === undefined ? undefined : this.popRaw();
  }

  /** Every entry including deleted ones, in no particular order. */
  all(): readonly TimerEntry[] {
    return this.items;
  }

  private popRaw(): TimerEntry {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
