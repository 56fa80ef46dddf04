/**
 * KafkaCommitter: commits EXACTLY_ONCE committables. A committable whose transaction is still live in
 * this process (LiveTransactions) is committed through its producer. Otherwise — after a crash or
 * restart, or when the live commit fails because the transaction was fenced or timed out — kafkajs
 * cannot resume the transaction (it has no API to adopt a producer id and epoch), so the committer
 * re-initialises the transactional id (fencing any zombie and aborting what it left open), consults the
 * ledger and, if the transaction had not been committed, replays the committable's records in a new
 * transaction together with its ledger entry.
 *
 * Invariants: idempotent — a committable already committed (ledger) is skipped, so committing twice is
 * not an error; committables are committed in checkpoint order; the ledger is re-read after fencing, so
 * no zombie can commit between the check and the replay. Without records
 * (`transaction.replay-on-recovery=false`) an uncommitted transaction cannot be recovered: the committer
 * reports it on stderr and moves on (those records are lost, as the broker aborted them).
 */
import type { Admin, Kafka, Message } from 'kafkajs';
import type { Committer } from '../../../runtime/api/source.js';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { toTopicMessages, type TopicMessage } from './kafka-record-serializer.js';
import type { KafkaCommittable, KafkaSinkConfig } from './kafka-sink-config.js';
import type { LiveTransactions } from './live-transactions.js';
import { isCommitted, writeLedger } from './transaction-ledger.js';

/** Statistics, for tests and logs. */
export interface CommitterStats {
  committedLive: number;
  /** Records of transactions whose commit was requested (counted before the request: an upper bound of what read_committed consumers may see). */
  recordsCommitting: number;
  skippedAlreadyCommitted: number;
  replayed: number;
  lost: number;
}

function asBuffer(v: unknown): Buffer | string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return String(v);
}

/** Restored committables went through msgpack: bytes may come back as Uint8Array. */
function revive(records: TopicMessage[]): TopicMessage[] {
  return records.map(({ topic, message }) => {
    const m: Message = { value: asBuffer(message.value) };
    if (message.key !== undefined) m.key = asBuffer(message.key);
    if (message.partition !== undefined) m.partition = message.partition;
    if (message.timestamp !== undefined) m.timestamp = message.timestamp;
    if (message.headers)
      m.headers = Object.fromEntries(
        Object.entries(message.headers).map(([k, v]) => [
          k,
          (Array.isArray(v) ? v.map((x) => asBuffer(x) ?? '') : (asBuffer(v) ?? undefined)) as Buffer,
        ]),
      );
    return { topic, message: m };
  });
}

export class KafkaCommitter<T> implements Committer<KafkaCommittable> {
  readonly stats: CommitterStats = {
    committedLive: 0,
    recordsCommitting: 0,
    skippedAlreadyCommitted: 0,
    replayed: 0,
    lost: 0,
  };
  private admin?: Admin;

  constructor(
    private readonly kafka: Kafka,
    private readonly config: KafkaSinkConfig<T>,
    private readonly live: LiveTransactions,
    private readonly transactionTimeoutMs: number,
  ) {}

  async commit(committables: KafkaCommittable[]): Promise<void> {
    for (const c of [...committables].sort((a, b) => a.checkpointId - b.checkpointId)) {
      const live = this.live.take(c.transactionalId, c.token);
      if (live) {
        this.stats.recordsCommitting += live.recordCount;
        try {
          await live.txn.commit();
          this.stats.committedLive++;
          await live.done();
          continue;
        } catch {
          await live.done();
          // fenced or timed out: recover below
        }
      }
      await this.recover(c);
    }
  }

  private async ledgerSays(c: KafkaCommittable): Promise<boolean> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    return isCommitted(this.admin, this.config.transactionalIdPrefix!, this.config.ledgerTopic!, c);
  }

  private async recover(c: KafkaCommittable): Promise<void> {
    const producer = this.kafka.producer({
      transactionalId: c.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.transactionTimeoutMs,
    });
    try {
      await producer.connect();
      const txn = await producer.transaction(); // fences the original producer: its transaction is aborted now
      if (await this.ledgerSays(c)) {
        await txn.abort();
        this.stats.skippedAlreadyCommitted++;
        return;
      }
      if (!c.records) {
        await txn.abort();
        this.stats.lost++;
        process.stderr.write(
          `KafkaSink: transaction ${c.transactionalId} of checkpoint ${c.checkpointId} was not committed before a failure and holds no records to replay (transaction.replay-on-recovery=false); its records are lost\n`,
        );
        return;
      }
      const records = revive(c.records);
      this.stats.recordsCommitting += records.length;
      for (let i = 0; i < records.length; i += 1000)
        await txn.sendBatch({ topicMessages: toTopicMessages(records.slice(i, i + 1000)) });
      await writeLedger(txn, this.config.transactionalIdPrefix!, this.config.ledgerTopic!, c);
      await txn.commit();
      this.stats.replayed++;
    } catch (e) {
      throw new SluiceError(
        'TASK_FAILED',
        `KafkaSink: recovering transaction ${c.transactionalId} of checkpoint ${c.checkpointId} failed: ${(e as Error)?.message ?? e}`,
        { cause: e },
      );
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
