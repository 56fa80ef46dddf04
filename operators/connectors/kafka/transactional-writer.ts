/**
 * TransactionalKafkaWriter: the EXACTLY_ONCE writer. One Kafka transaction per checkpoint interval, with
 * its own transactional id `<prefix>-<subtask>-<n>` (n = the checkpoint after which it started, as in
 * Flink's KafkaSink) and its own kafkajs producer, because the transaction of checkpoint N stays open
 * until N completes while records of N+1 already flow into the next one. At the barrier
 * (`prepareCommit`) the writer waits for all sends, adds the ledger entry to the transaction and returns
 * the committable; the live transaction is handed to the committer through LiveTransactions.
 *
 * Invariants: a transaction is opened lazily by the first record after a barrier (no empty
 * transactions); records of one transaction are sent in order; the committable keeps the records for
 * replay after a crash unless `transaction.replay-on-recovery=false`; on restore, transactions a
 * crashed run may have left open are aborted before the first new one starts (lingering-transactions);
 * `close` aborts this writer's open and prepared transactions (a restore replays prepared ones).
 */
import type { Kafka, Producer, Transaction } from 'kafkajs';
import type { SinkWriter, SinkWriterContext } from '../../../runtime/api/source.js';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { platform } from '../../../runtime/platform/index.js';
import { serialize, toTopicMessages, type TopicMessage } from './kafka-record-serializer.js';
import type { KafkaCommittable, KafkaSinkConfig, KafkaWriterState } from './kafka-sink-config.js';
import { abortLingering, lingeringIds, transactionalId } from './lingering-transactions.js';
import type { LiveTransactions } from './live-transactions.js';
import { SendQueue } from './send-queue.js';
import { writeLedger } from './transaction-ledger.js';

export interface TransactionalWriterOptions {
  batchSize: number;
  lingerMs: number;
  transactionTimeoutMs: number;
  replayOnRecovery: boolean;
  abortWindow: number;
}

interface OpenTransaction {
  id: string;
  count: number;
  producer: Producer;
  txn: Promise<Transaction>;
  token: string;
  records?: TopicMessage[];
  queue: SendQueue;
}

function failed(what: string, e: unknown): SluiceError {
  return new SluiceError('TASK_FAILED', `KafkaSink (EXACTLY_ONCE): ${what}: ${(e as Error)?.message ?? e}`, {
    cause: e,
  });
}

export class TransactionalKafkaWriter<T> implements SinkWriter<T, KafkaCommittable, KafkaWriterState> {
  private current?: OpenTransaction;
  private nextName: number;
  private closed = false;
  /** Prepared transactions this writer handed to LiveTransactions: id → token. */
  private readonly prepared = new Map<string, string>();

  static async create<T>(
    kafka: Kafka,
    config: KafkaSinkConfig<T>,
    ctx: SinkWriterContext,
    restored: KafkaWriterState[],
    live: LiveTransactions,
    o: TransactionalWriterOptions,
  ): Promise<TransactionalKafkaWriter<T>> {
    const prefix = config.transactionalIdPrefix!;
    try {
      await abortLingering(
        kafka,
        lingeringIds(prefix, restored, ctx.subtaskIndex, ctx.parallelism, o.abortWindow),
        o.transactionTimeoutMs,
      );
    } catch (e) {
      throw failed('aborting lingering transactions', e);
    }
    const start = restored.length ? Math.max(...restored.map((s) => s.checkpointId)) + 1 : 1;
    return new TransactionalKafkaWriter(kafka, config, ctx, live, o, start);
  }

  private constructor(
    private readonly kafka: Kafka,
    private readonly config: KafkaSinkConfig<T>,
    private readonly ctx: SinkWriterContext,
    private readonly live: LiveTransactions,
    private readonly o: TransactionalWriterOptions,
    start: number,
  ) {
    this.nextName = start;
  }

  private begin(): OpenTransaction {
    const id = transactionalId(this.config.transactionalIdPrefix!, this.ctx.subtaskIndex, this.nextName);
    const producer = this.kafka.producer({
      transactionalId: id,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.o.transactionTimeoutMs,
      allowAutoTopicCreation: true,
    });
    const txn = producer.connect().then(() => producer.transaction());
    txn.catch(() => undefined); // surfaced through the queue or prepareCommit
    const queue = new SendQueue(
      async (batch) => {
        await (await txn).sendBatch({ topicMessages: toTopicMessages(batch) });
      },
      this.o.batchSize,
      this.o.lingerMs,
    );
    return {
      id,
      count: 0,
      producer,
      txn,
      token: platform.random.hex(16),
      records: this.o.replayOnRecovery ? [] : undefined,
      queue,
    };
  }

  /** Returns a promise (back-pressure) while too many batches wait for their send. */
  write(value: T, timestamp: number): Promise<void> | undefined {
    if (this.closed) throw new SluiceError('TASK_FAILED', 'KafkaSink: write after close');
    const cur = (this.current ??= this.begin());
    const m = serialize(this.config.serializer, value, timestamp);
    cur.records?.push(m);
    cur.count++;
    try {
      return cur.queue.add(m);
    } catch (e) {
      throw failed(`sending in transaction ${cur.id}`, e);
    }
  }

  async flush(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    try {
      await cur.queue.flush();
    } catch (e) {
      throw failed(`sending in transaction ${cur.id}`, e);
    }
  }

  async prepareCommit(checkpointId: number): Promise<KafkaCommittable[]> {
    const cur = this.current;
    if (checkpointId !== Number.MAX_SAFE_INTEGER) this.nextName = checkpointId + 1;
    if (!cur) return [];
    this.current = undefined;
    const c: KafkaCommittable = {
      transactionalId: cur.id,
      checkpointId,
      subtaskIndex: this.ctx.subtaskIndex,
      jobId: this.ctx.jobId,
      token: cur.token,
    };
    if (cur.records) c.records = cur.records;
    try {
      await cur.queue.flush();
      const txn = await cur.txn;
      await writeLedger(txn, this.config.transactionalIdPrefix!, this.config.ledgerTopic!, c);
      for (const [id, token] of this.prepared) if (!this.live.has(id, token)) this.prepared.delete(id); // committed since
      this.prepared.set(cur.id, cur.token);
      this.live.put(cur.id, {
        token: cur.token,
        producer: cur.producer,
        txn,
        recordCount: cur.count,
        done: () => cur.producer.disconnect().catch(() => undefined),
      });
    } catch (e) {
      await this.discard(cur);
      throw failed(`preparing transaction ${cur.id}`, e);
    }
    return [c];
  }

  snapshotState(checkpointId: number): KafkaWriterState[] {
    return [{ subtaskIndex: this.ctx.subtaskIndex, parallelism: this.ctx.parallelism, checkpointId }];
  }

  private async discard(t: {
    producer: Producer;
    txn: Promise<Transaction> | Transaction;
    queue?: SendQueue;
  }): Promise<void> {
    await t.queue?.cancel();
    try {
      const txn = await t.txn;
      if (txn.isActive()) await txn.abort();
    } catch {
      // fenced, timed out or never started: the broker aborts it (or a restore fences it)
    }
    await t.producer.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const open = this.current;
    this.current = undefined;
    const prepared = this.live.drain(this.prepared);
    await Promise.all([...(open ? [this.discard(open)] : []), ...prepared.map((p) => this.discard(p))]);
  }
}
