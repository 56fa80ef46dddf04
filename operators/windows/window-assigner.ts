/**
 * The WindowAssigner contract (Flink's WindowAssigner / MergingWindowAssigner): which windows an element
 * belongs to, the trigger used when none is given, and the time domain. Merging assigners (sessions) also
 * merge overlapping windows; the window operator keeps their in-flight set in a MergingWindowSet.
 */
import { LONG_MIN } from '../../runtime/api/time.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { Trigger } from './trigger.js';
import type { Window } from './window.js';

export interface WindowAssignerContext {
  getCurrentProcessingTime(): number;
}

export interface WindowAssigner<T, W extends Window> {
  /** `timestamp` is the record's event timestamp (NaN when it has none). */
  assignWindows(element: T, timestamp: number, context: WindowAssignerContext): W[];
  getDefaultTrigger(): Trigger<T, W>;
  isEventTime(): boolean;
}

export interface MergingWindowAssigner<T, W extends Window> extends WindowAssigner<T, W> {
  /** Calls `merge(toBeMerged, mergeResult)` for every group of windows that must become one. */
  mergeWindows(windows: W[], merge: (toBeMerged: W[], mergeResult: W) => void): void;
}

export function isMergingAssigner<T, W extends Window>(a: WindowAssigner<T, W>): a is MergingWindowAssigner<T, W> {
  return typeof (a as Partial<MergingWindowAssigner<T, W>>).mergeWindows === 'function';
}

/** Flink's guard: event-time assigners need a real timestamp (NaN or Long.MIN_VALUE = none). */
export function requireEventTimestamp(timestamp: number, assigner: string): void {
  if (!(timestamp > LONG_MIN)) {
    throw new SluiceError(
      'EVENT_TIME_NO_TIMESTAMP',
      `${assigner}: record has no timestamp (NaN or Long.MIN_VALUE). Is the window meant to be a processing-time window, or did you forget to call assignTimestampsAndWatermarks(...) / give the source a WatermarkStrategy?`,
    );
  }
}
