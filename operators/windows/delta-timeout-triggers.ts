/**
 * Flink's DeltaTrigger and ProcessingTimeoutTrigger, rule for rule:
 * - DeltaTrigger.of(threshold, deltaFunction): the first element of a window is remembered (ValueState
 *   "last-element") and fires nothing; a later element whose delta to the remembered one exceeds the
 *   threshold (strictly) FIREs and becomes the remembered element. Timers never fire it; no merging.
 * - ProcessingTimeoutTrigger.of(nested, timeout, resetTimerOnNewRecord = false, shouldClearOnTimeout =
 *   true): delegates to `nested`; when nested fires on an element, its own timeout state is cleared and the
 *   result returned. Otherwise the first element (or every element, with resetTimerOnNewRecord) sets a
 *   processing-time timer `timeout` ms ahead (ValueState "timeout"); any timer callback then FIREs
 *   (FIRE_AND_PURGE when nested purges), clearing nested and timeout state first if shouldClearOnTimeout.
 */
import { type DurationLike, durationMs } from '../../runtime/api/duration-like.js';
import { ValueStateDescriptor } from '../../runtime/api/state.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { type DeltaFunction, deltaFn } from './delta-function.js';
import { type Trigger, type TriggerContext, TriggerResult } from './trigger.js';
import type { Window } from './window.js';

export class DeltaTrigger<T, W extends Window> implements Trigger<T, W> {
  private readonly stateDesc = new ValueStateDescriptor<T>('last-element');
  private readonly delta: (a: T, b: T) => number;

  private constructor(
    readonly threshold: number,
    readonly deltaFunction: DeltaFunction<T>,
  ) {
    this.delta = deltaFn(deltaFunction);
  }

  static of<T, W extends Window = Window>(threshold: number, deltaFunction: DeltaFunction<T>): DeltaTrigger<T, W> {
    if (typeof threshold !== 'number' || Number.isNaN(threshold))
      throw new SluiceError('API_INVALID_ARGUMENT', `DeltaTrigger needs a numeric threshold (got ${threshold})`);
    return new DeltaTrigger<T, W>(threshold, deltaFunction);
  }

  onElement(element: T, _timestamp: number, _window: W, ctx: TriggerContext): TriggerResult {
    const last = ctx.getPartitionedState(this.stateDesc);
    const previous = last.value();
    if (previous === undefined) {
      last.update(element);
      return TriggerResult.CONTINUE;
    }
    if (this.delta(previous, element) > this.threshold) {
      last.update(element);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(_window: W, ctx: TriggerContext): void {
    ctx.getPartitionedState(this.stateDesc).clear();
  }

  toString(): string {
    return `DeltaTrigger(${String(this.deltaFunction)}, ${this.threshold})`;
  }
}

export class ProcessingTimeoutTrigger<T, W extends Window> implements Trigger<T, W> {
  private readonly timeoutDesc = new ValueStateDescriptor<number>('timeout');

  private constructor(
    readonly nestedTrigger: Trigger<T, W>,
    readonly intervalMs: number,
    readonly resetTimerOnNewRecord: boolean,
    readonly shouldClearOnTimeout: boolean,
  ) {}

  static of<T, W extends Window>(
    nestedTrigger: Trigger<T, W>,
    timeout: DurationLike,
    resetTimerOnNewRecord = false,
    shouldClearOnTimeout = true,
  ): ProcessingTimeoutTrigger<T, W> {
    const ms = durationMs(timeout, 'ProcessingTimeoutTrigger.of');
    if (!(ms > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `ProcessingTimeoutTrigger needs a timeout > 0 ms (got ${ms})`);
    return new ProcessingTimeoutTrigger(nestedTrigger, ms, resetTimerOnNewRecord, shouldClearOnTimeout);
  }

  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    const result = this.nestedTrigger.onElement(element, timestamp, window, ctx);
    if (result.isFire()) {
      this.clear(window, ctx);
      return result;
    }
    const state = ctx.getPartitionedState(this.timeoutDesc);
    let timeoutAt = state.value();
    if (timeoutAt !== undefined && this.resetTimerOnNewRecord) {
      ctx.deleteProcessingTimeTimer(timeoutAt);
      state.clear();
      timeoutAt = undefined;
    }
    if (timeoutAt === undefined) {
      const next = ctx.getCurrentProcessingTime() + this.intervalMs;
      state.update(next);
      ctx.registerProcessingTimeTimer(next);
    }
    return result;
  }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return this.onTimeout(this.nestedTrigger.onProcessingTime(time, window, ctx), window, ctx);
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return this.onTimeout(this.nestedTrigger.onEventTime(time, window, ctx), window, ctx);
  }

  private onTimeout(nested: TriggerResult, window: W, ctx: TriggerContext): TriggerResult {
    if (this.shouldClearOnTimeout) this.clear(window, ctx);
    return nested.isPurge() ? TriggerResult.FIRE_AND_PURGE : TriggerResult.FIRE;
  }

  clear(window: W, ctx: TriggerContext): void {
    const state = ctx.getPartitionedState(this.timeoutDesc);
    const timeoutAt = state.value();
    if (timeoutAt !== undefined) {
      ctx.deleteProcessingTimeTimer(timeoutAt);
      state.clear();
    }
    this.nestedTrigger.clear(window, ctx);
  }

  toString(): string {
    return `ProcessingTimeoutTrigger(${String(this.nestedTrigger)})`;
  }
}
