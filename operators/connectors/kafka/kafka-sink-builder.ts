/**
 * KafkaSinkBuilder (Flink's KafkaSinkBuilder): bootstrap servers, record serializer, delivery guarantee
 * (default NONE, as in Flink), transactional id prefix and properties; `build()` validates and freezes.
 *
 * Invariants: EXACTLY_ONCE requires a transactional id prefix (unique per job: two jobs sharing one
 * fence each other) and a ledger topic — the serializer's fixed topic, or `transaction.ledger.topic`
 * when the topic is chosen per record; violations throw KAFKA_CONFIG.
 */
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { parseBootstrapServers } from './kafka-client.js';
import { validateSerializer, type KafkaRecordSerializer } from './kafka-record-serializer.js';
import type { DeliveryGuarantee, KafkaSinkConfig } from './kafka-sink-config.js';
import type { KafkaSink } from './kafka-sink.js';

const GUARANTEES: readonly DeliveryGuarantee[] = ['NONE', 'AT_LEAST_ONCE', 'EXACTLY_ONCE'];

export class KafkaSinkBuilder<T> {
  private servers?: string[];
  private serializer?: KafkaRecordSerializer<T>;
  private guarantee: DeliveryGuarantee = 'NONE';
  private prefix?: string;
  private readonly props: Record<string, string> = {};

  constructor(private readonly create: (config: KafkaSinkConfig<T>) => KafkaSink<T>) {}

  setBootstrapServers(servers: string | string[]): this {
    this.servers = parseBootstrapServers(servers);
    return this;
  }

  setRecordSerializer<U extends T>(serializer: KafkaRecordSerializer<U>): KafkaSinkBuilder<U> {
    (this as unknown as KafkaSinkBuilder<U>).serializer = serializer;
    return this as unknown as KafkaSinkBuilder<U>;
  }

  setDeliveryGuarantee(guarantee: DeliveryGuarantee): this {
    if (!GUARANTEES.includes(guarantee))
      throw new SluiceError(
        'KAFKA_CONFIG',
        `KafkaSink: delivery guarantee ${guarantee} is not one of ${GUARANTEES.join(', ')}`,
      );
    this.guarantee = guarantee;
    return this;
  }

  setTransactionalIdPrefix(prefix: string): this {
    if (!prefix || /\s/.test(prefix))
      throw new SluiceError(
        'KAFKA_CONFIG',
        `KafkaSink: transactional id prefix "${prefix}" must be non-empty without whitespace`,
      );
    this.prefix = prefix;
    return this;
  }

  /**
   * Properties: `transaction.timeout.ms` (60000), `transaction.replay-on-recovery` (true),
   * `transaction.abort.window` (10), `transaction.ledger.topic`, `linger.ms` (20),
   * `sluice.batch.records` (500), `client.id`, `kafkajs.log.level`, `retries`, `retry.backoff.ms`.
   */
  setProperty(key: string, value: string): this {
    this.props[key] = value;
    return this;
  }

  build(): KafkaSink<T> {
    if (!this.servers) throw new SluiceError('KAFKA_CONFIG', 'KafkaSink: setBootstrapServers(…) is required');
    const serializer = validateSerializer(this.serializer);
    let ledgerTopic: string | undefined;
    if (this.guarantee === 'EXACTLY_ONCE') {
      if (!this.prefix)
        throw new SluiceError('KAFKA_CONFIG', 'KafkaSink: EXACTLY_ONCE needs setTransactionalIdPrefix(…)');
      ledgerTopic =
        this.props['transaction.ledger.topic'] ?? (typeof serializer.topic === 'string' ? serializer.topic : undefined);
      if (!ledgerTopic)
        throw new SluiceError(
          'KAFKA_CONFIG',
          'KafkaSink: EXACTLY_ONCE with a topic per record needs the property transaction.ledger.topic',
        );
    }
    return this.create(
      Object.freeze({
        bootstrapServers: [...this.servers],
        serializer,
        deliveryGuarantee: this.guarantee,
        transactionalIdPrefix: this.prefix,
        ledgerTopic,
        properties: Object.freeze({ ...this.props }),
      }),
    );
  }
}
