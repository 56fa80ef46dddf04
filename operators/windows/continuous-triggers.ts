/**
 * Flink's continuous triggers (1.19 behaviour): fire every `intervalMs` within a window, aligned to
 * multiples of the interval, with the next fire time in ReducingState "fire-time" (min on merge) and never
 * past window.maxTimestamp.
 * - ContinuousEventTimeTrigger also fires at the window end (watermark ≥ maxTimestamp) like
 *   EventTimeTrigger, and at once for an element of a window the watermark already passed.
 * - ContinuousProcessingTimeTrigger measures the interval in processing time.
 */
import { toMillis, type TimeSpan } from '../../runtime/api/duration.js';
import { ReducingStateDescriptor, type ReducingState } from '../../runtime/api/state.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { TriggerResult, type OnMergeContext, type Trigger, type TriggerContext } from './trigger.js';
import type { Window } from './window.js';

function fireTimeDescriptor(): ReducingStateDescriptor<number> {
  return new ReducingStateDescriptor<number>('fire-time', (a, b) => Math.min(a, b));
}

function checkInterval(intervalMs: number, name: string): void {
  if (!(intervalMs > 0))
    throw new SluiceError('API_INVALID_ARGUMENT', `${name} interval must be > 0 ms (got ${intervalMs})`);
}

export class ContinuousEventTimeTrigger implements Trigger<unknown, Window> {
  private readonly stateDesc = fireTimeDescriptor();

  private constructor(readonly intervalMs: number) {}

  static of(interval: TimeSpan): ContinuousEventTimeTrigger {
    const intervalMs = toMillis(interval, 'ContinuousEventTimeTrigger.of');
    checkInterval(intervalMs, 'ContinuousEventTimeTrigger');
    return new ContinuousEventTimeTrigger(intervalMs);
  }

  onElement(_element: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTimestampState = ctx.getPartitionedState(this.stateDesc);
    if (fireTimestampState.get() === undefined) {
      this.registerNextFireTimestamp(timestamp - (timestamp % this.intervalMs), window, ctx, fireTimestampState);
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    const fireTimestampState = ctx.getPartitionedState(this.stateDesc);
    const fireTimestamp = fireTimestampState.get();
    if (fireTimestamp !== undefined && fireTimestamp === time) {
      fireTimestampState.clear();
      this.registerNextFireTimestamp(time, window, ctx, fireTimestampState);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTimestamp = ctx.getPartitionedState(this.stateDesc);
    const ts = fireTimestamp.get();
    if (ts !== undefined) {
      ctx.deleteEventTimeTimer(ts);
      fireTimestamp.clear();
    }
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = ctx.getPartitionedState(this.stateDesc).get();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
  }

  private registerNextFireTimestamp(
    time: number,
    window: Window,
    ctx: TriggerContext,
    state: ReducingState<number>,
  ): void {
    const next = Math.min(time + this.intervalMs, window.maxTimestamp());
    state.add(next);
    ctx.registerEventTimeTimer(next);
  }

  toString(): string {
    return `ContinuousEventTimeTrigger(${this.intervalMs})`;
  }
}

export class ContinuousProcessingTimeTrigger implements Trigger<unknown, Window> {
  private readonly stateDesc = fireTimeDescriptor();

  private constructor(readonly intervalMs: number) {}

  static of(interval: TimeSpan): ContinuousProcessingTimeTrigger {
    const intervalMs = toMillis(interval, 'ContinuousProcessingTimeTrigger.of');
    checkInterval(intervalMs, 'ContinuousProcessingTimeTrigger');
    return new ContinuousProcessingTimeTrigger(intervalMs);
  }

  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTimestampState = ctx.getPartitionedState(this.stateDesc);
    const now = ctx.getCurrentProcessingTime();
    if (fireTimestampState.get() === undefined)
      this.registerNextFireTimestamp(now - (now % this.intervalMs), window, ctx, fireTimestampState);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTimestampState = ctx.getPartitionedState(this.stateDesc);
    if (fireTimestampState.get() === time) {
      fireTimestampState.clear();
      this.registerNextFireTimestamp(time, window, ctx, fireTimestampState);
      return TriggerResult.FIRE;
    }
    return TriggerResult.CONTINUE;
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTimestamp = ctx.getPartitionedState(this.stateDesc);
    const ts = fireTimestamp.get();
    if (ts !== undefined) {
      ctx.deleteProcessingTimeTimer(ts);
      fireTimestamp.clear();
    }
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = ctx.getPartitionedState(this.stateDesc).get();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }

  private registerNextFireTimestamp(
    time: number,
    window: Window,
    ctx: TriggerContext,
    state: ReducingState<number>,
  ): void {
    const next = Math.min(time + this.intervalMs, window.maxTimestamp());
    state.add(next);
    ctx.registerProcessingTimeTimer(next);
  }

  toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.intervalMs})`;
  }
}
