/**
 * Aborts the transactions a crashed run may have left open (EXACTLY_ONCE restore). Initialising a
 * producer with a transactional id (InitProducerId) bumps its epoch, which fences the old producer and
 * aborts its open transaction. Transaction names are `<prefix>-<subtask>-<n>` with n = the checkpoint
 * after which the transaction started, so after a restore of checkpoint C the candidates are n in
 * (C - window, C + window] for every old subtask this new subtask is responsible for: its own index
 * and, after a scale-in, every old index j >= new parallelism with j % newParallelism == own index.
 * Ids at or below C are the restored committables' transactions: aborting them here is what the
 * committer's recovery would do anyway (kafkajs cannot resume them; the committer replays or skips).
 *
 * Invariants: runs before the writer opens its first transaction; aborts one id at a time in the order
 * the transactions started (by n, then subtask) — kafkajs's read_committed consumer assumes the aborted
 * transactions of a fetch come in first-offset order (filterAbortedMessages takes the list as sorted;
 * brokers list them in abort order), so aborting a later transaction first can make aborted records
 * visible to kafkajs consumers.
 * Limitation: kafkajs does not expose the epoch InitProducerId returns, so unused ids cannot be told
 * apart from used ones and the whole window is probed.
 */
import type { Kafka } from 'kafkajs';
import type { KafkaWriterState } from './kafka-sink-config.js';

export function transactionalId(prefix: string, subtaskIndex: number, n: number): string {
  return `${prefix}-${subtaskIndex}-${n}`;
}

/** The ids this subtask must abort on restore. */
export function lingeringIds(
  prefix: string,
  restored: KafkaWriterState[],
  subtaskIndex: number,
  parallelism: number,
  window: number,
): string[] {
  if (!restored.length) return [];
  const oldParallelism = Math.max(...restored.map((s) => s.parallelism));
  const checkpointId = Math.max(...restored.map((s) => s.checkpointId));
  const owners: number[] = [];
  for (let j = 0; j < oldParallelism; j++) {
    if (j === subtaskIndex || (j >= parallelism && j % parallelism === subtaskIndex)) owners.push(j);
  }
  const ids: string[] = [];
  for (let n = Math.max(1, checkpointId - window + 1); n <= checkpointId + window; n++)
    for (const j of owners) ids.push(transactionalId(prefix, j, n));
  return ids;
}

export async function abortLingering(kafka: Kafka, ids: string[], transactionTimeoutMs: number): Promise<void> {
  const one = async (id: string) => {
    const p = kafka.producer({
      transactionalId: id,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: transactionTimeoutMs,
    });
    await p.connect();
    try {
      const txn = await p.transaction(); // InitProducerId: fences the previous producer, aborts its transaction
      await txn.abort();
    } finally {
      await p.disconnect().catch(() => undefined);
    }
  };
  for (const id of ids) await one(id); // in start order, one at a time (see the header)
}
