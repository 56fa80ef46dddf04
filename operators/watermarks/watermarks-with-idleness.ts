/**
 * Flink's WatermarksWithIdleness and its IdlenessTimer: idleness is evaluated only in onPeriodicEmit.
 * The countdown starts at the first periodic emit that saw no event since the previous one; the output
 * is marked idle at the first periodic emit after strictly more than `idleTimeoutMs` has elapsed since
 * then. While idle the wrapped generator's periodic watermarks are suppressed; the next event ends
 * idleness (the next watermark the output forwards marks it active again).
 *
 * The clock is injected (Flink's RelativeClock, in ms here) so tests control time exactly.
 * Deviation kept on purpose: Flink uses 0 as "countdown not started"; here it is `undefined`, so a fake
 * clock that starts at 0 behaves like a real one.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform } from '../../runtime/platform/index.js';
import type { WatermarkGenerator, WatermarkOutput } from './watermark-generator.js';

/** Relative time in milliseconds (monotonic). */
export interface RelativeClock {
  relativeTimeMs(): number;
}

export const systemRelativeClock: RelativeClock = { relativeTimeMs: () => platform.clock.monotonicMs() };

export class IdlenessTimer {
  private counter = 0;
  private lastCounter = 0;
  private startOfInactivityMs: number | undefined;

  constructor(
    private readonly clock: RelativeClock,
    private readonly maxIdleTimeMs: number,
  ) {}

  activity(): void {
    this.counter++;
  }

  checkIfIdle(): boolean {
    if (this.counter !== this.lastCounter) {
      // activity since the last check: reset the countdown
      this.lastCounter = this.counter;
      this.startOfInactivityMs = undefined;
      return false;
    }
    if (this.startOfInactivityMs === undefined) {
      // first periodic probe without activity: start the countdown
      this.startOfInactivityMs = this.clock.relativeTimeMs();
      return false;
    }
    return this.clock.relativeTimeMs() - this.startOfInactivityMs > this.maxIdleTimeMs;
  }
}

export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private readonly idlenessTimer: IdlenessTimer;
  private isIdleNow = false;

  constructor(
    private readonly watermarks: WatermarkGenerator<T>,
    idleTimeoutMs: number,
    clock: RelativeClock = systemRelativeClock,
  ) {
    if (!(idleTimeoutMs > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `idleTimeout must be greater than zero (got ${idleTimeoutMs} ms)`);
    this.idlenessTimer = new IdlenessTimer(clock, idleTimeoutMs);
  }

  onEvent(event: T, timestamp: number, output: WatermarkOutput): void {
    this.watermarks.onEvent(event, timestamp, output);
    this.idlenessTimer.activity();
    this.isIdleNow = false;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.idlenessTimer.checkIfIdle()) {
      if (!this.isIdleNow) {
        output.markIdle();
        this.isIdleNow = true;
      }
    } else {
      this.watermarks.onPeriodicEmit(output);
    }
  }
}
