/**
 * ProcessOperator / KeyedProcessOperator: run a (Keyed)ProcessFunction with its context (timestamp,
 * timer service, side outputs, current key) and deliver timers to `onTimer`.
 *
 * Invariant: during onTimer the output timestamp is the timer's timestamp (event time) or NaN
 * (processing time would carry the processing time in Flink; we keep the timer time for both).
 */
import { AbstractUdfOperator } from '../../runtime/api/abstract-operator.js';
import type { StreamRecord } from '../../runtime/api/elements.js';
import type { Collector, OnTimerContext, ProcessFunction, KeyedProcessFunction } from '../../runtime/api/functions.js';
import type { InternalTimer, Triggerable } from '../../runtime/api/operator.js';
import { TimeDomain } from '../../runtime/api/time.js';

type AnyProcess = ProcessFunction<unknown, unknown> | KeyedProcessFunction<unknown, unknown, unknown>;

export class ProcessOperator extends AbstractUdfOperator<AnyProcess> implements Triggerable {
  private processFn!: (v: unknown, ctx: OnTimerContext, out: Collector<unknown>) => void;
  private onTimerFn?: (ts: number, ctx: OnTimerContext, out: Collector<unknown>) => void;
  override async open(): Promise<void> {
    const f = this.userFunction as AnyProcess;
    if (typeof f === 'function') this.processFn = f as never;
    else {
      this.processFn = f.processElement.bind(f) as never;
      if (f.onTimer) this.onTimerFn = f.onTimer.bind(f) as never;
    }
    if (this.onTimerFn && this.ctx.keyedStateBackend) this.timers(this); // register for restored timers
    await super.open();
  }

  /** A user function may return a Promise; the task waits for it before the next element. */
  processElement(r: StreamRecord): void | Promise<void> {
    this.currentTimestamp = r.timestamp;
    return this.processFn(r.value, this.functionContext, this.collector) as void | Promise<void>;
  }

  onEventTime(timer: InternalTimer): void {
    this.fire(timer, TimeDomain.EVENT_TIME);
  }

  onProcessingTime(timer: InternalTimer): void {
    this.fire(timer, TimeDomain.PROCESSING_TIME);
  }

  private fire(timer: InternalTimer, domain: TimeDomain): void {
    this.enterTimer(timer, domain);
    this.onTimerFn?.(timer.timestamp, this.functionContext, this.collector);
  }
}
