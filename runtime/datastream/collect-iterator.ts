/**
 * What `DataStream.collectAsync()` returns (Flink's CloseableIterator from `collectAsync()`): an async
 * iterator over the stream's results, bound to its job when `executeAsync()` starts it. Results arrive in
 * batches from a feed — a bounded in-process queue (local execution) or the job manager's collect results
 * fetched over REST (a cluster) — and the iterator holds one batch at a time.
 *
 * Invariants: closing the iterator (`close()`, or `break`/`return` out of `for await`) before the feed
 * ended cancels the job, as Flink's does, and stops the feed, so a closed iterator never holds the job
 * back; after the feed ended, close only releases it. A failed job makes `next()` reject with its error.
 */
import type { JobClient } from './job-client.js';

/** Flink's CloseableIterator, async: `for await` over it; `close()` ends collection early. */
export interface CloseableIterator<T> extends AsyncIterableIterator<T> {
  close(): Promise<void>;
}

/** Where a bound iterator's batches come from. */
export interface CollectFeed {
  /** The next batch (never empty), or undefined once the job has finished and every result was taken. */
  next(): Promise<unknown[] | undefined>;
  /** Stops the feed: releases what it holds and unblocks the sink. */
  close(): void;
}

export class CollectIterator<T> implements CloseableIterator<T> {
  private bound?: { client: JobClient; feed: CollectFeed };
  private readonly ready: Promise<void>;
  private onBound!: () => void;
  private batch: unknown[] = [];
  private position = 0;
  private ended = false;
  private closed = false;

  constructor() {
    this.ready = new Promise<void>((r) => (this.onBound = r));
  }

  /** Called once the job runs: from now on results come from `feed`. */
  bind(client: JobClient, feed: CollectFeed): void {
    this.bound = { client, feed };
    if (this.closed) void this.stop(); // closed before the job started: cancel it at once
    this.onBound();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<T>> {
    while (!this.closed) {
      if (this.position < this.batch.length) return { done: false, value: this.batch[this.position++] as T };
      if (this.ended) break;
      await this.ready;
      if (this.closed) break;
      this.batch = [];
      this.position = 0;
      const batch = await this.bound!.feed.next();
      if (batch === undefined) this.ended = true;
      else this.batch = batch;
    }
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<T>> {
    await this.close();
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.batch = [];
    if (this.bound) await this.stop();
    this.onBound();
  }

  private async stop(): Promise<void> {
    const { client, feed } = this.bound!;
    feed.close();
    if (!this.ended) await client.cancel().catch(() => undefined); // a job that has just ended needs none
  }
}
