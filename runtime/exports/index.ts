/**
 * `sluice`: the package's main entry — the DataStream API job definitions import (`import { … } from 'sluice'`).
 * Names and meaning follow Flink's DataStream API. This folder holds only entry points (one per `exports` key
 * of package.json); it is the top layer of the engine and nothing under runtime/, operators/ or checkpoints/
 * imports it (see docs/architecture.md §10).
 */
import { setLocalExecutorLoader } from '../datastream/execution-host.js';

// `env.execute()` without a cluster runs the job in this process; the executor loads on first use.
setLocalExecutorLoader(() => import('../executor/local-executor.js'));

export { StreamExecutionEnvironment, ExecutionConfig } from '../datastream/environment.js';
export type { CheckpointConfig } from '../datastream/environment.js';
export { DataStream, SingleOutputStreamOperator, DataStreamSink } from '../datastream/data-stream.js';
export { KeyedStream } from '../datastream/keyed-stream.js';
export { ConnectedStreams, BroadcastStream, BroadcastConnectedStream } from '../datastream/connected-streams.js';
export type { JobExecutionResult } from '../datastream/execution-host.js';
export type { JobClient, JobStatus, SavepointFormatType } from '../datastream/job-client.js';
export type { CloseableIterator } from '../datastream/collect-iterator.js';
export { OutputTag } from '../api/output-tag.js';
export * from '../api/state.js';
export * from '../api/functions.js';
export * from '../api/source.js';
export * from '../api/time.js';
export { Duration, Time } from '../api/duration.js';
export type { TimeSpan } from '../api/duration.js';
export { Tuple, MAX_ARITY } from '../api/tuple.js';
export * from '../api/tuples.js';
export { Types, TypeInformation, TypeHint } from '../api/types.js';
export {
  AbstractRichFunction,
  RichMapFunction,
  RichFlatMapFunction,
  RichFilterFunction,
  RichReduceFunction,
  Configuration,
} from '../api/rich-functions.js';
export type { OpenContext } from '../api/rich-functions.js';
export {
  ProcessFunction,
  KeyedProcessFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
  ProcessJoinFunction,
} from '../datastream/process-functions.js';
export {
  ProcessWindowFunction,
  ProcessAllWindowFunction,
  WindowFunction,
  AllWindowFunction,
} from '../datastream/window-function-classes.js';
export { RichSourceFunction, RichParallelSourceFunction, Watermark } from '../api/source-functions.js';
export type { SourceFunction, SourceContext } from '../api/source-functions.js';
export { RichSinkFunction } from '../api/sink-functions.js';
export type { SinkFunction, SinkFunctionContext } from '../api/sink-functions.js';
/** The function-or-object forms the API accepts where Flink names a class (lambdas, object literals, class instances). */
export type {
  ProcessFunction as ProcessFunctionLike,
  KeyedProcessFunction as KeyedProcessFunctionLike,
  CoProcessFunction as CoProcessFunctionLike,
  KeyedCoProcessFunction as KeyedCoProcessFunctionLike,
  BroadcastProcessFunction as BroadcastProcessFunctionLike,
  KeyedBroadcastProcessFunction as KeyedBroadcastProcessFunctionLike,
} from '../api/functions.js';
export type { ProcessWindowFunction as ProcessWindowFunctionLike } from '../../operators/windows/index.js';
export type { ProcessAllWindowFunction as ProcessAllWindowFunctionLike } from '../datastream/windowed-stream.js';
export type { ProcessJoinFunction as ProcessJoinFunctionLike } from '../../operators/joins/interval-join-operator.js';
export type { StreamRecord, StreamElement } from '../api/elements.js';
export type * from '../api/operator.js';
export { AbstractUdfOperator } from '../api/abstract-operator.js';
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
export { ModelTraining } from '../datastream/model-training.js';
export type {
  OffThreadTrainingOptions,
  TrainedModel,
  TrainingRequest,
} from '../../operators/ml/training-operator.js';
export { MODEL_STATUS_TAG, NO_MODEL_TAG, SHADOW_TAG, DEFAULT_MODEL_KEY } from '../../operators/ml/serving-operator.js';
export type { RolloutOptions } from '../../operators/ml/rollout.js';
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
export { ParameterTool } from '../api/parameter-tool.js';
export {
  DeltaTrigger,
  ProcessingTimeoutTrigger,
  DeltaEvictor,
  EuclideanDistance,
} from '../../operators/windows/index.js';
export type { DeltaFunction } from '../../operators/windows/index.js';
export type { DurationLike } from '../api/duration-like.js';
export { AsyncDataStream } from '../datastream/async-data-stream.js';
export { TimeUnit } from '../api/time-unit.js';
export { AsyncRetryStrategies, RetryPredicates } from '../../operators/async/retry-strategies.js';
export type { AsyncRetryStrategy, AsyncRetryPredicate } from '../../operators/async/retry-strategies.js';
export type { AsyncFunction, AsyncFunctionObject, ResultFuture } from '../../operators/async/async-function.js';
export { RichAsyncFunction } from '../../operators/async/async-function.js';
export { CoGroupedStreams, JoinedStreams } from '../datastream/co-grouped-streams.js';
export type {
  CoGroupFunction,
  FlatJoinFunction,
  JoinFunction,
} from '../../operators/windows/co-group-window-function.js';
export { TextLineInputFormat } from '../../operators/sources/text-line-format.js';
export { SimpleStringEncoder } from '../../operators/sinks/row-encoders.js';
export type { Encoder } from '../../operators/sinks/row-encoders.js';
