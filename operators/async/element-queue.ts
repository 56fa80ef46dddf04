/**
 * The in-flight queues of async I/O (Flink's OrderedStreamElementQueue and UnorderedStreamElementQueue).
 * Entries are input records waiting for their async results, and watermarks; both count against the
 * capacity.
 *
 * - Ordered: an entry leaves the queue only from the head, once it is complete (a watermark is complete
 *   on arrival), so results keep input order.
 * - Unordered: watermarks cut the queue into segments. Completed records of the first segment leave in
 *   completion order; a watermark leaves once every record before it has left; records after a watermark
 *   never leave before it. So records between two watermarks may be reordered, never across one.
 */
import type { StreamRecord } from '../../runtime/api/elements.js';

export interface RecordEntry {
  readonly kind: 'record';
  readonly seq: number;
  readonly record: StreamRecord;
  /** Set once the element's outcome is final. */
  outcome?: { values: unknown[] } | { error: unknown };
  /** Unordered queue: the segment holding the entry. */
  segment?: Segment;
}

export interface WatermarkEntry {
  readonly kind: 'watermark';
  readonly seq: number;
  readonly timestamp: number;
}

export type QueueEntry = RecordEntry | WatermarkEntry;

interface Segment {
  watermark?: WatermarkEntry;
  pending: Set<RecordEntry>;
  ready: RecordEntry[];
}

export interface ElementQueue {
  size(): number;
  add(entry: QueueEntry): void;
  /** Tells the queue a record's outcome became final. */
  completed(entry: RecordEntry): void;
  /** The next entry that may be emitted now, removed from the queue; undefined if none. */
  poll(): QueueEntry | undefined;
  /** Every entry still in the queue, in input order (for checkpoints). */
  values(): QueueEntry[];
}

export class OrderedElementQueue implements ElementQueue {
  private readonly entries: QueueEntry[] = [];
  size(): number {
    return this.entries.length;
  }
  add(entry: QueueEntry): void {
    this.entries.push(entry);
  }
  completed(): void {}
  poll(): QueueEntry | undefined {
    const head = this.entries[0];
    if (!head || (head.kind === 'record' && !head.outcome)) return undefined;
    return this.entries.shift();
  }
  values(): QueueEntry[] {
    return [...this.entries];
  }
}

export class UnorderedElementQueue implements ElementQueue {
  private readonly segments: Segment[] = [];
  private count = 0;
  size(): number {
    return this.count;
  }
  add(entry: QueueEntry): void {
    this.count++;
    if (entry.kind === 'watermark') {
      this.segments.push({ watermark: entry, pending: new Set(), ready: [] });
      return;
    }
    let last = this.segments[this.segments.length - 1];
    if (!last || last.watermark) {
      last = { pending: new Set(), ready: [] };
      this.segments.push(last);
    }
    entry.segment = last;
    if (entry.outcome) last.ready.push(entry);
    else last.pending.add(entry);
  }
  completed(entry: RecordEntry): void {
    const s = entry.segment;
    if (!s?.pending.delete(entry)) return;
    s.ready.push(entry);
  }
  poll(): QueueEntry | undefined {
    for (;;) {
      const first = this.segments[0];
      if (!first) return undefined;
      if (first.watermark) {
        this.segments.shift();
        this.count--;
        return first.watermark;
      }
      const next = first.ready.shift();
      if (next) {
        this.count--;
        next.segment = undefined;
        return next;
      }
      if (first.pending.size > 0) return undefined;
      this.segments.shift(); // an emptied record segment: the watermark after it may go
    }
  }
  values(): QueueEntry[] {
    const all: QueueEntry[] = [];
    for (const s of this.segments) {
      if (s.watermark) all.push(s.watermark);
      all.push(...s.pending, ...s.ready);
    }
    return all.sort((a, b) => a.seq - b.seq);
  }
}
