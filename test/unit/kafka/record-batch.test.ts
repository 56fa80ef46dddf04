/**
 * Record batch v2 and partition-log rules without a client: CRC-32C validation, control batches, record
 * timestamps, and the idempotent-producer sequence checks (duplicate answered with the original offset,
 * gap and stale epoch rejected), plus LSO and aborted-transaction index around markers.
 */
import t from 'tap';
import { crc32c } from '../../support/kafka/protocol/crc32c.js';
import { Writer } from '../../support/kafka/protocol/writer.js';
import {
  buildControlBatch,
  controlIsCommit,
  parseBatches,
  recordTimestamps,
} from '../../support/kafka/protocol/record-batch.js';
import { PartitionLog } from '../../support/kafka/partition-log.js';

interface Spec {
  producerId?: number;
  epoch?: number;
  seq?: number;
  transactional?: boolean;
  baseTs?: number;
  values: string[];
}

/** A producer-side batch: records with timestamp delta = index * 10 ms. */
function batch(s: Spec): Buffer {
  const records = new Writer();
  s.values.forEach((v, i) => {
    const val = Buffer.from(v);
    const body = new Writer()
      .int8(0)
      .varint(i * 10)
      .varint(i)
      .varint(-1)
      .varint(val.length)
      .raw(val)
      .varint(0)
      .toBuffer();
    records.varint(body.length).raw(body);
  });
  const rec = records.toBuffer();
  const baseTs = s.baseTs ?? 1000;
  const w = new Writer()
    .int64(0)
    .int32(49 + rec.length)
    .int32(0)
    .int8(2)
    .uint32(0)
    .int16(s.transactional ? 0x10 : 0)
    .int32(s.values.length - 1)
    .int64(baseTs)
    .int64(baseTs + (s.values.length - 1) * 10)
    .int64(s.producerId ?? -1)
    .int16(s.epoch ?? -1)
    .int32(s.seq ?? -1)
    .int32(s.values.length)
    .raw(rec);
  const buf = Buffer.from(w.toBuffer());
  buf.writeUInt32BE(crc32c(buf, 21), 17);
  return buf;
}

t.test('CRC-32C protects everything from the attributes on', async (t) => {
  const good = batch({ values: ['a', 'b'] });
  t.equal(parseBatches(good).length, 1);
  t.equal(parseBatches(Buffer.concat([good, good])).length, 2, 'several batches in one records field');
  const bad = Buffer.from(good);
  bad[bad.length - 2]! ^= 0xff;
  t.throws(() => parseBatches(bad), { name: 'BatchError', message: 'crc mismatch' });
  const offsetRewritten = Buffer.from(good);
  offsetRewritten.writeBigInt64BE(99n, 0);
  t.equal(parseBatches(offsetRewritten)[0]!.baseOffset, 99, 'base offset is outside the CRC');
  t.throws(() => parseBatches(good.subarray(0, 70)), { name: 'BatchError' }, 'truncated');
});

t.test('control batches and record timestamps', async (t) => {
  const commit = buildControlBatch({ producerId: 5, producerEpoch: 1, commit: true, timestamp: 77 });
  const abort = buildControlBatch({ producerId: 5, producerEpoch: 1, commit: false, timestamp: 77 });
  t.ok(commit.isControl && commit.isTransactional);
  t.equal(controlIsCommit(commit), true);
  t.equal(controlIsCommit(abort), false);
  t.equal(parseBatches(commit.buf).length, 1, 'control batch carries a valid CRC');
  const [b] = parseBatches(batch({ baseTs: 500, values: ['x', 'y', 'z'] }));
  t.same(recordTimestamps(b!), [
    { offset: 0, timestamp: 500 },
    { offset: 1, timestamp: 510 },
    { offset: 2, timestamp: 520 },
  ]);
});

t.test('idempotent sequences: duplicate, gap, stale epoch', async (t) => {
  const log = new PartitionLog('t', 0, null);
  const b0 = parseBatches(batch({ producerId: 7, epoch: 0, seq: 0, values: ['a', 'b'] }))[0]!;
  t.same(log.checkSequence(b0), { ok: true });
  t.equal(log.append([b0]), 0);
  const again = parseBatches(batch({ producerId: 7, epoch: 0, seq: 0, values: ['a', 'b'] }))[0]!;
  t.same(log.checkSequence(again), { duplicateOffset: 0 }, 'a retried batch is recognised');
  const gap = parseBatches(batch({ producerId: 7, epoch: 0, seq: 5, values: ['c'] }))[0]!;
  t.same(log.checkSequence(gap), { error: 45 });
  const next = parseBatches(batch({ producerId: 7, epoch: 0, seq: 2, values: ['c'] }))[0]!;
  t.same(log.checkSequence(next), { ok: true });
  t.equal(log.append([next]), 2);
  const bumped = parseBatches(batch({ producerId: 7, epoch: 1, seq: 0, values: ['d'] }))[0]!;
  t.same(log.checkSequence(bumped), { ok: true }, 'a new epoch restarts at sequence 0');
  log.append([bumped]);
  const stale = parseBatches(batch({ producerId: 7, epoch: 0, seq: 3, values: ['e'] }))[0]!;
  t.same(log.checkSequence(stale), { error: 47 });
});

t.test('LSO and aborted-transaction index follow the markers', async (t) => {
  const log = new PartitionLog('t', 0, null);
  log.append(parseBatches(batch({ values: ['plain'] })));
  log.append(parseBatches(batch({ producerId: 9, epoch: 0, seq: 0, transactional: true, values: ['t1', 't2'] })));
  log.append(parseBatches(batch({ values: ['later'] })));
  t.equal(log.logEndOffset, 4);
  t.equal(log.lastStableOffset(), 1, 'LSO stops at the first record of the open transaction');
  t.equal(log.read(0, log.lastStableOffset(), 1 << 20).length, 1, 'read_committed sees only the plain batch');
  log.appendMarker({ producerId: 9, producerEpoch: 0, commit: false, timestamp: 0 });
  t.equal(log.lastStableOffset(), 5);
  t.same(log.abortedTransactions(0, 5), [{ producerId: 9, firstOffset: 1 }]);
  t.same(log.abortedTransactions(5, 5), [], 'nothing aborted after the marker');
  log.appendMarker({ producerId: 9, producerEpoch: 0, commit: true, timestamp: 0 });
  t.equal(log.logEndOffset, 5, 'no marker without an open transaction');
});
