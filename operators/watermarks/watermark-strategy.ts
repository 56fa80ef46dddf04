/**
 * WatermarkStrategy with Flink's factory methods: forMonotonousTimestamps, forBoundedOutOfOrderness(ms),
 * noWatermarks, forGenerator; withTimestampAssigner and withIdleness. Generators follow Flink's
 * BoundedOutOfOrdernessWatermarks exactly: maxTs starts at Long.MIN_VALUE + d + 1 and a periodic emit
 * gives maxTs − d − 1, so before any event the watermark is Long.MIN_VALUE. Sources apply the strategy per
 * split (runtime/task/source-watermarks.ts) and emit only strictly increasing watermarks.
 */
import { LONG_MIN } from '../../runtime/api/time.js';
import { platform } from '../../runtime/platform/index.js';

export interface WatermarkOutput {
  emitWatermark(timestamp: number): void;
  markIdle(): void;
  markActive(): void;
}

export interface WatermarkGenerator<T> {
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

export type TimestampAssigner<T> = (event: T, recordTimestamp: number) => number;

export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;
  constructor(private readonly outOfOrdernessMs: number) {
    if (!(outOfOrdernessMs >= 0)) throw new RangeError(`max out-of-orderness must be >= 0, got ${outOfOrdernessMs}`);
    this.maxTimestamp = LONG_MIN + outOfOrdernessMs + 1;
  }
  onEvent(_event: T, timestamp: number): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMs - 1);
  }
}

/** Flink's WatermarksWithIdleness: marks the output idle after `idleTimeoutMs` without events. */
export class WatermarksWithIdleness<T> implements WatermarkGenerator<T> {
  private lastEventMs: number;
  private idle = false;
  constructor(
    private readonly inner: WatermarkGenerator<T>,
    private readonly idleTimeoutMs: number,
    private readonly nowMs: () => number = () => platform.clock.monotonicMs(),
  ) {
    this.lastEventMs = nowMs();
  }
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void {
    this.lastEventMs = this.nowMs();
    if (this.idle) {
      this.idle = false;
      output.markActive();
    }
    this.inner.onEvent(event, timestamp, output);
  }
  onPeriodicEmit(output: WatermarkOutput): void {
    if (this.nowMs() - this.lastEventMs >= this.idleTimeoutMs) {
      if (!this.idle) {
        this.idle = true;
        output.markIdle();
      }
      return;
    }
    this.inner.onPeriodicEmit(output);
  }
}

class NoWatermarks<T> implements WatermarkGenerator<T> {
  onEvent(): void {}
  onPeriodicEmit(): void {}
}

export class WatermarkStrategy<T> {
  private constructor(
    private readonly generator: () => WatermarkGenerator<T>,
    private readonly assigner?: TimestampAssigner<T>,
  ) {}

  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(0));
  }
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs));
  }
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarks<T>());
  }
  static forGenerator<T>(factory: () => WatermarkGenerator<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(factory);
  }

  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(this.generator, assigner);
  }
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    const inner = this.generator;
    return new WatermarkStrategy<T>(() => new WatermarksWithIdleness<T>(inner(), idleTimeoutMs), this.assigner);
  }

  createWatermarkGenerator(): WatermarkGenerator<T> {
    return this.generator();
  }
  createTimestampAssigner(): TimestampAssigner<T> | undefined {
    return this.assigner;
  }
}
