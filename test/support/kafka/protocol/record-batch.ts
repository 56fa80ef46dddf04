/**
 * Record batch v2 (magic 2): header parsing, CRC-32C validation, base-offset assignment, control-batch
 * (commit/abort marker) construction and per-record timestamp scanning. Batches are stored exactly as the
 * producer wrote them; the broker rewrites only the base offset and partition leader epoch, which lie
 * outside the CRC-covered range, so the producer's CRC stays valid.
 * Invariants: a parsed batch's `buf` is an owned copy (never a view of a socket chunk); offsets of a batch
 * are baseOffset .. baseOffset + lastOffsetDelta inclusive.
 */
import { crc32c } from './crc32c.js';
import { Reader } from './reader.js';
import { Writer } from './writer.js';

export const BATCH_HEADER_SIZE = 61;
const OFF_BASE_OFFSET = 0;
const OFF_BATCH_LENGTH = 8;
const OFF_LEADER_EPOCH = 12;
const OFF_MAGIC = 16;
const OFF_CRC = 17;
const OFF_ATTRIBUTES = 21;
const OFF_LAST_OFFSET_DELTA = 23;
const OFF_BASE_TIMESTAMP = 27;
const OFF_MAX_TIMESTAMP = 35;
const OFF_PRODUCER_ID = 43;
const OFF_PRODUCER_EPOCH = 51;
const OFF_BASE_SEQUENCE = 53;
const OFF_RECORD_COUNT = 57;

const ATTR_COMPRESSION_MASK = 0x07;
const ATTR_TRANSACTIONAL = 0x10;
const ATTR_CONTROL = 0x20;

export interface BatchHeader {
  buf: Buffer;
  baseOffset: number;
  lastOffsetDelta: number;
  recordCount: number;
  attributes: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isTransactional: boolean;
  isControl: boolean;
}

export class BatchError extends Error {
  override name = 'BatchError';
}

export function readHeader(buf: Buffer): BatchHeader {
  const attributes = buf.readInt16BE(OFF_ATTRIBUTES);
  return {
    buf,
    baseOffset: Number(buf.readBigInt64BE(OFF_BASE_OFFSET)),
    lastOffsetDelta: buf.readInt32BE(OFF_LAST_OFFSET_DELTA),
    recordCount: buf.readInt32BE(OFF_RECORD_COUNT),
    attributes,
    baseTimestamp: Number(buf.readBigInt64BE(OFF_BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(OFF_MAX_TIMESTAMP)),
    producerId: Number(buf.readBigInt64BE(OFF_PRODUCER_ID)),
    producerEpoch: buf.readInt16BE(OFF_PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(OFF_BASE_SEQUENCE),
    isTransactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR_CONTROL) !== 0,
  };
}

/** Splits a Produce `records` field into batches, checking magic, length and CRC-32C of each. */
export function parseBatches(records: Buffer): BatchHeader[] {
  const out: BatchHeader[] = [];
  let pos = 0;
  while (pos < records.length) {
    if (records.length - pos < BATCH_HEADER_SIZE) throw new BatchError('truncated batch header');
    const batchLength = records.readInt32BE(pos + OFF_BATCH_LENGTH);
    const total = batchLength + 12;
    if (batchLength < BATCH_HEADER_SIZE - 12 || pos + total > records.length) throw new BatchError('bad batch length');
    const magic = records.readInt8(pos + OFF_MAGIC);
    if (magic !== 2) throw new BatchError(`unsupported magic ${magic}`);
    const expected = records.readUInt32BE(pos + OFF_CRC);
    const actual = crc32c(records, pos + OFF_ATTRIBUTES, pos + total);
    if (expected !== actual) throw new BatchError('crc mismatch');
    out.push(readHeader(Buffer.from(records.subarray(pos, pos + total))));
    pos += total;
  }
  return out;
}

/** Splits stored log bytes (already validated) into batches; a torn tail is reported by `validBytes`. */
export function scanLog(data: Buffer): { batches: BatchHeader[]; validBytes: number } {
  const batches: BatchHeader[] = [];
  let pos = 0;
  while (data.length - pos >= BATCH_HEADER_SIZE) {
    const total = data.readInt32BE(pos + OFF_BATCH_LENGTH) + 12;
    if (total < BATCH_HEADER_SIZE || pos + total > data.length) break;
    if (crc32c(data, pos + OFF_ATTRIBUTES, pos + total) !== data.readUInt32BE(pos + OFF_CRC)) break;
    batches.push(readHeader(Buffer.from(data.subarray(pos, pos + total))));
    pos += total;
  }
  return { batches, validBytes: pos };
}

export function assignBaseOffset(batch: BatchHeader, baseOffset: number): void {
  batch.buf.writeBigInt64BE(BigInt(baseOffset), OFF_BASE_OFFSET);
  batch.buf.writeInt32BE(0, OFF_LEADER_EPOCH);
  batch.baseOffset = baseOffset;
}

export interface ControlMarker {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  timestamp: number;
  coordinatorEpoch?: number;
}

/** One control record: key = (version 0, type 0 abort / 1 commit), value = (version 0, coordinator epoch). */
export function buildControlBatch(m: ControlMarker): BatchHeader {
  const key = new Writer(4)
    .int16(0)
    .int16(m.commit ? 1 : 0)
    .toBuffer();
  const value = new Writer(6)
    .int16(0)
    .int32(m.coordinatorEpoch ?? 0)
    .toBuffer();
  const body = new Writer(32)
    .int8(0) // record attributes
    .varint(0) // timestamp delta
    .varint(0) // offset delta
    .varint(key.length)
    .raw(key)
    .varint(value.length)
    .raw(value)
    .varint(0) // headers
    .toBuffer();
  const record = new Writer(40).varint(body.length).raw(body).toBuffer();
  const w = new Writer(BATCH_HEADER_SIZE + record.length);
  w.int64(0)
    .int32(BATCH_HEADER_SIZE - 12 + record.length)
    .int32(0)
    .int8(2)
    .uint32(0)
    .int16(ATTR_TRANSACTIONAL | ATTR_CONTROL)
    .int32(0)
    .int64(m.timestamp)
    .int64(m.timestamp)
    .int64(m.producerId)
    .int16(m.producerEpoch)
    .int32(-1)
    .int32(1)
    .raw(record);
  const buf = Buffer.from(w.toBuffer());
  buf.writeUInt32BE(crc32c(buf, OFF_ATTRIBUTES), OFF_CRC);
  return readHeader(buf);
}

/** For a control batch: true for a commit marker, false for abort. */
export function controlIsCommit(batch: BatchHeader): boolean {
  const r = new Reader(batch.buf, BATCH_HEADER_SIZE);
  r.varint(); // length
  r.int8();
  r.varint();
  r.varint();
  const keyLen = r.varint();
  if (keyLen < 4) return false;
  r.int16();
  return r.int16() === 1;
}

/**
 * Offsets and timestamps of each record, for ListOffsets by timestamp. Returns null for compressed batches
 * (the caller falls back to the batch's max timestamp).
 */
export function recordTimestamps(batch: BatchHeader): Array<{ offset: number; timestamp: number }> | null {
  if ((batch.attributes & ATTR_COMPRESSION_MASK) !== 0) return null;
  const r = new Reader(batch.buf, BATCH_HEADER_SIZE);
  const out: Array<{ offset: number; timestamp: number }> = [];
  for (let i = 0; i < batch.recordCount; i++) {
    const len = r.varint();
    const start = r.offset;
    r.int8();
    const tsDelta = r.varint();
    const offDelta = r.varint();
    out.push({ offset: batch.baseOffset + offDelta, timestamp: batch.baseTimestamp + tsDelta });
    r.offset = start + len;
  }
  return out;
}
