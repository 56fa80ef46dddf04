/**
 * Evictors (Flink's Evictor, CountEvictor, TimeEvictor): remove elements from a firing window's buffer
 * before and/or after the window function runs. The buffer is an array of {value, timestamp} in arrival
 * order that the evictor edits in place; what remains is written back to window state.
 *
 * - CountEvictor.of(n, doEvictAfter = false): keeps the last n elements (removes from the front).
 * - TimeEvictor.of(ms, doEvictAfter = false): keeps elements with timestamp > maxTimestamp − ms; does
 *   nothing when the first element has no timestamp.
 */
import { toMillis, type TimeSpan } from '../../runtime/api/duration.js';
import { LONG_MIN } from '../../runtime/api/time.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { Window } from './window.js';

export interface TimestampedValue<T> {
  value: T;
  /** NaN when the element has no timestamp. */
  timestamp: number;
}

export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

export interface Evictor<T, W extends Window> {
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
}

export class CountEvictor implements Evictor<unknown, Window> {
  private constructor(
    readonly maxCount: number,
    readonly doEvictAfter: boolean,
  ) {}

  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    if (!(maxCount >= 0) || !Number.isInteger(maxCount))
      throw new SluiceError('API_INVALID_ARGUMENT', `CountEvictor needs a count >= 0 (got ${maxCount})`);
    return new CountEvictor(maxCount, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<unknown>[], size: number): void {
    if (!this.doEvictAfter) this.evict(elements, size);
  }

  evictAfter(elements: TimestampedValue<unknown>[], size: number): void {
    if (this.doEvictAfter) this.evict(elements, size);
  }

  private evict(elements: TimestampedValue<unknown>[], size: number): void {
    if (size <= this.maxCount) return;
    elements.splice(0, size - this.maxCount);
  }
}

export class TimeEvictor implements Evictor<unknown, Window> {
  private constructor(
    readonly windowSizeMs: number,
    readonly doEvictAfter: boolean,
  ) {}

  static of(windowSize: TimeSpan, doEvictAfter = false): TimeEvictor {
    const windowSizeMs = toMillis(windowSize, 'TimeEvictor.of');
    if (!(windowSizeMs >= 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `TimeEvictor needs a window size >= 0 ms (got ${windowSizeMs})`);
    return new TimeEvictor(windowSizeMs, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<unknown>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<unknown>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue<unknown>[]): void {
    const first = elements[0];
    if (!first || Number.isNaN(first.timestamp)) return; // no timestamps: nothing to evict by time
    let currentTime = LONG_MIN;
    for (const e of elements) if (e.timestamp > currentTime) currentTime = e.timestamp;
    const evictCutoff = currentTime - this.windowSizeMs;
    let w = 0;
    for (const e of elements) if (!(e.timestamp <= evictCutoff)) elements[w++] = e;
    elements.length = w;
  }
}
