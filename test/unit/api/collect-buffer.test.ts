/**
 * The collect sink's buffer: bounded in bytes (the writer is held back once a batch is buffered and let go
 * when the client's acknowledgement frees room), batches of at most collect-sink.batch-size.max, the
 * version/offset protocol (a stale version or an acknowledged offset gets no results), checkpointed offsets
 * that only a completed checkpoint advances, restore from a snapshot, and a record too large for any batch.
 */
import t from 'tap';
import { CollectBuffer } from '../../../runtime/api/collect-buffer.js';

const rec = (n: number, bytes = 100) => new Uint8Array(bytes).fill(n % 256);

t.test('the writer is held back once a batch is buffered, and let go when the client frees room', async (t) => {
  const b = new CollectBuffer('v1', 1000, false);
  let held: Promise<void> | undefined;
  let written = 0;
  while (!(held = b.add(rec(written++)))) if (written > 100) break;
  t.equal(written, 10, 'ten 100-byte records fill the 1000-byte batch');
  t.equal(b.bufferedBytes(), 1000);
  let released = false;
  void held!.then(() => (released = true));
  const first = b.serve('v1', 0);
  t.equal(first.results.length, 10, 'one batch: every buffered record fits in 1000 bytes');
  await Promise.resolve();
  t.notOk(released, 'serving without acknowledging frees nothing');
  const second = b.serve('v1', 10);
  t.equal(second.offset, 10);
  t.equal(second.results.length, 0);
  await Promise.resolve();
  t.ok(released, 'acknowledging the batch releases the writer');
  t.equal(b.bufferedBytes(), 0);
  t.ok(b.peakBytes() <= 2 * 1000, `never more than two batches buffered (peak ${b.peakBytes()})`);
});

t.test('a batch holds at most maxBatchBytes, but always at least one record', async (t) => {
  const b = new CollectBuffer('v', 1000, false);
  for (let i = 0; i < 3; i++) b.add(rec(i, 400));
  t.same(
    b.serve('v', 0).results.map((r) => r[0]),
    [0, 1],
    'two 400-byte records; a third would pass 1000 bytes',
  );
  t.same(
    b.serve('v', 2).results.map((r) => r[0]),
    [2],
  );
  const big = new CollectBuffer('v', 1000, false);
  big.add(rec(7, 1000));
  t.equal(big.serve('v', 0).results.length, 1, 'a record of exactly one batch is served alone');
  t.throws(() => big.add(rec(8, 1001)), { code: 'COLLECT_RECORD_TOO_LARGE' }, 'a record above a batch is refused');
});

t.test('a stale version or an acknowledged offset gets no results and the current position', async (t) => {
  const b = new CollectBuffer('new', 1000, true);
  for (let i = 0; i < 5; i++) b.add(rec(i));
  t.same(b.serve('old', 3), { version: 'new', offset: 0, lastCheckpointedOffset: 0, checkpointed: true, results: [] });
  t.equal(b.size(), 5, 'a request of another version acknowledges nothing');
  b.serve('new', 2);
  const again = b.serve('new', 1);
  t.equal(again.results.length, 0, 'results below the acknowledged offset are gone');
  t.equal(again.offset, 2);
  const beyond = b.serve('new', 99);
  t.equal(beyond.offset, 5, 'an offset beyond the results acknowledges what there is');
  t.equal(b.size(), 0);
});

t.test('lastCheckpointedOffset moves only when a checkpoint completes, to the offset it snapshotted', async (t) => {
  const b = new CollectBuffer('v', 10_000, true);
  for (let i = 0; i < 6; i++) b.add(rec(i));
  b.serve('v', 2);
  const s1 = b.snapshot(1);
  t.same({ offset: s1.offset, n: s1.results.length }, { offset: 2, n: 4 }, 'the snapshot keeps the unacknowledged');
  b.serve('v', 4);
  b.snapshot(2);
  t.equal(b.serve('v', 4).lastCheckpointedOffset, 0, 'no checkpoint completed yet');
  b.checkpointComplete(1);
  t.equal(b.serve('v', 4).lastCheckpointedOffset, 2);
  b.checkpointComplete(3); // subsumes checkpoint 2
  t.equal(b.serve('v', 4).lastCheckpointedOffset, 4);

  const restored = new CollectBuffer('v2', 10_000, true, s1);
  const r = restored.serve('v2', 2);
  t.same(
    { offset: r.offset, last: r.lastCheckpointedOffset, first: r.results[0]?.[0], n: r.results.length },
    { offset: 2, last: 2, first: 2, n: 4 },
    'a restored buffer resumes at the snapshot: the client reverts to offset 2 and gets results 2..5 again',
  );
});

t.test('closing releases a held writer and drops everything', async (t) => {
  const b = new CollectBuffer('v', 100, false);
  const held = b.add(rec(0, 100));
  t.ok(held, 'held');
  b.close();
  await held; // resolves: a cancelled job never waits for its client
  t.equal(b.add(rec(1)), undefined, 'a closed buffer accepts without holding');
  t.equal(b.size(), 0);
  t.same(b.serve('v', 0).results, []);
});

t.test('drain hands over everything still buffered, from the acknowledged offset', async (t) => {
  const b = new CollectBuffer('v', 1000, false);
  for (let i = 0; i < 4; i++) b.add(rec(i));
  b.serve('v', 1);
  const d = b.drain();
  t.equal(d.offset, 1);
  t.same(
    d.results.map((r) => r[0]),
    [1, 2, 3],
  );
});
