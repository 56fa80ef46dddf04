/**
 * Transaction requests: InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and TxnOffsetCommit
 * (all v0). Decoding/encoding only; the logic is the TransactionCoordinator's.
 * Invariant: every response carries the coordinator's error code unchanged, so fencing
 * (INVALID_PRODUCER_EPOCH) reaches the client.
 */
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { BrokerContext, RequestHeader } from './context.js';

export function initProducerId(ctx: BrokerContext, _req: RequestHeader, r: Reader, w: Writer): void {
  const transactionalId = r.nullableString();
  const timeoutMs = r.int32();
  const res = ctx.txns.initProducerId(transactionalId, timeoutMs);
  w.int32(0).int16(res.error).int64(res.producerId).int16(res.epoch);
}

export function addPartitionsToTxn(ctx: BrokerContext, _req: RequestHeader, r: Reader, w: Writer): void {
  const transactionalId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) }));
  const flat = topics.flatMap((t) => t.partitions.map((p): [string, number] => [t.name, p]));
  const codes = ctx.txns.addPartitions(transactionalId, producerId, epoch, flat);
  let i = 0;
  w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p).int16(codes[i++]!));
  });
}

export function addOffsetsToTxn(ctx: BrokerContext, _req: RequestHeader, r: Reader, w: Writer): void {
  const transactionalId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const group = r.string();
  w.int32(0).int16(ctx.txns.addOffsets(transactionalId, producerId, epoch, group));
}

export function endTxn(ctx: BrokerContext, _req: RequestHeader, r: Reader, w: Writer): void {
  const transactionalId = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const commit = r.bool();
  w.int32(0).int16(ctx.txns.endTxn(transactionalId, producerId, epoch, commit));
}

export function txnOffsetCommit(ctx: BrokerContext, _req: RequestHeader, r: Reader, w: Writer): void {
  const transactionalId = r.string();
  const group = r.string();
  const producerId = r.int64();
  const epoch = r.int16();
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => ({ index: r.int32(), offset: r.int64(), metadata: r.nullableString() })),
  }));
  const offsets = topics.flatMap((t) =>
    t.partitions.map((p) => ({ topic: t.name, partition: p.index, offset: p.offset, metadata: p.metadata })),
  );
  const error = ctx.txns.txnOffsetCommit(transactionalId, producerId, epoch, group, offsets);
  w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => w.int32(p.index).int16(error));
  });
}
