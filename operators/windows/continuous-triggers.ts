/**
 * Flink's continuous triggers (1.19 behaviour): fire every `intervalMs` within a window, aligned to
 * multiples of the interval, with the next fire time in ReducingState "fire-time" (min on merge) and never
 * past window.maxTimestamp.
 * - ContinuousEventTimeTrigger also fires at the window end (watermark ≥ maxTimestamp) like
 *   EventTimeTrigger, and at once for an element of a window the watermark already passed.
 * - ContinuousProcessingTimeTrigger measures the interval in processing time.
 * The two differ only in their time domain (which timers they register and delete) and in what starts
 * the first interval; the fire-time bookkeeping is shared in `ContinuousTrigger`.
 */
import { toMillis, type TimeSpan } from '../../runtime/api/duration.js';
import { ReducingStateDescriptor, type ReducingState } from '../../runtime/api/state.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { TriggerResult, type OnMergeContext, type Trigger, type TriggerContext } from './trigger.js';
import type { Window } from './window.js';

function intervalOf(interval: TimeSpan, name: string): number {
  const intervalMs = toMillis(interval, `${name}.of`);
  if (!(intervalMs > 0))
    throw new SluiceError('API_INVALID_ARGUMENT', `${name} interval must be > 0 ms (got ${intervalMs})`);
  return intervalMs;
}

/** The fire-time state and timers of a continuous trigger in one time domain. */
abstract class ContinuousTrigger implements Trigger<unknown, Window> {
  protected readonly stateDesc = new ReducingStateDescriptor<number>('fire-time', (a, b) => Math.min(a, b));

  protected constructor(readonly intervalMs: number) {}

  abstract onElement(element: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult;
  abstract onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult;
  abstract onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult;
  protected abstract registerTimer(ctx: TriggerContext, time: number): void;
  protected abstract deleteTimer(ctx: TriggerContext, time: number): void;

  /** Starts the interval at `time` aligned down to a multiple of the interval, unless one runs. */
  protected startInterval(time: number, window: Window, ctx: TriggerContext): void {
    const state = ctx.getPartitionedState(this.stateDesc);
    if (state.get() === undefined) this.registerNext(time - (time % this.intervalMs), window, ctx, state);
  }

  /** A timer at `time`: fires (and schedules the next) when it is the pending fire time. */
  protected fireIfDue(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const state = ctx.getPartitionedState(this.stateDesc);
    if (state.get() !== time) return TriggerResult.CONTINUE;
    state.clear();
    this.registerNext(time, window, ctx, state);
    return TriggerResult.FIRE;
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTimestamp = ctx.getPartitionedState(this.stateDesc);
    const ts = fireTimestamp.get();
    if (ts !== undefined) {
      this.deleteTimer(ctx, ts);
      fireTimestamp.clear();
    }
  }

  canMerge(): boolean {
    return true;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.stateDesc);
    const next = ctx.getPartitionedState(this.stateDesc).get();
    if (next !== undefined) this.registerTimer(ctx, next);
  }

  private registerNext(time: number, window: Window, ctx: TriggerContext, state: ReducingState<number>): void {
    const next = Math.min(time + this.intervalMs, window.maxTimestamp());
    state.add(next);
    this.registerTimer(ctx, next);
  }
}

export class ContinuousEventTimeTrigger extends ContinuousTrigger {
  static of(interval: TimeSpan): ContinuousEventTimeTrigger {
    return new ContinuousEventTimeTrigger(intervalOf(interval, 'ContinuousEventTimeTrigger'));
  }

  onElement(_element: unknown, timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    this.startInterval(timestamp, window, ctx);
    return TriggerResult.CONTINUE;
  }

  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return TriggerResult.FIRE;
    return this.fireIfDue(time, window, ctx);
  }

  onProcessingTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  protected registerTimer(ctx: TriggerContext, time: number): void {
    ctx.registerEventTimeTimer(time);
  }

  protected deleteTimer(ctx: TriggerContext, time: number): void {
    ctx.deleteEventTimeTimer(time);
  }

  override toString(): string {
    return `ContinuousEventTimeTrigger(${this.intervalMs})`;
  }
}

export class ContinuousProcessingTimeTrigger extends ContinuousTrigger {
  static of(interval: TimeSpan): ContinuousProcessingTimeTrigger {
    return new ContinuousProcessingTimeTrigger(intervalOf(interval, 'ContinuousProcessingTimeTrigger'));
  }

  onElement(_element: unknown, _timestamp: number, window: Window, ctx: TriggerContext): TriggerResult {
    this.startInterval(ctx.getCurrentProcessingTime(), window, ctx);
    return TriggerResult.CONTINUE;
  }

  onEventTime(): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    return this.fireIfDue(time, window, ctx);
  }

  protected registerTimer(ctx: TriggerContext, time: number): void {
    ctx.registerProcessingTimeTimer(time);
  }

  protected deleteTimer(ctx: TriggerContext, time: number): void {
    ctx.deleteProcessingTimeTimer(time);
  }

  override toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.intervalMs})`;
  }
}
