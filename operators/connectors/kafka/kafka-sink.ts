/**
 * KafkaSink (Flink's name): a Sink V2 over kafkajs with Flink's three delivery guarantees — NONE and
 * AT_LEAST_ONCE through PlainKafkaWriter, EXACTLY_ONCE through TransactionalKafkaWriter and
 * KafkaCommitter (one transaction per checkpoint, committed when the checkpoint completes).
 *
 * Invariants: the writers and committer of one sink instance share its LiveTransactions (a subtask's
 * writer and committer always run in the same process); every client a writer or committer creates is
 * disconnected by its `close`.
 */
import type { Committer, Sink, SinkWriter, SinkWriterContext } from '../../../runtime/api/source.js';
import { boolProperty, createKafka, intProperty } from './kafka-client.js';
import type { KafkaCommittable, KafkaSinkConfig, KafkaWriterState } from './kafka-sink-config.js';
import { KafkaSinkBuilder } from './kafka-sink-builder.js';
import { LiveTransactions } from './live-transactions.js';
import { PlainKafkaWriter } from './plain-writer.js';
import { KafkaCommitter } from './transaction-committer.js';
import { TransactionalKafkaWriter } from './transactional-writer.js';

export class KafkaSink<T> implements Sink<T, KafkaCommittable, KafkaWriterState> {
  private readonly live = new LiveTransactions();
  /** The committers created so far (their stats are observable in tests). */
  readonly committers: KafkaCommitter<T>[] = [];

  static builder<T>(): KafkaSinkBuilder<T> {
    return new KafkaSinkBuilder<T>((config) => new KafkaSink<T>(config));
  }

  constructor(readonly config: KafkaSinkConfig<T>) {}

  describe(): string {
    const topic = this.config.serializer.topic;
    return `KafkaSink: ${typeof topic === 'string' ? topic : 'topic per record'}`;
  }

  private get transactionTimeoutMs(): number {
    return intProperty(this.config.properties, 'transaction.timeout.ms', 60_000);
  }

  async createWriter(
    ctx: SinkWriterContext,
    restoredState: KafkaWriterState[],
  ): Promise<SinkWriter<T, KafkaCommittable, KafkaWriterState>> {
    const p = this.config.properties;
    const kafka = createKafka(this.config.bootstrapServers, p, `writer-${ctx.subtaskIndex}`);
    const batchSize = intProperty(p, 'sluice.batch.records', 500);
    const lingerMs = intProperty(p, 'linger.ms', 20);
    if (this.config.deliveryGuarantee !== 'EXACTLY_ONCE')
      return new PlainKafkaWriter<T>(kafka, this.config, batchSize, lingerMs) as SinkWriter<
        T,
        KafkaCommittable,
        KafkaWriterState
      >;
    return TransactionalKafkaWriter.create<T>(kafka, this.config, ctx, restoredState, this.live, {
      batchSize,
      lingerMs,
      transactionTimeoutMs: this.transactionTimeoutMs,
      replayOnRecovery: boolProperty(p, 'transaction.replay-on-recovery', true),
      abortWindow: intProperty(p, 'transaction.abort.window', 10),
    });
  }

  createCommitter(ctx: SinkWriterContext): Committer<KafkaCommittable> {
    if (this.config.deliveryGuarantee !== 'EXACTLY_ONCE') return { commit() {} };
    const c = new KafkaCommitter<T>(
      createKafka(this.config.bootstrapServers, this.config.properties, `committer-${ctx.subtaskIndex}`),
      this.config,
      this.live,
      this.transactionTimeoutMs,
    );
    this.committers.push(c);
    return c;
  }
}
