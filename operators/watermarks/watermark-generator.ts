/**
 * Watermark generators with Flink's contracts (`WatermarkGenerator`, `WatermarkOutput`,
 * `TimestampAssigner`) and Flink's built-in generators: BoundedOutOfOrdernessWatermarks,
 * AscendingTimestampsWatermarks (= bounded out-of-orderness 0) and NoWatermarksGenerator.
 *
 * Invariants (Flink's BoundedOutOfOrdernessWatermarks): `maxTimestamp` starts at
 * Long.MIN_VALUE + d + 1, so a periodic emit before any event gives Long.MIN_VALUE; afterwards each
 * periodic emit gives `maxTimestamp − d − 1`. Generators may emit non-increasing watermarks; the output
 * behind them (TimestampsAndWatermarks) keeps only strictly increasing ones.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { LONG_MIN } from '../../runtime/api/time.js';

/** Flink's TimestampAssigner.NO_TIMESTAMP: the record timestamp an assigner sees when a record has none. */
export const NO_TIMESTAMP = LONG_MIN;

export interface WatermarkOutput {
  emitWatermark(timestamp: number): void;
  /** No more watermarks for now: downstream may exclude this output from its minimum. */
  markIdle(): void;
  markActive(): void;
}

export interface WatermarkGenerator<T> {
  /** Called for every event, after its timestamp was assigned. */
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  /** Called every `pipeline.auto-watermark-interval`. */
  onPeriodicEmit(output: WatermarkOutput): void;
}

/** `(event, recordTimestamp) => timestamp`; recordTimestamp is NO_TIMESTAMP when the record has none. */
export type TimestampAssigner<T> = (event: T, recordTimestamp: number) => number;

export class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T> {
  private maxTimestamp: number;
  readonly outOfOrdernessMs: number;

  constructor(maxOutOfOrdernessMs: number) {
    if (!(maxOutOfOrdernessMs >= 0) || !Number.isFinite(maxOutOfOrdernessMs)) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `maxOutOfOrderness cannot be negative (got ${maxOutOfOrdernessMs} ms)`,
      );
    }
    this.outOfOrdernessMs = Math.floor(maxOutOfOrdernessMs);
    this.maxTimestamp = LONG_MIN + this.outOfOrdernessMs + 1;
  }

  onEvent(_event: T, timestamp: number, _output?: WatermarkOutput): void {
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
  }

  onPeriodicEmit(output: WatermarkOutput): void {
    output.emitWatermark(this.maxTimestamp - this.outOfOrdernessMs - 1);
  }
}

/** Flink's AscendingTimestampsWatermarks: timestamps never decrease, so the watermark trails by 1 ms. */
export class AscendingTimestampsWatermarks<T> extends BoundedOutOfOrdernessWatermarks<T> {
  constructor() {
    super(0);
  }
}

/** Flink's NoWatermarksGenerator: never emits (downstream event time only moves at end of input). */
export class NoWatermarksGenerator<T> implements WatermarkGenerator<T> {
  onEvent(_event: T, _timestamp: number, _output: WatermarkOutput): void {}
  onPeriodicEmit(_output: WatermarkOutput): void {}
}
