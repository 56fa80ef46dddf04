/**
 * KafkaRecord: what a source deserializer sees (Flink's ConsumerRecord, trimmed) and the deserializer
 * types. Keys, values and header values are the raw bytes kafkajs returns.
 *
 * Invariant: `timestamp` is the record's Kafka timestamp in epoch milliseconds (create or log-append
 * time, whichever the topic uses) and becomes the stream record's timestamp.
 */
import type { IHeaders } from 'kafkajs';

export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Full-record deserializer (Flink's KafkaRecordDeserializationSchema, one value per record). */
export type KafkaRecordDeserializer<T> = (record: KafkaRecord) => T;

/** Value-only deserializer (Flink's setValueOnlyDeserializer). */
export type ValueDeserializer<T> = (value: Buffer | null) => T;
