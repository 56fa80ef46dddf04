/**
 * A correct read_committed filter for kafkajs 2.x, installed once per process (details and evidence:
 * README, "kafkajs's read_committed filter"). kafkajs's own filter assumes the aborted-transaction list
 * is sorted and activates one entry per message, so overlapping aborted transactions leak records.
 * This wraps `Broker.prototype.fetch` and filters read_committed responses as the Java consumer does:
 * entries by first offset; producers marked aborted up to each batch's last offset; a transactional batch
 * of a marked producer dropped; its ABORT marker clears the mark. Dropped records are flagged as control
 * records (kafkajs skips them but still moves past their offsets) and the aborted list is emptied.
 *
 * Invariants: read_uncommitted fetches and responses without aborted transactions are untouched;
 * committed and non-transactional records are never dropped; installing twice is a no-op.
 */
import { createRequire } from 'node:module';

interface FetchedMessage {
  offset: string;
  key: Buffer | null;
  isControlRecord: boolean;
  batchContext: { firstOffset: string; lastOffsetDelta: number; producerId: string; inTransaction: boolean };
}

interface FetchedPartition {
  abortedTransactions?: Array<{ producerId: string; firstOffset: string }> | null;
  messages?: FetchedMessage[];
}

interface FetchResponse {
  responses?: Array<{ partitions?: FetchedPartition[] }>;
}

const INSTALLED = Symbol.for('sluice.kafkajs.readCommittedFix');
const READ_COMMITTED = 1;

/** True for a control record whose key says ABORT (version int16, type int16 = 0). */
function isAbortMarker(m: FetchedMessage): boolean {
  return m.isControlRecord && m.key !== null && m.key.length >= 4 && m.key.readInt16BE(2) === 0;
}

/** Flags the records of aborted transactions in one partition's fetched messages (Java consumer semantics). */
export function dropAborted(partition: FetchedPartition): number {
  const aborted = partition.abortedTransactions;
  const messages = partition.messages;
  if (!aborted || aborted.length === 0 || !messages) return 0;
  const queue = aborted
    .map((a) => ({ producerId: String(a.producerId), firstOffset: BigInt(a.firstOffset) }))
    .sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  const abortedProducers = new Set<string>();
  let next = 0;
  let dropped = 0;
  for (const m of messages) {
    const ctx = m.batchContext;
    const batchLast = BigInt(ctx.firstOffset) + BigInt(ctx.lastOffsetDelta);
    while (next < queue.length && queue[next]!.firstOffset <= batchLast)
      abortedProducers.add(queue[next++]!.producerId);
    const producerId = String(ctx.producerId);
    if (m.isControlRecord) {
      if (isAbortMarker(m)) abortedProducers.delete(producerId);
    } else if (ctx.inTransaction && abortedProducers.has(producerId)) {
      m.isControlRecord = true; // skipped by kafkajs like a marker, and its offset still consumed
      dropped++;
    }
  }
  partition.abortedTransactions = [];
  return dropped;
}

/** Installs the filter into the kafkajs that `import 'kafkajs'` resolves to from here (idempotent). */
export function installReadCommittedFix(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[INSTALLED]) return;
  const require = createRequire(import.meta.url);
  const Broker = require('kafkajs/src/broker/index.js') as {
    prototype: { fetch(args: { isolationLevel?: number }): Promise<FetchResponse> };
  };
  const original = Broker.prototype.fetch;
  Broker.prototype.fetch = async function fetch(
    this: unknown,
    args: { isolationLevel?: number },
  ): Promise<FetchResponse> {
    const response = await original.call(this, args);
    if (args?.isolationLevel === READ_COMMITTED)
      for (const topic of response?.responses ?? []) for (const p of topic.partitions ?? []) dropAborted(p);
    return response;
  };
  g[INSTALLED] = true;
}
