/**
 * AsyncWaitOperator (Flink's): calls an AsyncFunction per record and emits its results when they arrive,
 * with at most `capacity` records and watermarks in flight.
 *
 * Invariants:
 * - Back-pressure, not buffering: when the queue is full, processElement/processWatermark return a
 *   promise the task awaits (it reads no input meanwhile); while waiting, the operator itself emits what
 *   completes and handles timeouts and retries (Flink's mailbox yield), so the queue drains. Input that
 *   one upstream call emits after the queue filled (a flatMap's outputs, a source's poll batch) waits in
 *   an overflow list in order — bounded by that call, since the task awaits before the next one.
 * - Results are emitted only inside the task's mailbox: from processElement, processWatermark, finish, or
 *   a drain the operator schedules through the processing-time service when a result arrives while the
 *   task is idle. Completion callbacks and timers never emit; they mark the element and wake the operator.
 * - Ordered mode emits in input order; unordered mode may reorder records between two watermarks, never
 *   across one (see element-queue.ts). Results carry the input record's timestamp.
 * - Timeout (> 0 ms) counts from the first call and covers all retries; on expiry the user's
 *   `timeout(input, resultFuture)` runs (default: completes exceptionally). An element completed
 *   exceptionally fails the job ("Could not complete the stream element: …").
 * - Checkpoints hold every queued input (records and watermarks, in input order) in operator list state;
 *   on restore they are issued again, before new input. Right after a restore the queue may exceed the
 *   capacity by the restored elements; new input waits until it is below capacity again.
 * - At end of input retries stop: an element waiting for a retry is tried once more at once and that
 *   outcome is final (Flink's endInput); finish() waits until the queue is empty.
 */
import { AbstractUdfOperator } from '../../runtime/api/abstract-operator.js';
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import type { StateInitializationContext } from '../../runtime/api/operator.js';
import { MailboxAction } from '../../runtime/api/mailbox-action.js';
import { type ListState, ListStateDescriptor } from '../../runtime/api/state.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { Clock, TimerHandle } from '../../runtime/platform/clock.js';
import { platform } from '../../runtime/platform/index.js';
import {
  type AsyncFunction,
  type NormalizedAsyncFunction,
  normalizeAsyncFunction,
  type ResultFuture,
} from './async-function.js';
import {
  type ElementQueue,
  OrderedElementQueue,
  type QueueEntry,
  type RecordEntry,
  UnorderedElementQueue,
} from './element-queue.js';
import type { AsyncRetryStrategy } from './retry-strategies.js';

export type OutputMode = 'ORDERED' | 'UNORDERED';

export interface AsyncWaitOptions<OUT> {
  mode: OutputMode;
  /** Overall timeout per element in ms; <= 0 disables it. */
  timeoutMs: number;
  capacity: number;
  retryStrategy?: AsyncRetryStrategy<OUT>;
  /** Timer source for timeouts and retry delays (default platform.clock). */
  clock?: Clock;
}

export const ASYNC_STATE_NAME = '_async_wait_operator_state_';

type Outcome = { values: unknown[] } | { error: unknown };

interface Element extends RecordEntry {
  attempts: number;
  /** The current attempt's future identity; completions of older attempts are ignored. */
  token: object | undefined;
  pending?: Outcome;
  /** The timeout handler runs: its completion is final. */
  finalPhase: boolean;
  timedOut: boolean;
  retryDue: boolean;
  timeoutTimer?: TimerHandle;
  retryTimer?: TimerHandle;
}

type Snapshotted = { v: unknown; t: number | null } | { w: number };

export class AsyncWaitOperator<IN, OUT> extends AbstractUdfOperator<AsyncFunction<IN, OUT>> {
  readonly ownsWatermarks = true;
  private readonly fn: NormalizedAsyncFunction<IN, OUT>;
  private readonly queue: ElementQueue;
  private readonly clock: Clock;
  private readonly touched = new Set<Element>();
  private state!: ListState<Snapshotted>;
  private recovered: Snapshotted[] = [];
  private waiters: Array<() => void> = [];
  /** Input that arrived while the queue was full (at most what one upstream call emits), in order. */
  private readonly overflow: Array<StreamRecord | number> = [];
  private overflowDone: Promise<void> | undefined;
  /** Emits what completed off the task thread, from the task mailbox. */
  private readonly drainLater = new MailboxAction(
    () => this.ctx.processingTimeService,
    () => this.drain(),
    () => this.closed,
  );
  private retryDisabled = false;
  private closed = false;
  private seq = 0;
  private lastWatermark = Number.NEGATIVE_INFINITY;

  constructor(
    fn: AsyncFunction<IN, OUT>,
    private readonly o: AsyncWaitOptions<OUT>,
  ) {
    super(fn);
    this.fn = normalizeAsyncFunction(this.userFunction);
    if (!(Number.isInteger(o.capacity) && o.capacity > 0))
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `The number of concurrent async operations must be positive (got ${o.capacity})`,
      );
    this.queue = o.mode === 'ORDERED' ? new OrderedElementQueue() : new UnorderedElementQueue();
    this.clock = o.clock ?? platform.clock;
  }

  initializeState(ctx: StateInitializationContext): void {
    this.state = ctx.operatorStateStore.getListState(new ListStateDescriptor<Snapshotted>(ASYNC_STATE_NAME));
    if (ctx.isRestored()) this.recovered = this.state.get();
  }

  override async open(): Promise<void> {
    await super.open();
    for (const s of this.recovered) {
      if ('w' in s) {
        this.addWatermark(s.w);
        this.lastWatermark = Math.max(this.lastWatermark, s.w);
      } else this.addRecord({ kind: ElementKind.Record, value: s.v, timestamp: s.t ?? Number.NaN });
    }
    this.recovered = [];
    if (this.queue.size()) this.drainLater.schedule(); // emitted once the whole chain is open
  }

  processElement(record: StreamRecord): void | Promise<void> {
    if (this.overflow.length === 0 && this.queue.size() < this.o.capacity) {
      this.addRecord(record);
      this.drain();
      return;
    }
    this.overflow.push(record);
    this.overflowDone ??= this.drainOverflow();
    return this.overflowDone;
  }

  processWatermark(timestamp: number): void | Promise<void> {
    if (timestamp <= this.lastWatermark) return;
    this.lastWatermark = timestamp;
    if (this.overflow.length === 0 && this.queue.size() < this.o.capacity) {
      this.addWatermark(timestamp);
      this.drain();
      return;
    }
    this.overflow.push(timestamp);
    this.overflowDone ??= this.drainOverflow();
    return this.overflowDone;
  }

  /** Moves overflowed input into the queue as room is made; the task awaits this (back-pressure). */
  private async drainOverflow(): Promise<void> {
    try {
      while (this.overflow.length && !this.closed) {
        await this.waitUntil(() => this.queue.size() < this.o.capacity);
        const next = this.overflow.shift()!;
        if (typeof next === 'number') this.addWatermark(next);
        else this.addRecord(next);
        this.drain();
      }
    } finally {
      this.overflowDone = undefined;
    }
  }

  snapshotState(): void {
    const queued: Snapshotted[] = this.queue
      .values()
      .map((e) => (e.kind === 'watermark' ? { w: e.timestamp } : recordState(e.record)));
    for (const o of this.overflow) queued.push(typeof o === 'number' ? { w: o } : recordState(o));
    this.state.update(queued);
  }

  async finish(): Promise<void> {
    this.retryDisabled = true;
    for (const e of this.queue.values())
      if (e.kind === 'record' && (e as Element).retryTimer) {
        const el = e as Element;
        this.clock.clear(el.retryTimer!);
        el.retryTimer = undefined;
        this.invoke(el); // Flink: a delayed retry runs once more at once, and its outcome is final
      }
    while (this.overflowDone) await this.overflowDone;
    await this.waitUntil(() => this.queue.size() === 0);
  }

  override async close(): Promise<void> {
    this.closed = true;
    for (const e of this.queue.values()) if (e.kind === 'record') this.clearTimers(e as Element);
    for (const w of this.waiters.splice(0)) w();
    await super.close();
  }

  /** Number of queued records and watermarks (for tests and metrics). */
  inFlight(): number {
    return this.queue.size();
  }

  private addRecord(record: StreamRecord): void {
    if (this.closed) return;
    const e: Element = {
      kind: 'record',
      seq: this.seq++,
      record,
      attempts: 0,
      token: undefined,
      finalPhase: false,
      timedOut: false,
      retryDue: false,
    };
    this.queue.add(e);
    if (this.o.timeoutMs > 0)
      e.timeoutTimer = this.clock.setTimeout(() => {
        e.timeoutTimer = undefined;
        if (e.outcome) return;
        e.timedOut = true;
        this.touch(e);
      }, this.o.timeoutMs);
    this.invoke(e);
  }

  private addWatermark(timestamp: number): void {
    if (this.closed) return;
    this.queue.add({ kind: 'watermark', seq: this.seq++, timestamp });
  }

  private invoke(e: Element): void {
    e.attempts++;
    const token = {};
    e.token = token;
    this.fn.invoke(e.record.value as IN, this.future(e, token));
  }

  private future(e: Element, token: object): ResultFuture<OUT> {
    const settle = (o: Outcome) => {
      if (e.token !== token || e.outcome || this.closed) return; // a later attempt, or already complete
      e.token = undefined;
      e.pending = o;
      this.touch(e);
    };
    return {
      complete: (results) => {
        if (
          results === null ||
          results === undefined ||
          typeof (results as Iterable<OUT>)[Symbol.iterator] !== 'function'
        )
          settle({
            error: new SluiceError(
              'API_INVALID_ARGUMENT',
              `ResultFuture.complete expects a collection of results, got ${String(results)}`,
            ),
          });
        else settle({ values: Array.from(results) });
      },
      completeExceptionally: (error) => settle({ error }),
    };
  }

  private touch(e: Element): void {
    this.touched.add(e);
    this.wake();
  }

  private wake(): void {
    if (this.closed) return;
    if (this.waiters.length) {
      for (const w of this.waiters.splice(0)) w();
      return;
    }
    this.drainLater.schedule();
  }

  /** Waits (emitting, timing out and retrying meanwhile) until `cond` holds. */
  private async waitUntil(cond: () => boolean): Promise<void> {
    for (;;) {
      this.drain();
      if (cond() || this.closed) return;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
      });
    }
  }

  /** Advances touched elements (outcomes, timeouts, due retries), then emits what the queue releases. */
  private drain(): void {
    if (this.closed) return;
    while (this.touched.size) {
      const batch = [...this.touched];
      this.touched.clear();
      for (const e of batch) this.advance(e);
    }
    for (let q = this.queue.poll(); q; q = this.queue.poll()) this.emit(q);
  }

  private advance(e: Element): void {
    if (e.outcome) return;
    if (e.timedOut) {
      e.timedOut = false;
      e.retryDue = false;
      e.pending = undefined;
      if (e.retryTimer) this.clock.clear(e.retryTimer);
      e.retryTimer = undefined;
      e.finalPhase = true;
      const token = {};
      e.token = token;
      this.fn.timeout(e.record.value as IN, this.future(e, token)); // may complete at once: touched again
      return;
    }
    if (e.pending) {
      const o = e.pending;
      e.pending = undefined;
      if (!e.finalPhase && this.shouldRetry(e, o)) {
        const backoffMs = this.o.retryStrategy!.getBackoffTimeMillis(e.attempts);
        e.retryTimer = this.clock.setTimeout(() => {
          e.retryTimer = undefined;
          if (e.outcome || e.finalPhase) return;
          e.retryDue = true;
          this.touch(e);
        }, backoffMs);
        return;
      }
      this.complete(e, o);
      return;
    }
    if (e.retryDue && !e.finalPhase) {
      e.retryDue = false;
      this.invoke(e);
    }
  }

  private shouldRetry(e: Element, o: Outcome): boolean {
    const s = this.o.retryStrategy;
    if (!s || this.retryDisabled || !s.canRetry(e.attempts)) return false;
    const p = s.getRetryPredicate();
    if ('values' in o) return p.resultPredicate()?.(o.values as OUT[]) ?? false;
    return p.exceptionPredicate()?.(o.error) ?? false;
  }

  private complete(e: Element, o: Outcome): void {
    e.outcome = o;
    e.token = undefined;
    this.clearTimers(e);
    this.queue.completed(e);
  }

  private clearTimers(e: Element): void {
    if (e.timeoutTimer) this.clock.clear(e.timeoutTimer);
    if (e.retryTimer) this.clock.clear(e.retryTimer);
    e.timeoutTimer = undefined;
    e.retryTimer = undefined;
  }

  private emit(q: QueueEntry): void {
    if (q.kind === 'watermark') {
      this.ctx.output.emitWatermark(q.timestamp);
      return;
    }
    const o = q.outcome!;
    const ts = q.record.timestamp;
    if ('error' in o) {
      const cause = o.error instanceof Error ? o.error.message : String(o.error);
      throw new SluiceError(
        'ASYNC_ELEMENT_FAILED',
        `Could not complete the stream element: Record @ ${Number.isNaN(ts) ? '(undef)' : ts} : ${describe(q.record.value)}. Cause: ${cause}`,
        { cause: o.error },
      );
    }
    for (const v of o.values) this.ctx.output.collect({ kind: ElementKind.Record, value: v, timestamp: ts });
  }
}

function recordState(r: StreamRecord): Snapshotted {
  return { v: r.value, t: Number.isNaN(r.timestamp) ? null : r.timestamp };
}

function describe(v: unknown): string {
  try {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  } catch {
    return String(v);
  }
}
