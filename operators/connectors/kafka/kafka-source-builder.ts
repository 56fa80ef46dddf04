/**
 * KafkaSourceBuilder (Flink's KafkaSourceBuilder): collects bootstrap servers, topics or a topic pattern,
 * group id, starting and (bounded) stopping offsets, a deserializer and string properties, validates
 * them in `build()` and hands the frozen config to the KafkaSource factory.
 *
 * Invariants: `build()` throws KAFKA_CONFIG for a missing bootstrap server list, topic selection or
 * deserializer, or for both topics and a pattern; the builder may be reused, each build freezes a copy.
 */
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { parseBootstrapServers } from './kafka-client.js';
import type { KafkaRecordDeserializer, ValueDeserializer } from './kafka-record.js';
import type { KafkaSourceConfig } from './kafka-source-config.js';
import { OffsetsInitializer } from './offsets-initializer.js';
import type { KafkaSource } from './kafka-source.js';

export class KafkaSourceBuilder<T> {
  private servers?: string[];
  private topics?: string[];
  private pattern?: RegExp;
  private groupId?: string;
  private starting: OffsetsInitializer = OffsetsInitializer.earliest();
  private stopping?: OffsetsInitializer;
  private deserializer?: KafkaRecordDeserializer<unknown>;
  private readonly props: Record<string, string> = {};

  constructor(private readonly create: (config: KafkaSourceConfig<T>) => KafkaSource<T>) {}

  setBootstrapServers(servers: string | string[]): this {
    this.servers = parseBootstrapServers(servers);
    return this;
  }

  setTopics(...topics: Array<string | string[]>): this {
    this.topics = topics.flat();
    return this;
  }

  setTopicPattern(pattern: RegExp): this {
    this.pattern = pattern;
    return this;
  }

  setGroupId(groupId: string): this {
    this.groupId = groupId;
    return this;
  }

  /** Default: earliest. */
  setStartingOffsets(init: OffsetsInitializer): this {
    this.starting = init;
    return this;
  }

  /** Bounded mode: each partition stops at the offset `init` resolves to when the job starts. */
  setBounded(init: OffsetsInitializer): this {
    this.stopping = init;
    return this;
  }

  setValueOnlyDeserializer<U>(fn: ValueDeserializer<U>): KafkaSourceBuilder<U> {
    this.deserializer = (r) => fn(r.value);
    return this as unknown as KafkaSourceBuilder<U>;
  }

  setDeserializer<U>(fn: KafkaRecordDeserializer<U>): KafkaSourceBuilder<U> {
    this.deserializer = fn;
    return this as unknown as KafkaSourceBuilder<U>;
  }

  /**
   * Kafka/connector properties: `isolation.level` (read_uncommitted | read_committed, default
   * read_uncommitted), `commit.offsets.on.checkpoint` (default false), `fetch.max.wait.ms`,
   * `max.partition.fetch.bytes`, `client.id`, `kafkajs.log.level`, `sluice.poll.batch.size`,
   * `sluice.fetch.queue.records`.
   */
  setProperty(key: string, value: string): this {
    this.props[key] = value;
    return this;
  }

  build(): KafkaSource<T> {
    if (!this.servers) throw new SluiceError('KAFKA_CONFIG', 'KafkaSource: setBootstrapServers(…) is required');
    if (this.topics?.length && this.pattern)
      throw new SluiceError('KAFKA_CONFIG', 'KafkaSource: set either topics or a topic pattern, not both');
    if (!this.topics?.length && !this.pattern)
      throw new SluiceError('KAFKA_CONFIG', 'KafkaSource: setTopics(…) or setTopicPattern(…) is required');
    if (!this.deserializer)
      throw new SluiceError(
        'KAFKA_CONFIG',
        'KafkaSource: setValueOnlyDeserializer(…) or setDeserializer(…) is required',
      );
    const iso = this.props['isolation.level'];
    if (iso !== undefined && iso !== 'read_committed' && iso !== 'read_uncommitted')
      throw new SluiceError(
        'KAFKA_CONFIG',
        `KafkaSource: isolation.level=${iso} is not read_committed or read_uncommitted`,
      );
    if (this.starting.kind === 'committed' && !this.groupId)
      throw new SluiceError('KAFKA_CONFIG', 'KafkaSource: committedOffsets() needs setGroupId(…)');
    const config: KafkaSourceConfig<T> = Object.freeze({
      bootstrapServers: [...this.servers],
      topics: this.topics ? [...this.topics] : undefined,
      topicPattern: this.pattern,
      groupId: this.groupId,
      startingOffsets: this.starting,
      stoppingOffsets: this.stopping,
      bounded: this.stopping !== undefined,
      deserializer: this.deserializer as KafkaRecordDeserializer<T>,
      properties: Object.freeze({ ...this.props }),
    });
    return this.create(config);
  }
}
