/**
 * Produce v3: validates each partition's record batches (magic 2, CRC-32C), enforces idempotent sequence
 * numbers and transactional fencing, appends to the partition log and answers base offsets.
 * Invariants: a partition's batches are appended all-or-nothing (the first failing check rejects the whole
 * partition's records); a duplicate of one of the producer's last five batches is answered with its
 * original base offset and not appended again; acks=0 gets no response.
 */
import { ErrorCode } from '../protocol/api-keys.js';
import { BatchError, parseBatches, type BatchHeader } from '../protocol/record-batch.js';
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { PartitionLog } from '../partition-log.js';
import type { BrokerContext, RequestHeader } from './context.js';

interface PartitionResult {
  index: number;
  error: number;
  baseOffset: number;
}

function produceTo(
  ctx: BrokerContext,
  log: PartitionLog,
  records: Buffer | null,
  transactionalId: string | null,
): PartitionResult {
  const fail = (error: number): PartitionResult => ({ index: log.partition, error, baseOffset: -1 });
  let batches: BatchHeader[];
  try {
    batches = records === null ? [] : parseBatches(records);
  } catch (e) {
    if (e instanceof BatchError || e instanceof RangeError) return fail(ErrorCode.CORRUPT_MESSAGE);
    throw e;
  }
  if (batches.length === 0) return { index: log.partition, error: ErrorCode.NONE, baseOffset: log.logEndOffset };
  const toAppend: BatchHeader[] = [];
  let duplicateOffset: number | null = null;
  for (const b of batches) {
    if (b.isControl) return fail(ErrorCode.INVALID_REQUEST);
    if (b.isTransactional) {
      if (transactionalId === null) return fail(ErrorCode.INVALID_TXN_STATE);
      const err = ctx.txns.checkProduce(transactionalId, b.producerId, b.producerEpoch, log.topic, log.partition);
      if (err !== ErrorCode.NONE) return fail(err);
    }
    const check = log.checkSequence(b);
    if ('error' in check) return fail(check.error);
    if ('duplicateOffset' in check) {
      duplicateOffset ??= check.duplicateOffset;
      continue;
    }
    toAppend.push(b);
  }
  if (toAppend.length === 0)
    return { index: log.partition, error: ErrorCode.NONE, baseOffset: duplicateOffset ?? log.logEndOffset };
  const baseOffset = log.append(toAppend);
  return { index: log.partition, error: ErrorCode.NONE, baseOffset: duplicateOffset ?? baseOffset };
}

export function produce(ctx: BrokerContext, _req: RequestHeader, r: Reader, w: Writer): boolean {
  const transactionalId = r.nullableString();
  const acks = r.int16();
  r.int32(); // timeout
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => ({ index: r.int32(), records: r.nullableBytes() })),
  }));
  let appended = false;
  const results = topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): PartitionResult => {
      if (acks !== 0 && acks !== 1 && acks !== -1)
        return { index: p.index, error: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1 };
      const log = ctx.logs.partition(t.name, p.index);
      if (log === undefined) return { index: p.index, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1 };
      const before = log.logEndOffset;
      const res = produceTo(ctx, log, p.records, transactionalId);
      if (log.logEndOffset !== before) appended = true;
      return res;
    }),
  }));
  if (appended) ctx.logs.notifyAppend();
  if (acks === 0) return false;
  w.array(results, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.index).int16(p.error).int64(p.baseOffset).int64(-1));
  });
  w.int32(0);
  return true;
}
