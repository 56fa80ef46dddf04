/**
 * WatermarkStrategy with Flink's factory methods — forMonotonousTimestamps, forBoundedOutOfOrderness(ms),
 * noWatermarks, forGenerator(factory) — and its decorators withTimestampAssigner and withIdleness.
 * A strategy is an immutable recipe: every parallel instance (and every split) calls
 * createWatermarkGenerator() for a fresh generator.
 *
 * Invariants: the default timestamp assigner keeps the record's timestamp (Flink's
 * RecordTimestampAssigner); withIdleness wraps the generator in WatermarksWithIdleness using the clock
 * from the generator context (Flink's getInputActivityClock), or the monotonic platform clock.
 */
import { toMillis, type TimeSpan } from '../../runtime/api/duration.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import {
  AscendingTimestampsWatermarks,
  BoundedOutOfOrdernessWatermarks,
  NoWatermarksGenerator,
  type TimestampAssigner,
  type WatermarkGenerator,
} from './watermark-generator.js';
import { WatermarksWithIdleness, type RelativeClock } from './watermarks-with-idleness.js';

export { BoundedOutOfOrdernessWatermarks, NO_TIMESTAMP } from './watermark-generator.js';
export type { TimestampAssigner, WatermarkGenerator, WatermarkOutput } from './watermark-generator.js';
export { WatermarksWithIdleness } from './watermarks-with-idleness.js';

/** What a generator factory is given (Flink's WatermarkGeneratorSupplier.Context). */
export interface WatermarkGeneratorContext {
  /** Clock that measures input activity for idleness detection. */
  inputActivityClock?: RelativeClock;
}

export type WatermarkGeneratorFactory<T> = (ctx: WatermarkGeneratorContext) => WatermarkGenerator<T>;

const recordTimestamp: TimestampAssigner<unknown> = (_event, ts) => ts;

export class WatermarkStrategy<T> {
  private constructor(
    private readonly factory: WatermarkGeneratorFactory<T>,
    private readonly assigner?: TimestampAssigner<T>,
  ) {}

  /** Watermark = max timestamp seen − 1 (timestamps are expected to ascend). */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new AscendingTimestampsWatermarks<T>());
  }

  /** Watermark = max timestamp seen − maxOutOfOrdernessMs − 1. */
  static forBoundedOutOfOrderness<T>(maxOutOfOrderness: TimeSpan): WatermarkStrategy<T> {
    const maxOutOfOrdernessMs = toMillis(maxOutOfOrderness, 'WatermarkStrategy.forBoundedOutOfOrderness');
    new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs); // validate eagerly, as Flink's Duration checks
    return new WatermarkStrategy<T>(() => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs));
  }

  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(() => new NoWatermarksGenerator<T>());
  }

  static forGenerator<T>(factory: WatermarkGeneratorFactory<T>): WatermarkStrategy<T> {
    if (typeof factory !== 'function')
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'WatermarkStrategy.forGenerator needs a factory function (ctx) => WatermarkGenerator',
      );
    return new WatermarkStrategy<T>(factory);
  }

  withTimestampAssigner(
    assigner: TimestampAssigner<T> | { extractTimestamp(event: T, recordTimestamp: number): number },
  ): WatermarkStrategy<T> {
    const fn: TimestampAssigner<T> =
      typeof assigner === 'function' ? assigner : (e, ts) => assigner.extractTimestamp(e, ts);
    return new WatermarkStrategy<T>(this.factory, fn);
  }

  withIdleness(idleTimeout: TimeSpan): WatermarkStrategy<T> {
    const idleTimeoutMs = toMillis(idleTimeout, 'WatermarkStrategy.withIdleness');
    if (!(idleTimeoutMs > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `idleTimeout must be greater than zero (got ${idleTimeoutMs} ms)`);
    const inner = this.factory;
    return new WatermarkStrategy<T>(
      (ctx) => new WatermarksWithIdleness<T>(inner(ctx), idleTimeoutMs, ctx.inputActivityClock),
      this.assigner,
    );
  }

  createWatermarkGenerator(ctx: WatermarkGeneratorContext = {}): WatermarkGenerator<T> {
    return this.factory(ctx);
  }

  /** The assigner given by withTimestampAssigner, or one that keeps the record's timestamp. */
  createTimestampAssigner(): TimestampAssigner<T> {
    return this.assigner ?? (recordTimestamp as TimestampAssigner<T>);
  }

  hasTimestampAssigner(): boolean {
    return this.assigner !== undefined;
  }
}
