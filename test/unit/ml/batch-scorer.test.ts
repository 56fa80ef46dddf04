import t from 'tap';
import { BatchScorer, type ScoredOutput } from '../../../operators/ml/batch-scorer.js';
import { ModelManager } from '../../../operators/ml/model-manager.js';
import { ModelFactoryRegistry } from '../../../operators/ml/model.js';
import { onnxModelFactory } from '../../../operators/ml/onnx-model.js';
import { NoModelHandler } from '../../../operators/ml/no-model-policy.js';
import { sha256Hex } from '../../../operators/ml/descriptor.js';
import { MLP_WIDTH, buildNanModel, mlpDescriptor } from '../../support/models/index.js';
import { seededRandom } from '../../../runtime/platform/random.js';

interface Rec {
  key: string;
  ts: number;
  f: Float32Array;
}

function fakeScheduler() {
  const timers: { at: number; fn: () => void; id: number; unref: () => undefined }[] = [];
  let id = 0;
  const s = {
    now: 1_000,
    nowMs: () => s.now,
    monotonicMs: () => s.now,
    setTimeout: (fn: () => void, ms: number) => {
      const h = { at: s.now + ms, fn, id: ++id, unref: () => undefined };
      timers.push(h);
      return h;
    },
    clear: (h: unknown) => {
      const i = timers.indexOf(h as (typeof timers)[number]);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number) {
      s.now += ms;
      for (const tm of [...timers].filter((x) => x.at <= s.now)) {
        timers.splice(timers.indexOf(tm), 1);
        tm.fn();
      }
    },
    timers,
  };
  return s;
}

const rnd = seededRandom(9);
const rec = (key: string, ts: number): Rec => ({
  key,
  ts,
  f: Float32Array.from({ length: MLP_WIDTH }, () => rnd() * 2 - 1),
});

function setup(policy: 'event-time' | 'processing-time', kind: 'drop' | 'buffer' | 'side-output' = 'drop') {
  const sched = fakeScheduler();
  const registry = new ModelFactoryRegistry().register(onnxModelFactory());
  const manager = new ModelManager({ registry, policy, clock: sched });
  const side: Rec[] = [];
  const noModel = new NoModelHandler<Rec>(kind, { maxBuffered: 3, toSideOutput: (r) => side.push(r) });
  const outputs: ScoredOutput<Rec>[] = [];
  const failures: unknown[] = [];
  const scorer = new BatchScorer<Rec>({
    width: MLP_WIDTH,
    maxBatchSize: 4,
    lingerMs: 50,
    extract: (r, out, off) => out.set(r.f, off),
    keyOf: (r) => r.key,
    timestampOf: (r) => r.ts,
    selectModel: (k, ts) => manager.select(k, ts),
    scheduler: sched,
    onOutput: (o) => outputs.push(o),
    onNoModel: (r, k) => noModel.handle(r, k),
    onFailure: (_m, e) => failures.push(e),
    stats: manager.stats,
    acquire: (m) => manager.acquire(m),
    release: (m) => manager.release(m),
  });
  return { sched, manager, scorer, outputs, noModel, side, failures };
}

t.test('flush by size, linger and flushAll; outputs carry model identity and match per-record scores', async (t) => {
  const { sched, manager, scorer, outputs } = setup('processing-time');
  t.teardown(() => manager.close());
  const st = await manager.install('k', mlpDescriptor('1'));
  t.equal(st.status, 'accepted');
  const recs = Array.from({ length: 6 }, (_, i) => rec('k', i));
  const results: (Promise<ScoredOutput<Rec>[]> | null)[] = recs.map((r) => scorer.add(r));
  t.same(
    results.map((r) => r !== null),
    [false, false, false, true, false, false],
    'size 4 triggers a flush',
  );
  const first = await results[3]!;
  t.equal(first.length, 4);
  t.equal(scorer.pendingCount, 2);
  t.equal(sched.timers.length, 1, 'linger timer armed');
  sched.advance(49);
  t.equal(outputs.length, 4, 'not yet');
  sched.advance(1);
  await scorer.flushAll();
  t.equal(outputs.length, 6, 'linger flushed the rest');
  t.equal(scorer.pendingCount, 0);
  const model = manager.select('k', 0)!;
  for (const o of outputs) {
    const one = await model.scoreBatch(o.record.f, 1, MLP_WIDTH);
    t.ok(Math.abs(one[0]! - o.prediction) < 1e-5);
    t.equal(o.model, 'mlp');
    t.equal(o.version, '1');
    t.equal(o.sha256, model.descriptor.sha256);
    t.equal(o.servedAtMs, o.batchSize === 4 ? 1000 : 1050);
    t.ok(o.batchLatencyMs >= 0);
  }
  t.same(
    outputs.map((o) => o.timestampMs),
    [0, 1, 2, 3, 4, 5],
  );
  scorer.add(rec('k', 9));
  const flushed = await scorer.flushAll();
  t.equal(flushed.length, 1, 'flushAll at watermark/barrier/end of input');
  const snap = manager.stats.snapshot().models[0]!;
  t.equal(snap.usage, 7);
  t.same(snap.batchSizes, { '≤1': 1, '≤2': 1, '≤4': 1 });
});

t.test('event time: records score with the model valid at their timestamp, across a swap', async (t) => {
  const { manager, scorer, outputs } = setup('event-time');
  t.teardown(() => manager.close());
  t.equal((await manager.install('k', mlpDescriptor('1', 1, undefined, { validFrom: 100 }))).status, 'accepted');
  t.equal((await manager.install('k', mlpDescriptor('2', 2, undefined, { validFrom: 200 }))).status, 'accepted');
  for (const ts of [100, 199, 200, 250, 150]) scorer.add(rec('k', ts));
  await scorer.flushAll();
  const byTs = new Map(outputs.map((o) => [o.timestampMs, o.version]));
  t.same(
    [...byTs.entries()].sort((a, b) => a[0] - b[0]),
    [
      [100, '1'],
      [150, '1'],
      [199, '1'],
      [200, '2'],
      [250, '2'],
    ],
  );
});

t.test('bad descriptors are rejected with a reason and the previous model keeps serving', async (t) => {
  const { manager, scorer, outputs } = setup('processing-time');
  t.teardown(() => manager.close());
  await manager.install('k', mlpDescriptor('good'));
  const good = mlpDescriptor('x');
  const cases: [string, unknown, string][] = [
    ['undecodable bytes', mlpDescriptor('garbage', 1, new Uint8Array([8, 1, 2, 3, 250, 251])), 'MODEL_LOAD_FAILED'],
    [
      'schema mismatch',
      mlpDescriptor('schema', 1, undefined, { inputSchema: [{ name: 'features', shape: [-1, 3] }] }),
      'MODEL_SCHEMA_MISMATCH',
    ],
    ['NaN outputs', mlpDescriptor('nan', 1, buildNanModel({ width: MLP_WIDTH })), 'MODEL_BAD_OUTPUT'],
    ['sha256 mismatch', { ...good, version: 'hash', sha256: sha256Hex(new Uint8Array([1])) }, 'MODEL_HASH_MISMATCH'],
    ['invalid descriptor', { name: 'x' }, 'MODEL_INVALID_DESCRIPTOR'],
    ['unknown type', { ...good, version: 'pmml', modelType: 'PMML' }, 'MODEL_UNKNOWN_TYPE'],
  ];
  for (const [what, d, code] of cases) {
    const st = await manager.install('k', d);
    t.equal(st.status, 'rejected', what);
    t.equal(st.code, code, what);
    t.ok(st.reason && st.reason.length > 10, `${what}: ${st.reason}`);
    scorer.add(rec('k', 0));
    await scorer.flushAll();
    t.equal(outputs.at(-1)!.version, 'good', `${what}: previous model still serves`);
  }
  t.equal(manager.stats.snapshot().rejectedTotal, cases.length);
});

t.test('no-model policies: drop counts, side-output emits, buffer is bounded and drains', async (t) => {
  const a = setup('processing-time', 'drop');
  a.scorer.add(rec('k', 0));
  t.equal(a.noModel.dropped, 1);
  const b = setup('processing-time', 'side-output');
  b.scorer.add(rec('k', 0));
  t.equal(b.side.length, 1);
  const c = setup('processing-time', 'buffer');
  t.teardown(() => c.manager.close());
  for (let i = 0; i < 5; i++) c.scorer.add(rec('k', i));
  t.equal(c.noModel.bufferedCount, 3, 'bounded');
  t.equal(c.noModel.dropped, 2);
  await c.manager.install('k', mlpDescriptor('1'));
  const drained = c.noModel.drain('k').map((w) => w.record);
  t.same(
    drained.map((r) => r.ts),
    [2, 3, 4],
    'oldest dropped, order kept',
  );
  drained.forEach((r) => c.scorer.add(r));
  await c.scorer.flushAll();
  t.equal(c.outputs.length, 3);
  t.equal(c.noModel.bufferedCount, 0);
});

t.test('a model swapped while a batch is pending is disposed only after the batch', async (t) => {
  const { manager, scorer, outputs } = setup('processing-time');
  t.teardown(() => manager.close());
  await manager.install('k', mlpDescriptor('1'));
  scorer.add(rec('k', 0));
  await manager.install('k', mlpDescriptor('2', 2));
  t.equal(manager.disposedCount, 0, 'held by the pending batch');
  await scorer.flushAll();
  t.equal(manager.disposedCount, 1);
  t.equal(outputs[0]!.version, '1');
});

t.test(
  'without preserveOrder batches are per model; with it a model change flushes the pending batch first',
  async (t) => {
    for (const preserveOrder of [false, true]) {
      const sched = fakeScheduler();
      const registry = new ModelFactoryRegistry().register(onnxModelFactory());
      const manager = new ModelManager({ registry, policy: 'processing-time', clock: sched });
      t.teardown(() => manager.close());
      await manager.install('a', mlpDescriptor('A'));
      await manager.install('b', mlpDescriptor('B', 2));
      const outputs: ScoredOutput<Rec>[] = [];
      const scorer = new BatchScorer<Rec>({
        width: MLP_WIDTH,
        maxBatchSize: 64,
        lingerMs: 0,
        preserveOrder,
        extract: (r, out, off) => out.set(r.f, off),
        keyOf: (r) => r.key,
        timestampOf: (r) => r.ts,
        selectModel: (k, ts) => manager.select(k, ts),
        scheduler: sched,
        onOutput: (o) => outputs.push(o),
        onNoModel: () => undefined,
      });
      const keys = ['a', 'a', 'b', 'a', 'b', 'b'];
      keys.forEach((k, i) => scorer.add(rec(k, i)));
      await scorer.flushAll();
      if (preserveOrder) {
        t.same(
          outputs.map((o) => o.timestampMs),
          [0, 1, 2, 3, 4, 5],
          'arrival order',
        );
        t.same(
          outputs.map((o) => o.batchSize),
          [2, 2, 1, 1, 2, 2],
        );
      } else {
        t.same(
          outputs.map((o) => o.timestampMs),
          [0, 1, 3, 2, 4, 5],
          'grouped by model',
        );
      }
    }
  },
);
