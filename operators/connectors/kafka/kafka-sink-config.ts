/**
 * The immutable configuration a KafkaSinkBuilder produces: servers, serializer, delivery guarantee,
 * transactional id prefix and properties; and the committable / writer-state types of the sink.
 *
 * Invariants: EXACTLY_ONCE has a non-empty `transactionalIdPrefix` and a `ledgerTopic`; committables
 * and writer state are plain data (they are stored in checkpoints).
 */
import type { KafkaProperties } from './kafka-client.js';
import type { KafkaRecordSerializer, TopicMessage } from './kafka-record-serializer.js';

export type DeliveryGuarantee = 'NONE' | 'AT_LEAST_ONCE' | 'EXACTLY_ONCE';

export interface KafkaSinkConfig<T> {
  readonly bootstrapServers: string[];
  readonly serializer: KafkaRecordSerializer<T>;
  readonly deliveryGuarantee: DeliveryGuarantee;
  readonly transactionalIdPrefix?: string;
  /** EXACTLY_ONCE: the topic whose partition 0 keys the commit ledger (the fixed topic by default). */
  readonly ledgerTopic?: string;
  readonly properties: KafkaProperties;
}

/**
 * One prepared transaction (EXACTLY_ONCE), the Sink V2 committable. kafkajs does not expose the producer
 * id and epoch, so they are not part of it; `records` (unless `transaction.replay-on-recovery` is false)
 * lets a committer that lost the producer replay the transaction.
 */
export interface KafkaCommittable {
  transactionalId: string;
  checkpointId: number;
  subtaskIndex: number;
  jobId: string;
  /** Unique per transaction; written into the ledger in the same transaction. */
  token: string;
  records?: TopicMessage[];
}

/** Writer state (EXACTLY_ONCE): enough to find the transactions a crashed run may have left open. */
export interface KafkaWriterState {
  subtaskIndex: number;
  parallelism: number;
  /** The checkpoint this state was taken at; transactions named after it may linger. */
  checkpointId: number;
}
