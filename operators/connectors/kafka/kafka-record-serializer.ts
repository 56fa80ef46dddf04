/**
 * KafkaRecordSerializer (Flink's KafkaRecordSerializationSchema): turns a stream element into the topic,
 * key, value, headers (e.g. model name and version) and optional partition of a Kafka record. The
 * stream record's timestamp becomes the Kafka record's timestamp when it has one.
 *
 * Invariants: serialization is pure (the same element always gives the same record, so a replayed
 * transaction writes what the original would have); the produced message is plain data (Buffers and
 * strings) and can be kept in checkpointed state.
 */
import type { Message } from 'kafkajs';
import { SluiceError } from '../../../runtime/errors/catalogue.js';

export type Bytes = Buffer | string | null;

export interface KafkaRecordSerializer<T> {
  /** A fixed topic, or a topic per element. */
  topic: string | ((value: T) => string);
  serializeKey?: (value: T) => Bytes;
  serializeValue: (value: T) => Bytes;
  headers?: (value: T) => Record<string, string | Buffer>;
  /** Explicit partition; default: Kafka's default partitioner (murmur2 of the key, or spread). */
  partition?: (value: T) => number | undefined;
}

/** A message with its topic: what a writer sends and what a replayable committable keeps. */
export interface TopicMessage {
  topic: string;
  message: Message;
}

export function validateSerializer<T>(s: KafkaRecordSerializer<T> | undefined): KafkaRecordSerializer<T> {
  if (!s) throw new SluiceError('KAFKA_CONFIG', 'KafkaSink: setRecordSerializer(…) is required');
  if (typeof s.serializeValue !== 'function')
    throw new SluiceError('KAFKA_CONFIG', 'KafkaSink: the record serializer needs serializeValue');
  if (typeof s.topic !== 'function' && !s.topic)
    throw new SluiceError('KAFKA_CONFIG', 'KafkaSink: the record serializer needs a topic');
  return s;
}

export function serialize<T>(s: KafkaRecordSerializer<T>, value: T, timestamp: number): TopicMessage {
  const message: Message = { value: s.serializeValue(value) };
  if (s.serializeKey) message.key = s.serializeKey(value);
  if (s.headers) message.headers = s.headers(value);
  const partition = s.partition?.(value);
  if (partition !== undefined) message.partition = partition;
  if (Number.isFinite(timestamp)) message.timestamp = String(Math.trunc(timestamp));
  return { topic: typeof s.topic === 'function' ? s.topic(value) : s.topic, message };
}

/** Groups consecutive messages by topic for kafkajs `sendBatch`, keeping order within each topic. */
export function toTopicMessages(batch: TopicMessage[]): Array<{ topic: string; messages: Message[] }> {
  const byTopic = new Map<string, Message[]>();
  for (const m of batch) {
    let list = byTopic.get(m.topic);
    if (!list) byTopic.set(m.topic, (list = []));
    list.push(m.message);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
