/**
 * The job manager's collect results: a transaction is published whole and once (a repeat after a restore
 * adds nothing, a partial copy of a failed attempt is replaced), reading from an offset acknowledges and
 * frees what lies below it, and offsets outside the held results are refused.
 */
import t from 'tap';
import { CollectResults } from '../../../runtime/jobmanager/collect-results.js';
import { CHUNK_RECORDS, CollectSink } from '../../../operators/core/collect-sink.js';
import { setCollectTransport, type CollectChunk } from '../../../runtime/api/collect-transport.js';

const chunk = (txn: string, index: number, total: number, records: unknown[]): CollectChunk => ({
  sinkId: 'collect-3',
  txn,
  index,
  total,
  records,
});

t.test('a transaction becomes visible only when all its chunks arrived, and only once', async (t) => {
  const r = new CollectResults();
  r.stage(0, chunk('0:1', 1, 2, ['c', 'd']));
  t.same(r.fetch('collect-3', 0).records, [], 'half a transaction is not visible');
  r.stage(0, chunk('0:1', 0, 2, ['a', 'b']));
  t.same(r.fetch('collect-3', 0).records, ['a', 'b', 'c', 'd'], 'chunks in index order');
  r.stage(1, chunk('0:1', 0, 1, ['a', 'b', 'c', 'd'])); // committed again after a restore
  t.same(r.fetch('collect-3', 0).records, ['a', 'b', 'c', 'd'], 'a published transaction is not added again');
});

t.test('a failed attempt half-sent a transaction: the next attempt publishes its own copy', async (t) => {
  const r = new CollectResults();
  r.stage(0, chunk('0:final', 0, 2, ['x']));
  r.stage(1, chunk('0:final', 0, 1, ['y', 'x']));
  t.same(r.fetch('collect-3', 0).records, ['y', 'x']);
  r.stage(0, chunk('0:final', 1, 2, ['z'])); // the stale attempt's rest arrives late
  t.same(r.fetch('collect-3', 0).records, ['y', 'x'], 'nothing of the stale copy is published');
});

t.test('fetching from an offset acknowledges what lies below it', async (t) => {
  const r = new CollectResults();
  r.stage(0, chunk('0:1', 0, 1, [1, 2, 3]));
  r.stage(0, chunk('0:2', 0, 1, [4, 5]));
  t.equal(r.held(), 5);
  t.same(r.fetch('collect-3', 2), { offset: 2, records: [3, 4, 5] });
  t.equal(r.held(), 3, 'the two acknowledged results are freed');
  t.throws(() => r.fetch('collect-3', 1), { code: 'REST_BAD_REQUEST' }, 'acknowledged results are gone');
  t.throws(() => r.fetch('collect-3', 9), { code: 'REST_BAD_REQUEST' }, 'beyond the results');
  t.same(r.fetch('collect-3', 5).records, []);
  t.equal(r.held(), 0);
});

t.test('the collect sink writes one transaction per checkpoint, chunked, through the transport', async (t) => {
  const sent: Array<{ jobId: string; attempt: number; chunks: CollectChunk[] }> = [];
  setCollectTransport({ commit: async (jobId, attempt, chunks) => void sent.push({ jobId, attempt, chunks }) });
  t.teardown(() => setCollectTransport(undefined));
  const ctx = { subtaskIndex: 0, parallelism: 1, attemptNumber: 2, jobId: 'j', jobConfig: {} };
  const sink = new CollectSink<number>('collect-3', 'no-local-list');
  const writer = sink.createWriter(ctx);
  const n = CHUNK_RECORDS + 5;
  for (let i = 0; i < n; i++) writer.write(i, 0);
  const c7 = await writer.prepareCommit!(7);
  t.same(
    c7.map((c) => [c.txn, c.index, c.total, c.records.length]),
    [
      ['0:7', 0, 2, CHUNK_RECORDS],
      ['0:7', 1, 2, 5],
    ],
  );
  t.same(await writer.prepareCommit!(8), [], 'an empty transaction sends nothing');
  writer.write(-1, 0);
  const last = await writer.prepareCommit!(Number.MAX_SAFE_INTEGER);
  t.same(
    last.map((c) => c.txn),
    ['0:final'],
  );
  const committer = sink.createCommitter(ctx);
  await committer.commit([...c7, ...last]);
  t.equal(sent.length, 1);
  t.equal(sent[0]!.jobId, 'j');
  t.equal(sent[0]!.attempt, 2);
  const r = new CollectResults();
  for (const c of sent[0]!.chunks) r.stage(2, c);
  const all = r.fetch('collect-3', 0).records;
  t.equal(all.length, n + 1);
  t.same(all.slice(-2), [n - 1, -1]);
});

t.test('discard(): a cancelled or failed job frees what it held and ignores later chunks', async (t) => {
  const r = new CollectResults();
  const chunk = (txn: string, records: number[]) => ({ sinkId: 's', txn, index: 0, total: 1, records });
  r.stage(1, chunk('0:1', [1, 2, 3]));
  t.equal(r.fetch('s', 1).records.length, 2, 'one acknowledged, two held');
  r.stage(1, { sinkId: 's', txn: '0:2', index: 0, total: 2, records: [4] }); // half a transaction staged
  r.discard();
  t.equal(r.held(), 0, 'nothing held');
  r.stage(1, chunk('0:3', [5, 6]));
  t.equal(r.held(), 0, 'a chunk after the discard is ignored');
  t.same(r.fetch('s', 3).records, [], 'fetching from where the client was returns nothing');
});
