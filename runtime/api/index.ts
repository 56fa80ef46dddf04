/**
 * The public API of sluice — the only module job definitions import (`import { … } from 'sluice'`).
 * Names and meaning follow Flink's DataStream API.
 */
export { StreamExecutionEnvironment, ExecutionConfig } from '../datastream/environment.js';
export type { CheckpointConfig } from '../datastream/environment.js';
export { DataStream, SingleOutputStreamOperator, DataStreamSink } from '../datastream/data-stream.js';
export { KeyedStream } from '../datastream/keyed-stream.js';
export { ConnectedStreams, BroadcastStream, BroadcastConnectedStream } from '../datastream/connected-streams.js';
export type { JobExecutionResult } from '../datastream/execution-host.js';
export { OutputTag } from './output-tag.js';
export * from './state.js';
export * from './functions.js';
export * from './source.js';
export * from './time.js';
export { Duration, Time } from './duration.js';
export type { TimeSpan } from './duration.js';
export { Tuple, MAX_ARITY } from './tuple.js';
export * from './tuples.js';
export { Types, TypeInformation, TypeHint } from './types.js';
export {
  AbstractRichFunction,
  RichMapFunction,
  RichFlatMapFunction,
  RichFilterFunction,
  RichReduceFunction,
  Configuration,
} from './rich-functions.js';
export type { OpenContext } from './rich-functions.js';
export {
  ProcessFunction,
  KeyedProcessFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  ProcessJoinFunction,
} from './process-functions.js';
export {
  ProcessWindowFunction,
  ProcessAllWindowFunction,
  WindowFunction,
  AllWindowFunction,
} from './window-function-classes.js';
export { RichSourceFunction, RichParallelSourceFunction, Watermark } from './source-functions.js';
export type { SourceFunction, SourceContext } from './source-functions.js';
export { RichSinkFunction } from './sink-functions.js';
export type { SinkFunction, SinkFunctionContext } from './sink-functions.js';
/** The function-or-object forms the API accepts where Flink names a class (lambdas, object literals, class instances). */
export type {
  ProcessFunction as ProcessFunctionLike,
  KeyedProcessFunction as KeyedProcessFunctionLike,
  CoProcessFunction as CoProcessFunctionLike,
  KeyedCoProcessFunction as KeyedCoProcessFunctionLike,
  BroadcastProcessFunction as BroadcastProcessFunctionLike,
  KeyedBroadcastProcessFunction as KeyedBroadcastProcessFunctionLike,
} from './functions.js';
export type { ProcessWindowFunction as ProcessWindowFunctionLike } from '../../operators/windows/index.js';
export type { ProcessAllWindowFunction as ProcessAllWindowFunctionLike } from '../datastream/windowed-stream.js';
export type { ProcessJoinFunction as ProcessJoinFunctionLike } from '../../operators/joins/interval-join-operator.js';
export type { StreamRecord, StreamElement } from './elements.js';
export type * from './operator.js';
export { AbstractUdfOperator } from './abstract-operator.js';
export { SluiceError } from '../errors/catalogue.js';
export { PrintSink } from '../../operators/core/basic-sinks.js';
export { DataGeneratorSource } from '../../operators/sources/datagen-source.js';
export {
  NexmarkSource,
  nexmarkConfig,
  NEXMARK_DEFAULTS,
  NexmarkGenerator,
} from '../../operators/sources/nexmark/index.js';
export type { NexmarkConfig, NexmarkEvent, Person, Auction, Bid } from '../../operators/sources/nexmark/index.js';
export { FileSink } from '../../operators/sinks/file-sink.js';
export { FileSource } from '../../operators/sources/file-source.js';
export { WatermarkStrategy, BoundedOutOfOrdernessWatermarks } from '../../operators/watermarks/watermark-strategy.js';
export type {
  WatermarkGenerator,
  WatermarkOutput,
  TimestampAssigner,
} from '../../operators/watermarks/watermark-strategy.js';
export { jobArgs } from '../bundle/job-args.js';
export { WindowedStream, AllWindowedStream } from '../datastream/windowed-stream.js';
export { IntervalJoin, IntervalJoined } from '../datastream/interval-join.js';
export type { ProcessJoinContext } from '../../operators/joins/interval-join-operator.js';
export {
  TimeWindow,
  GlobalWindow,
  TumblingEventTimeWindows,
  SlidingEventTimeWindows,
  EventTimeSessionWindows,
  TumblingProcessingTimeWindows,
  SlidingProcessingTimeWindows,
  ProcessingTimeSessionWindows,
  GlobalWindows,
  TriggerResult,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  CountTrigger,
  PurgingTrigger,
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountEvictor,
  TimeEvictor,
} from '../../operators/windows/index.js';
export type {
  Window,
  WindowAssigner,
  Trigger,
  TriggerContext,
  Evictor,
  ProcessWindowContext,
} from '../../operators/windows/index.js';
export { ModelServing } from '../datastream/model-serving.js';
export type { ServingOptions } from '../datastream/model-serving.js';
export { MODEL_STATUS_TAG, NO_MODEL_TAG, DEFAULT_MODEL_KEY } from '../../operators/ml/serving-operator.js';
export type { Scored } from '../../operators/ml/serving-operator.js';
export type { ModelDescriptor } from '../../operators/ml/descriptor.js';
export type { ModelStatusRecord } from '../../operators/ml/model-manager.js';
export { SpeculativeServing, SPECULATIVE_UNSCORED_TAG } from '../datastream/speculative-serving.js';
export type {
  SpeculativeScored,
  SpeculativeServingOptions,
  SpeculativeStrategy,
} from '../datastream/speculative-serving.js';
export { KafkaSource, KafkaSink, OffsetsInitializer } from '../../operators/connectors/kafka/index.js';
export type { DeliveryGuarantee, KafkaPartitionSplit, KafkaRecord } from '../../operators/connectors/kafka/index.js';
export {
  ModelTopicSource,
  MODEL_TOPIC_END_HEADER,
  endOfModels,
  modelTopicSerializer,
} from '../../operators/connectors/kafka/index.js';
export type { ModelTopicMessage, ModelTopicSourceOptions } from '../../operators/connectors/kafka/index.js';
