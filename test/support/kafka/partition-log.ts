/**
 * PartitionLog: the log of one topic partition — record batches in offset order, held in memory and (when
 * the broker has a directory) appended to one segment file `<dir>/<topic>-<partition>/00000000000000000000.log`.
 * It also owns what is derived from the log: idempotent-producer sequence state, open transactions (which
 * bound the last stable offset) and the aborted-transaction index; all are rebuilt by scanning the segment
 * when the broker restarts.
 * Invariants: batches are contiguous (next baseOffset = previous lastOffset + 1); the file holds exactly the
 * in-memory batches (a torn tail is truncated on load); LSO = first offset of the oldest open transaction,
 * else the log end offset; the high watermark is the log end offset (single replica).
 */
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, ftruncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import {
  assignBaseOffset,
  buildControlBatch,
  controlIsCommit,
  recordTimestamps,
  scanLog,
  type BatchHeader,
  type ControlMarker,
} from './protocol/record-batch.js';
import { ErrorCode } from './protocol/api-keys.js';

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerState {
  epoch: number;
  lastSeq: number;
  recent: Array<{ firstSeq: number; lastSeq: number; baseOffset: number }>;
}

export type SequenceCheck = { error: number } | { duplicateOffset: number } | { ok: true };

const lastOffsetOf = (b: BatchHeader) => b.baseOffset + b.lastOffsetDelta;

export class PartitionLog {
  private readonly batches: BatchHeader[] = [];
  private fd: number | null = null;
  private nextOffset = 0;
  private readonly producers = new Map<number, ProducerState>();
  /** producerId → first offset of its open transaction on this partition */
  private readonly openTxns = new Map<number, number>();
  private readonly aborted: AbortedTxn[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    dir: string | null,
  ) {
    if (dir === null) return;
    const pdir = join(dir, `${topic}-${partition}`);
    mkdirSync(pdir, { recursive: true });
    const file = join(pdir, '00000000000000000000.log');
    this.fd = openSync(file, 'a+');
    const size = fstatSync(this.fd).size;
    if (size === 0) return;
    const { batches, validBytes } = scanLog(readFileSync(file));
    if (validBytes < size) ftruncateSync(this.fd, validBytes);
    for (const b of batches) this.index(b);
  }

  get logStartOffset(): number {
    return 0;
  }
  get logEndOffset(): number {
    return this.nextOffset;
  }
  get highWatermark(): number {
    return this.nextOffset;
  }

  lastStableOffset(): number {
    let lso = this.nextOffset;
    for (const first of this.openTxns.values()) lso = Math.min(lso, first);
    return lso;
  }

  /** Idempotence check for one producer batch, before it is appended. */
  checkSequence(b: BatchHeader): SequenceCheck {
    if (b.producerId < 0) return { ok: true };
    const st = this.producers.get(b.producerId);
    if (st === undefined) return { ok: true };
    if (b.producerEpoch < st.epoch) return { error: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (b.producerEpoch > st.epoch)
      return b.baseSequence === 0 || st.lastSeq < 0 ? { ok: true } : { error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    const lastSeq = b.baseSequence + b.lastOffsetDelta;
    const dup = st.recent.find((r) => r.firstSeq === b.baseSequence && r.lastSeq === lastSeq);
    if (dup !== undefined) return { duplicateOffset: dup.baseOffset };
    if (st.lastSeq >= 0 && b.baseSequence !== st.lastSeq + 1) return { error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    return { ok: true };
  }

  /** Appends validated producer batches; returns the base offset of the first. */
  append(batches: BatchHeader[]): number {
    const first = this.nextOffset;
    for (const b of batches) {
      assignBaseOffset(b, this.nextOffset);
      this.write(b);
      this.index(b);
    }
    return first;
  }

  /** Writes a commit/abort marker for `producerId` if it has an open transaction here. */
  appendMarker(m: ControlMarker): void {
    if (!this.openTxns.has(m.producerId)) return;
    const b = buildControlBatch(m);
    assignBaseOffset(b, this.nextOffset);
    this.write(b);
    this.index(b);
  }

  hasOpenTxn(producerId: number): boolean {
    return this.openTxns.has(producerId);
  }

  /**
   * Whole batches containing offsets >= fetchOffset and below `upTo`, at least one batch if any, then up
   * to `maxBytes` in total.
   */
  read(fetchOffset: number, upTo: number, maxBytes: number): Buffer[] {
    const out: Buffer[] = [];
    let i = this.findBatch(fetchOffset);
    let bytes = 0;
    for (; i < this.batches.length; i++) {
      const b = this.batches[i]!;
      if (lastOffsetOf(b) >= upTo) break;
      if (out.length > 0 && bytes + b.buf.length > maxBytes) break;
      out.push(b.buf);
      bytes += b.buf.length;
    }
    return out;
  }

  /** Aborted transactions overlapping [from, to). */
  abortedTransactions(from: number, to: number): Array<{ producerId: number; firstOffset: number }> {
    return this.aborted
      .filter((a) => a.lastOffset >= from && a.firstOffset < to)
      .map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
  }

  /** First offset whose record timestamp is >= ts, with that timestamp; null when none. */
  offsetForTimestamp(ts: number, upTo: number): { offset: number; timestamp: number } | null {
    for (const b of this.batches) {
      if (b.baseOffset >= upTo) break;
      if (b.isControl || b.maxTimestamp < ts) continue;
      const recs = recordTimestamps(b);
      if (recs === null) return { offset: b.baseOffset, timestamp: b.maxTimestamp };
      const hit = recs.find((r) => r.timestamp >= ts);
      if (hit !== undefined) return hit;
    }
    return null;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  /** Index of the batch holding `offset` (or the first after it). */
  private findBatch(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lastOffsetOf(this.batches[mid]!) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private write(b: BatchHeader): void {
    if (this.fd === null) return;
    let off = 0;
    while (off < b.buf.length) off += writeSync(this.fd, b.buf, off, b.buf.length - off);
  }

  /** Updates in-memory state for a batch already at its final offset (used on append and on load). */
  private index(b: BatchHeader): void {
    this.batches.push(b);
    this.nextOffset = lastOffsetOf(b) + 1;
    if (b.producerId < 0) return;
    if (b.isControl) {
      const first = this.openTxns.get(b.producerId);
      if (first !== undefined) {
        this.openTxns.delete(b.producerId);
        if (!controlIsCommit(b))
          this.aborted.push({ producerId: b.producerId, firstOffset: first, lastOffset: b.baseOffset });
      }
      const st = this.producers.get(b.producerId);
      if (st !== undefined && b.producerEpoch > st.epoch)
        this.producers.set(b.producerId, { epoch: b.producerEpoch, lastSeq: -1, recent: [] });
      return;
    }
    if (b.isTransactional && !this.openTxns.has(b.producerId)) this.openTxns.set(b.producerId, b.baseOffset);
    let st = this.producers.get(b.producerId);
    if (st === undefined || st.epoch !== b.producerEpoch) {
      st = { epoch: b.producerEpoch, lastSeq: -1, recent: [] };
      this.producers.set(b.producerId, st);
    }
    const lastSeq = b.baseSequence + b.lastOffsetDelta;
    st.lastSeq = lastSeq;
    st.recent.push({ firstSeq: b.baseSequence, lastSeq, baseOffset: b.baseOffset });
    if (st.recent.length > 5) st.recent.shift();
  }
}
