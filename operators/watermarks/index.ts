/** operators/watermarks: watermark strategies and generators, and their per-split combination. */
export { WatermarkStrategy } from './watermark-strategy.js';
export type { WatermarkGeneratorContext, WatermarkGeneratorFactory } from './watermark-strategy.js';
export {
  AscendingTimestampsWatermarks,
  BoundedOutOfOrdernessWatermarks,
  NoWatermarksGenerator,
  NO_TIMESTAMP,
} from './watermark-generator.js';
export type { TimestampAssigner, WatermarkGenerator, WatermarkOutput } from './watermark-generator.js';
export { IdlenessTimer, WatermarksWithIdleness, systemRelativeClock } from './watermarks-with-idleness.js';
export type { RelativeClock } from './watermarks-with-idleness.js';
export { WatermarkOutputMultiplexer, WatermarkToDataOutput } from './watermark-output-multiplexer.js';
export type { WatermarkDataOutput } from './watermark-output-multiplexer.js';
export { TimestampsAndWatermarks, DEFAULT_AUTO_WATERMARK_INTERVAL_MS } from './timestamps-and-watermarks.js';
export type {
  SplitOutput,
  TimestampsAndWatermarksOptions,
  WatermarkStrategyLike,
} from './timestamps-and-watermarks.js';
export {
  TimestampsAndWatermarksOperator,
  autoWatermarkIntervalFrom,
  AUTO_WATERMARK_INTERVAL_KEY,
} from './timestamps-and-watermarks-operator.js';
export type { TimestampsAndWatermarksOperatorOptions } from './timestamps-and-watermarks-operator.js';
