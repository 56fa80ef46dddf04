/**
 * TimeWindow and the event-time window assigners with Flink's exact arithmetic
 * (`TimeWindow.getWindowStartWithOffset`, Tumbling/Sliding/Session assigners). Windows are [start, end)
 * with maxTimestamp = end − 1; sliding windows are listed newest first; session windows merge when they
 * touch or overlap. A record without a timestamp cannot be assigned to an event-time window.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';

export class TimeWindow {
  constructor(
    readonly start: number,
    readonly end: number,
  ) {}
  maxTimestamp(): number {
    return this.end - 1;
  }
  intersects(o: TimeWindow): boolean {
    return this.start <= o.end && this.end >= o.start;
  }
  cover(o: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, o.start), Math.max(this.end, o.end));
  }
  /** Namespace under which the window's state and timers are kept. */
  toString(): string {
    return `${this.start}:${this.end}`;
  }
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize; // JS % truncates toward zero, as Java's
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }
}

function requireTimestamp(ts: number, assigner: string): void {
  if (ts !== ts) {
    throw new SluiceError('API_INVALID_ARGUMENT', `Record has no timestamp: ${assigner} needs event timestamps (use a WatermarkStrategy with a timestamp assigner)`);
  }
}

export class TumblingEventTimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly offsetMs: number,
  ) {}
  static of(sizeMs: number, offsetMs = 0): TumblingEventTimeWindows {
    if (!(sizeMs > 0) || Math.abs(offsetMs) >= sizeMs) throw new SluiceError('API_INVALID_ARGUMENT', `TumblingEventTimeWindows parameters must satisfy |offset| < size and size > 0 (size ${sizeMs}, offset ${offsetMs})`);
    return new TumblingEventTimeWindows(sizeMs, offsetMs);
  }
  assignWindows(timestamp: number): TimeWindow[] {
    requireTimestamp(timestamp, 'TumblingEventTimeWindows');
    const start = TimeWindow.getWindowStartWithOffset(timestamp, this.offsetMs % this.sizeMs, this.sizeMs);
    return [new TimeWindow(start, start + this.sizeMs)];
  }
}

export class SlidingEventTimeWindows {
  private constructor(
    readonly sizeMs: number,
    readonly slideMs: number,
    readonly offsetMs: number,
  ) {}
  static of(sizeMs: number, slideMs: number, offsetMs = 0): SlidingEventTimeWindows {
    if (!(sizeMs > 0) || !(slideMs > 0) || Math.abs(offsetMs) >= slideMs) throw new SluiceError('API_INVALID_ARGUMENT', `SlidingEventTimeWindows parameters must satisfy |offset| < slide and size > 0 (size ${sizeMs}, slide ${slideMs}, offset ${offsetMs})`);
    if (sizeMs / slideMs > 10_000_000) throw new SluiceError('API_INVALID_ARGUMENT', `SlidingEventTimeWindows: size / slide must be at most 10,000,000 (size ${sizeMs}, slide ${slideMs})`);
    return new SlidingEventTimeWindows(sizeMs, slideMs, offsetMs);
  }
  assignWindows(timestamp: number): TimeWindow[] {
    requireTimestamp(timestamp, 'SlidingEventTimeWindows');
    const windows: TimeWindow[] = [];
    const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, this.offsetMs, this.slideMs);
    for (let start = lastStart; start > timestamp - this.sizeMs; start -= this.slideMs) windows.push(new TimeWindow(start, start + this.sizeMs));
    return windows;
  }
}

export class EventTimeSessionWindows {
  private constructor(readonly gapOf: (element: unknown) => number) {}
  static withGap(gapMs: number): EventTimeSessionWindows {
    if (!(gapMs > 0)) throw new SluiceError('API_INVALID_ARGUMENT', `EventTimeSessionWindows gap must be > 0, got ${gapMs}`);
    return new EventTimeSessionWindows(() => gapMs);
  }
  static withDynamicGap<T>(extractor: (element: T) => number): EventTimeSessionWindows {
    return new EventTimeSessionWindows(extractor as (e: unknown) => number);
  }
  assignWindows(timestamp: number, element?: unknown): TimeWindow[] {
    requireTimestamp(timestamp, 'EventTimeSessionWindows');
    const gap = this.gapOf(element);
    if (!(gap > 0)) throw new SluiceError('API_INVALID_ARGUMENT', `dynamic session gap must be > 0, got ${gap}`);
    return [new TimeWindow(timestamp, timestamp + gap)];
  }
  /** Flink's TimeWindow.mergeWindows: sorts by start and merges touching or overlapping windows. */
  static mergeWindows(windows: TimeWindow[]): Array<{ merged: TimeWindow; from: TimeWindow[] }> {
    const sorted = [...windows].sort((a, b) => a.start - b.start);
    const out: Array<{ merged: TimeWindow; from: TimeWindow[] }> = [];
    for (const w of sorted) {
      const last = out[out.length - 1];
      if (last && last.merged.intersects(w)) {
        last.merged = last.merged.cover(w);
        last.from.push(w);
      } else out.push({ merged: w, from: [w] });
    }
    return out;
  }
}
