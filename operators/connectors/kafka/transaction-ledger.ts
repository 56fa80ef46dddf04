/**
 * The commit ledger (EXACTLY_ONCE): every transaction commits, atomically with its records, a
 * transactional offset for group `<prefix>-ledger-<subtask>` on partition 0 of the ledger topic, with
 * offset = checkpoint id and metadata = `<jobId> <token>`. After a crash the committer reads it to tell
 * whether a restored committable was already committed (kafkajs cannot resume a transaction, so an
 * uncommitted one is replayed, and the ledger is what keeps a replay from duplicating).
 *
 * Invariants: a committable counts as committed iff the ledger's token is its token, or the ledger was
 * written by the same job for a later checkpoint (one subtask's transactions commit in checkpoint order;
 * across jobs — a restore from a savepoint may branch — only the token is trusted).
 */
import type { Admin, Transaction } from 'kafkajs';
import type { KafkaCommittable } from './kafka-sink-config.js';

export function ledgerGroup(prefix: string, subtaskIndex: number): string {
  return `${prefix}-ledger-${subtaskIndex}`;
}

/** Writes the ledger entry of `c` inside its transaction. */
export async function writeLedger(
  txn: Transaction,
  prefix: string,
  ledgerTopic: string,
  c: Pick<KafkaCommittable, 'subtaskIndex' | 'checkpointId' | 'jobId' | 'token'>,
): Promise<void> {
  await txn.sendOffsets({
    consumerGroupId: ledgerGroup(prefix, c.subtaskIndex),
    topics: [
      {
        topic: ledgerTopic,
        partitions: [
          { partition: 0, offset: String(c.checkpointId), metadata: `${c.jobId} ${c.token}` } as {
            partition: number;
            offset: string;
          },
        ],
      },
    ],
  });
}

export async function isCommitted(
  admin: Admin,
  prefix: string,
  ledgerTopic: string,
  c: KafkaCommittable,
): Promise<boolean> {
  const res = await admin.fetchOffsets({ groupId: ledgerGroup(prefix, c.subtaskIndex), topics: [ledgerTopic] });
  const entry = res.find((r) => r.topic === ledgerTopic)?.partitions.find((p) => p.partition === 0);
  if (!entry || Number(entry.offset) < 0) return false;
  const [jobId, token] = (entry.metadata ?? '').split(' ');
  if (token === c.token) return true;
  return jobId === c.jobId && Number(entry.offset) > c.checkpointId;
}
