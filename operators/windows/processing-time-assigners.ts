/**
 * Processing-time window assigners (Flink's TumblingProcessingTimeWindows, SlidingProcessingTimeWindows,
 * ProcessingTimeSessionWindows): windows come from the operator's current processing time, never from
 * the record; the default trigger is ProcessingTimeTrigger. Window stagger is not supported (Flink's
 * default, ALIGNED, is what these do).
 */
import { toMillis, type TimeSpan } from '../../runtime/api/duration.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { slidingWindows } from './event-time-assigners.js';
import type { Trigger } from './trigger.js';
import { ProcessingTimeTrigger } from './triggers.js';
import type { MergingWindowAssigner, WindowAssigner, WindowAssignerContext } from './window-assigner.js';
import { TimeWindow } from './window.js';

export class TumblingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  private constructor(
    readonly sizeMs: number,
    readonly offsetMs: number,
  ) {}

  static of(size: TimeSpan, offset: TimeSpan = 0): TumblingProcessingTimeWindows {
    const sizeMs = toMillis(size, 'TumblingProcessingTimeWindows.of');
    const offsetMs = toMillis(offset, 'TumblingProcessingTimeWindows.of');
    if (!(Math.abs(offsetMs) < sizeMs) || !(sizeMs > 0)) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `TumblingProcessingTimeWindows parameters must satisfy abs(offset) < size (size ${sizeMs}, offset ${offsetMs})`,
      );
    }
    return new TumblingProcessingTimeWindows(sizeMs, offsetMs);
  }

  assignWindows(_element: unknown, _timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    const now = ctx.getCurrentProcessingTime();
    const start = TimeWindow.getWindowStartWithOffset(now, this.offsetMs % this.sizeMs, this.sizeMs);
    return [new TimeWindow(start, start + this.sizeMs)];
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }
}

export class SlidingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  private constructor(
    readonly sizeMs: number,
    readonly slideMs: number,
    readonly offsetMs: number,
  ) {}

  static of(size: TimeSpan, slide: TimeSpan, offset: TimeSpan = 0): SlidingProcessingTimeWindows {
    const sizeMs = toMillis(size, 'SlidingProcessingTimeWindows.of');
    const slideMs = toMillis(slide, 'SlidingProcessingTimeWindows.of');
    const offsetMs = toMillis(offset, 'SlidingProcessingTimeWindows.of');
    if (!(Math.abs(offsetMs) < slideMs) || !(sizeMs > 0)) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `SlidingProcessingTimeWindows parameters must satisfy abs(offset) < slide and size > 0 (size ${sizeMs}, slide ${slideMs}, offset ${offsetMs})`,
      );
    }
    return new SlidingProcessingTimeWindows(sizeMs, slideMs, offsetMs);
  }

  assignWindows(_element: unknown, _timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    return slidingWindows(ctx.getCurrentProcessingTime(), this.sizeMs, this.slideMs, this.offsetMs);
  }

  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }
}

export class ProcessingTimeSessionWindows<T = unknown> implements MergingWindowAssigner<T, TimeWindow> {
  private constructor(
    private readonly gapOf: (element: T) => number,
    private readonly dynamic: boolean,
  ) {}

  static withGap(gap: TimeSpan): ProcessingTimeSessionWindows {
    const gapMs = toMillis(gap, 'ProcessingTimeSessionWindows.withGap');
    if (!(gapMs > 0))
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `ProcessingTimeSessionWindows parameters must satisfy 0 < size (got ${gapMs})`,
      );
    return new ProcessingTimeSessionWindows<unknown>(() => gapMs, false);
  }

  static withDynamicGap<T>(
    extractor: ((element: T) => number) | { extract(element: T): number },
  ): ProcessingTimeSessionWindows<T> {
    const fn = typeof extractor === 'function' ? extractor : (e: T) => extractor.extract(e);
    return new ProcessingTimeSessionWindows<T>(fn, true);
  }

  assignWindows(element: T, _timestamp: number, ctx: WindowAssignerContext): TimeWindow[] {
    const now = ctx.getCurrentProcessingTime();
    const gap = this.gapOf(element);
    if (this.dynamic && !(gap > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `Dynamic session time gap must satisfy 0 < gap (got ${gap})`);
    return [new TimeWindow(now, now + gap)];
  }

  mergeWindows(windows: TimeWindow[], merge: (toBeMerged: TimeWindow[], mergeResult: TimeWindow) => void): void {
    TimeWindow.mergeWindows(windows, merge);
  }

  getDefaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  isEventTime(): boolean {
    return false;
  }
}
