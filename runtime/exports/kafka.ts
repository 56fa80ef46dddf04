/**
 * `sluice/kafka`: the Kafka connector (Flink's flink-connector-kafka names) — source and sink with their
 * builders, offsets initializers, record (de)serializers, and the model topic source. The main entry
 * `sluice` re-exports the most used of these names as well.
 */
export * from '../../operators/connectors/kafka/index.js';
