/**
 * SendQueue: turns a writer's synchronous `write` calls into ordered kafkajs batches. Messages are
 * buffered and handed to `send` in batches of `batchSize` (or after `lingerMs`), one batch at a time, so
 * records keep their order; `flush` waits for every batch handed out so far.
 *
 * Invariants: batches are sent strictly sequentially in arrival order; the first send error is kept
 * and rethrown by the next `add` or `flush` (the task fails; nothing is silently dropped); after
 * `cancel` nothing more is sent.
 */
import { platform } from '../../../runtime/platform/index.js';
import type { TimerHandle } from '../../../runtime/platform/clock.js';
import type { TopicMessage } from './kafka-record-serializer.js';

export class SendQueue {
  private buffer: TopicMessage[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer?: TimerHandle;
  private cancelled = false;
  error: unknown;

  constructor(
    private readonly send: (batch: TopicMessage[]) => Promise<void>,
    private readonly batchSize: number,
    private readonly lingerMs: number,
  ) {}

  add(m: TopicMessage): void {
    this.throwIfFailed();
    this.buffer.push(m);
    if (this.buffer.length >= this.batchSize) this.dispatch();
    else if (!this.timer && this.lingerMs > 0) this.timer = platform.clock.setTimeout(() => this.dispatch(), this.lingerMs);
  }

  private dispatch(): void {
    if (this.timer) platform.clock.clear(this.timer);
    this.timer = undefined;
    if (!this.buffer.length || this.cancelled) return;
    const batch = this.buffer;
    this.buffer = [];
    this.chain = this.chain
      .then(() => (this.cancelled || this.error !== undefined ? undefined : this.send(batch)))
      .catch((e: unknown) => {
        this.error ??= e;
      });
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
