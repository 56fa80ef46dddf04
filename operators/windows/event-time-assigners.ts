/**
 * Event-time window assigners with Flink's exact arithmetic: TumblingEventTimeWindows (size, offset),
 * SlidingEventTimeWindows (size, slide, offset; windows listed newest first) and EventTimeSessionWindows
 * (static or dynamic gap; [t, t + gap), merged when they overlap or touch). All use EventTimeTrigger by
 * default. Parameter checks and messages follow Flink's.
 */
import { toMillis, type TimeSpan } from '../../runtime/api/duration.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { EventTimeTrigger } from './triggers.js';
import type { Trigger } from './trigger.js';
import { requireEventTimestamp, type MergingWindowAssigner, type WindowAssigner } from './window-assigner.js';
import { TimeWindow } from './window.js';

export class TumblingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  private constructor(
    readonly sizeMs: number,
    readonly offsetMs: number,
  ) {}

  static of(size: TimeSpan, offset: TimeSpan = 0): TumblingEventTimeWindows {
    const sizeMs = toMillis(size, 'TumblingEventTimeWindows.of');
    const offsetMs = toMillis(offset, 'TumblingEventTimeWindows.of');
    if (!(Math.abs(offsetMs) < sizeMs) || !(sizeMs > 0)) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `TumblingEventTimeWindows parameters must satisfy abs(offset) < size (size ${sizeMs}, offset ${offsetMs})`,
      );
    }
    return new TumblingEventTimeWindows(sizeMs, offsetMs);
  }

  assignWindows(_element: unknown, timestamp: number): TimeWindow[] {
    requireEventTimestamp(timestamp, 'TumblingEventTimeWindows');
    const start = TimeWindow.getWindowStartWithOffset(timestamp, this.offsetMs % this.sizeMs, this.sizeMs);
    return [new TimeWindow(start, start + this.sizeMs)];
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `TumblingEventTimeWindows(${this.sizeMs})`;
  }
}

/** The windows of a sliding assigner for `timestamp`, newest first (shared with processing time). */
export function slidingWindows(timestamp: number, sizeMs: number, slideMs: number, offsetMs: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, offsetMs, slideMs);
  for (let start = lastStart; start > timestamp - sizeMs; start -= slideMs)
    windows.push(new TimeWindow(start, start + sizeMs));
  return windows;
}

export class SlidingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  private constructor(
    readonly sizeMs: number,
    readonly slideMs: number,
    readonly offsetMs: number,
  ) {}

  static of(size: TimeSpan, slide: TimeSpan, offset: TimeSpan = 0): SlidingEventTimeWindows {
    const sizeMs = toMillis(size, 'SlidingEventTimeWindows.of');
    const slideMs = toMillis(slide, 'SlidingEventTimeWindows.of');
    const offsetMs = toMillis(offset, 'SlidingEventTimeWindows.of');
    if (!(Math.abs(offsetMs) < slideMs) || !(sizeMs > 0)) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `SlidingEventTimeWindows parameters must satisfy abs(offset) < slide and size > 0 (size ${sizeMs}, slide ${slideMs}, offset ${offsetMs})`,
      );
    }
    return new SlidingEventTimeWindows(sizeMs, slideMs, offsetMs);
  }

  assignWindows(_element: unknown, timestamp: number): TimeWindow[] {
    requireEventTimestamp(timestamp, 'SlidingEventTimeWindows');
    return slidingWindows(timestamp, this.sizeMs, this.slideMs, this.offsetMs);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return `SlidingEventTimeWindows(${this.sizeMs}, ${this.slideMs})`;
  }
}

export class EventTimeSessionWindows<T = unknown> implements MergingWindowAssigner<T, TimeWindow> {
  private constructor(
    private readonly gapOf: (element: T) => number,
    private readonly dynamic: boolean,
  ) {}

  static withGap(gap: TimeSpan): EventTimeSessionWindows {
    const gapMs = toMillis(gap, 'EventTimeSessionWindows.withGap');
    if (!(gapMs > 0))
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `EventTimeSessionWindows parameters must satisfy 0 < size (got ${gapMs})`,
      );
    return new EventTimeSessionWindows<unknown>(() => gapMs, false);
  }

  /** Flink's DynamicEventTimeSessionWindows: the gap comes from each element. */
  static withDynamicGap<T>(
    extractor: ((element: T) => number) | { extract(element: T): number },
  ): EventTimeSessionWindows<T> {
    const fn = typeof extractor === 'function' ? extractor : (e: T) => extractor.extract(e);
    return new EventTimeSessionWindows<T>(fn, true);
  }

  assignWindows(element: T, timestamp: number): TimeWindow[] {
    requireEventTimestamp(timestamp, 'EventTimeSessionWindows');
    const gap = this.gapOf(element);
    if (this.dynamic && !(gap > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `Dynamic session time gap must satisfy 0 < gap (got ${gap})`);
    return [new TimeWindow(timestamp, timestamp + gap)];
  }

  mergeWindows(windows: TimeWindow[], merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, merge);
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }

  isEventTime(): boolean {
    return true;
  }

  toString(): string {
    return this.dynamic ? 'DynamicEventTimeSessionWindows()' : 'EventTimeSessionWindows()';
  }
}
