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
