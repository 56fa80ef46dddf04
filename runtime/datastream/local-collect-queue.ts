/**
 * The in-process feed of a local `collectAsync()`: a bounded queue between the collect sink (one
 * subtask, in this process) and the iterator. When it holds `capacityRecords`, the sink's write returns a
 * promise and the task takes no more input until the iterator takes a batch (back-pressure to the
 * sources), so memory stays bounded however slowly the program consumes.
 *
 * Invariants: a closed queue drops what it holds, accepts and drops every later record without blocking,
 * and releases a blocked writer — a closed iterator never holds the job back. `next()` ends (undefined)
 * only when the job has ended and the queue is empty; a failed job makes it reject with the job's error.
 */
import type { CollectFeed } from './collect-iterator.js';

export class LocalCollectQueue implements CollectFeed {
  private items: unknown[] = [];
  private closed = false;
  private end?: { error?: unknown };
  private wakeReader?: () => void;
  private wakeWriter?: () => void;
  private writerBlocked?: Promise<void>;

  constructor(private readonly capacityRecords = 1000) {}

  /** The sink's write: appends; a promise while the queue is full. */
  push(v: unknown): undefined | Promise<void> {
    if (this.closed) return undefined;
    this.items.push(v);
    this.wakeReader?.();
    if (this.items.length < this.capacityRecords) return undefined;
    this.writerBlocked ??= new Promise<void>((r) => (this.wakeWriter = r));
    return this.writerBlocked;
  }

  /** The job ended (with `error` when it failed): the reader drains what is left, then sees the end. */
  finish(error?: unknown): void {
    this.end ??= error === undefined ? {} : { error };
    this.wakeReader?.();
  }

  async next(): Promise<unknown[] | undefined> {
    while (this.items.length === 0) {
      if (this.closed) return undefined;
      if (this.end) {
        if (this.end.error !== undefined) throw this.end.error;
        return undefined;
      }
      await new Promise<void>((r) => (this.wakeReader = r));
      this.wakeReader = undefined;
    }
    const batch = this.items;
    this.items = [];
    this.releaseWriter();
    return batch;
  }

  close(): void {
    this.closed = true;
    this.items = [];
    this.releaseWriter();
    this.wakeReader?.();
  }

  private releaseWriter(): void {
    const wake = this.wakeWriter;
    this.wakeWriter = undefined;
    this.writerBlocked = undefined;
    wake?.();
  }
}
