/**
 * The immutable configuration a KafkaSourceBuilder produces and a KafkaSource and its readers share.
 *
 * Invariant: exactly one of `topics` (non-empty) and `topicPattern` is set; `bounded` is true iff
 * `stoppingOffsets` is set.
 */
import type { KafkaProperties } from './kafka-client.js';
import type { KafkaRecordDeserializer } from './kafka-record.js';
import type { OffsetsInitializer } from './offsets-initializer.js';

export interface KafkaSourceConfig<T> {
  readonly bootstrapServers: string[];
  readonly topics?: readonly string[];
  readonly topicPattern?: RegExp;
  readonly groupId?: string;
  readonly startingOffsets: OffsetsInitializer;
  readonly stoppingOffsets?: OffsetsInitializer;
  readonly bounded: boolean;
  readonly deserializer: KafkaRecordDeserializer<T>;
  readonly properties: KafkaProperties;
}
