/**
 * The Trigger contract (Flink's Trigger, TriggerResult, TriggerContext, OnMergeContext). A trigger decides
 * per window when to evaluate (FIRE) and when to drop contents (PURGE); it may register timers (delivered
 * back as onEventTime / onProcessingTime for that window) and keep state scoped to (key, window).
 *
 * Invariants: triggers never hold per-window data in fields — one trigger instance serves every key and
 * window of a subtask; everything per window goes through ctx.getPartitionedState. `clear` must delete
 * whatever timers and state the trigger made for the window. A trigger used with a merging assigner must
 * have canMerge() true and implement onMerge.
 */
import type { StateDescriptor, StateOf } from '../../runtime/api/state.js';
import type { Window } from './window.js';

export class TriggerResult {
  static readonly CONTINUE = new TriggerResult('CONTINUE', false, false);
  static readonly FIRE_AND_PURGE = new TriggerResult('FIRE_AND_PURGE', true, true);
  static readonly FIRE = new TriggerResult('FIRE', true, false);
  static readonly PURGE = new TriggerResult('PURGE', false, true);

  private constructor(
    readonly name: 'CONTINUE' | 'FIRE_AND_PURGE' | 'FIRE' | 'PURGE',
    private readonly fire: boolean,
    private readonly purge: boolean,
  ) {}

  isFire(): boolean {
    return this.fire;
  }

  isPurge(): boolean {
    return this.purge;
  }

  toString(): string {
    return this.name;
  }
}

export interface TriggerContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
  registerProcessingTimeTimer(time: number): void;
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  /** State scoped to the current key and the trigger's window. */
  getPartitionedState<D extends StateDescriptor>(desc: D): StateOf<D>;
}

export interface OnMergeContext extends TriggerContext {
  /** Merges this state of the merged windows into the result window (reducing, aggregating or list state). */
  mergePartitionedState(desc: StateDescriptor): void;
}

export interface Trigger<T, W extends Window> {
  /** Called for every element added to `window`; `timestamp` is the element's (NaN when none). */
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Whether onMerge is supported (default false). */
  canMerge?(): boolean;
  /** Called with ctx bound to the merge result; re-register timers, merge state. */
  onMerge?(window: W, ctx: OnMergeContext): void;
  /** Deletes every timer and state this trigger keeps for `window`. */
  clear(window: W, ctx: TriggerContext): void;
}
