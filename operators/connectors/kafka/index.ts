/**
 * Public entry of the Kafka connectors: KafkaSource and KafkaSink builders, OffsetsInitializer and the
 * types a job needs (splits, records, serializers, committables).
 */
export { KafkaSource } from './kafka-source.js';
export { KafkaSourceBuilder } from './kafka-source-builder.js';
export { OffsetsInitializer } from './offsets-initializer.js';
export type { OffsetResetStrategy, TopicPartitionOffset } from './offsets-initializer.js';
export type { KafkaPartitionSplit } from './kafka-partition-split.js';
export type { KafkaRecord, KafkaRecordDeserializer, ValueDeserializer } from './kafka-record.js';
export type { KafkaSourceConfig } from './kafka-source-config.js';
export { KafkaSink } from './kafka-sink.js';
export { KafkaSinkBuilder } from './kafka-sink-builder.js';
export type { DeliveryGuarantee, KafkaCommittable, KafkaSinkConfig, KafkaWriterState } from './kafka-sink-config.js';
export type { Bytes, KafkaRecordSerializer, TopicMessage } from './kafka-record-serializer.js';
export type { CommitterStats } from './transaction-committer.js';
export {
  ModelTopicSource,
  MODEL_TOPIC_END_HEADER,
  decodeModelRecord,
  endOfModels,
  modelTopicSerializer,
} from './model-topic-source.js';
export type {
  DescriptorFormat,
  ModelTopicEntry,
  ModelTopicMessage,
  ModelTopicSourceOptions,
  ModelTopicSplit,
} from './model-topic-source.js';
