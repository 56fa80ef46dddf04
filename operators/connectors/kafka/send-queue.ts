/**
 * SendQueue: turns a writer's `write` calls into ordered kafkajs batches. Messages are buffered and
 * handed to `send` in batches of `batchSize` (or after `lingerMs`), one batch at a time, so records keep
 * their order; `flush` waits for every batch handed out so far. Back-pressure: when more than
 * `maxBatchesQueued` batches wait for their send, `add` returns a promise that settles when the oldest
 * is sent; the writer returns it from `write`, so the task takes no more input until then (without it a
 * fast source fills memory, and a barrier waits for the whole backlog — checkpoints take seconds).
 *
 * Invariants: batches are sent strictly sequentially in arrival order; the first send error is kept
 * and rethrown by the next `add` or `flush` (the task fails; nothing is silently dropped); a promise
 * returned by `add` never rejects; after `cancel` nothing more is sent.
 */
import { platform } from '../../../runtime/platform/index.js';
import type { TimerHandle } from '../../../runtime/platform/clock.js';
import type { TopicMessage } from './kafka-record-serializer.js';

export class SendQueue {
  private buffer: TopicMessage[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer?: TimerHandle;
  private cancelled = false;
  /** One promise per dispatched batch whose send has not finished, oldest first (they finish in order). */
  private readonly queued: Array<Promise<void>> = [];
  error: unknown;

  constructor(
    private readonly send: (batch: TopicMessage[]) => Promise<void>,
    private readonly batchSize: number,
    private readonly lingerMs: number,
    private readonly maxBatchesQueued = 4,
  ) {}

  /** Buffers a message; returns a promise (never rejecting) when the writer should wait before the next. */
  add(m: TopicMessage): Promise<void> | undefined {
    this.throwIfFailed();
    this.buffer.push(m);
    if (this.buffer.length >= this.batchSize) this.dispatch();
    else if (!this.timer && this.lingerMs > 0)
      this.timer = platform.clock.setTimeout(() => this.dispatch(), this.lingerMs);
    return this.queued.length > this.maxBatchesQueued ? this.queued[0] : undefined;
  }

  private dispatch(): void {
    if (this.timer) platform.clock.clear(this.timer);
    this.timer = undefined;
    if (!this.buffer.length || this.cancelled) return;
    const batch = this.buffer;
    this.buffer = [];
    const sent = (this.chain = this.chain
      .then(() => (this.cancelled || this.error !== undefined ? undefined : this.send(batch)))
      .catch((e: unknown) => {
        this.error ??= e;
      }));
    this.queued.push(sent);
    void sent.then(() => this.queued.shift());
  }

  async flush(): Promise<void> {
    this.dispatch();
    await this.chain;
    this.throwIfFailed();
  }

  /** Drops buffered messages and waits for the batch in flight (its outcome no longer matters). */
  async cancel(): Promise<void> {
    this.cancelled = true;
    if (this.timer) platform.clock.clear(this.timer);
    this.timer = undefined;
    this.buffer = [];
    await this.chain;
  }

  private throwIfFailed(): void {
    if (this.error !== undefined) throw this.error;
  }
}
