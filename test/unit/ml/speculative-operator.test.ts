/**
 * Speculative serving as a stream operator (local execution): under a deadline a deliberately slow model
 * misses it on every batch and the fallback's answers are used and credited; majority consensus of 3
 * models equals the per-record reference; quality picks the model with the best declared metric; the
 * models (and records waiting for a missing model) are restored from operator state.
 */
import t from 'tap';
import { StreamExecutionEnvironment, type ModelDescriptor } from '../../../runtime/exports/index.js';
import { ElementKind } from '../../../runtime/api/elements.js';
import type { OperatorContext } from '../../../runtime/api/operator.js';
import { ConnectedStreams } from '../../../runtime/datastream/connected-streams.js';
import { MODEL_STATUS_TAG, SpeculativeServing } from '../../../runtime/datastream/speculative-serving.js';
import { createOperatorStateStore } from '../../../runtime/state/operator-state-store.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';
import { ModelFactoryRegistry } from '../../../operators/ml/model.js';
import {
  SpeculativeServingOperator,
  type SpeculativeScored,
  type SpeculativeServingOptions,
} from '../../../operators/ml/speculative-operator.js';
import {
  buildLogisticRegressionModel,
  buildMlpModel,
  buildSlowModel,
} from '../../../operators/ml/model-builders/onnx-builders.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';

type Rec = { id: number };
const features = (r: Rec, out: Float32Array, off: number) => {
  for (let i = 0; i < MLP_WIDTH; i++) out[off + i] = Math.sin(r.id * 0.37 + i) * 0.8;
};
const records = (n: number): Rec[] => Array.from({ length: n }, (_, i) => ({ id: i }));
const named = (name: string, bytes: Uint8Array, metrics?: Record<string, number>): ModelDescriptor => ({
  ...mlpDescriptor(
    '1',
    1,
    bytes,
    metrics
      ? {
          training: {
            trainedAt: 0,
            dataWindow: { fromMs: 0, toMs: 1 },
            metrics,
            featureSchema: [],
            codeVersion: 'test',
          },
        }
      : {},
  ),
  name,
});
const sigmoidMlp = (seed: number) => buildMlpModel({ layers: [MLP_WIDTH, 8, 1], seed, sigmoid: true });

/** Runs the operator over a collection (parallelism 1) and keeps the operator instance for its stats. */
async function serve(recs: Rec[], models: ModelDescriptor[], opts: SpeculativeServingOptions<Rec>) {
  const ops: SpeculativeServingOperator<Rec>[] = [];
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const out = new ConnectedStreams<Rec, ModelDescriptor>(
    env.fromCollection(recs),
    env.fromCollection(models).broadcast(),
  ).transform<SpeculativeScored<Rec>>({
    name: 'speculative',
    factory: () => {
      const op = new SpeculativeServingOperator<Rec>(opts);
      ops.push(op);
      return op;
    },
    stateful: true,
    keyed: false,
  });
  const scored = (await out.uid('speculative').executeAndCollect()) as SpeculativeScored<Rec>[];
  return { scored, wins: ops[0]!.wins() };
}

/** Per-record reference scores of a model. */
async function reference(d: ModelDescriptor, recs: Rec[]): Promise<number[]> {
  const m = await OnnxModel.load(d);
  const f = new Float32Array(MLP_WIDTH);
  const out: number[] = [];
  for (const r of recs) {
    features(r, f, 0);
    out.push((await m.scoreBatch(f, 1, MLP_WIDTH))[0]!);
  }
  await m.dispose();
  return out;
}

t.test('deadline: the slow model misses it, the fallback answers and its wins are counted', async (t) => {
  const fast = named('fast', buildLogisticRegressionModel({ width: MLP_WIDTH, seed: 3 }));
  const slow = named('slow', buildSlowModel({ width: MLP_WIDTH, hidden: 256, depth: 64 }));
  const recs = records(512);
  const { scored, wins } = await serve(recs, [slow, fast], {
    strategy: { deadline: { deadlineMs: 2, fallback: 'fast' } },
    width: MLP_WIDTH,
    extract: features,
    models: ['fast', 'slow'],
    maxBatchSize: 128,
    lingerMs: 60_000, // batches close by size and at end of input only: 128 rows take the slow model far beyond 2 ms
  });
  t.equal(scored.length, 512, 'one output per record');
  t.same(new Set(scored.map((s) => s.record.id)).size, 512);
  t.ok(
    scored.every((s) => s.model === 'fast' && s.winners.join() === 'fast@1'),
    'every answer is the fallback',
  );
  t.ok(
    scored.every((s) => s.missed.includes('slow@1') && s.answered.join() === 'fast@1'),
    'the slow model is reported as missed',
  );
  const ref = await reference(fast, recs);
  t.ok(
    scored.every((s) => Math.abs(s.prediction - ref[s.record.id]!) < 1e-5),
    'predictions are the fallback model scores',
  );
  t.same(wins, { 'fast@1': 512, 'slow@1': 0 }, 'wins counted per model in the operator stats');
});

t.test(
  'deadline is hard: a model that never answers is abandoned at the deadline, also through a worker pool',
  async (t) => {
    const fast = named('fast', buildLogisticRegressionModel({ width: MLP_WIDTH, seed: 3 }));
    const hang = named('hang', buildLogisticRegressionModel({ width: MLP_WIDTH, seed: 4 }));
    const registry = () =>
      new ModelFactoryRegistry().register({
        modelType: 'ONNX',
        create: async (d) => {
          const m = await OnnxModel.load(d);
          if (d.name !== 'hang') return m;
          return {
            descriptor: d,
            inputWidth: m.inputWidth,
            outputWidth: m.outputWidth,
            backend: m.backend,
            scoreBatch: () => new Promise<Float32Array>(() => {}),
            dispose: () => m.dispose(),
          };
        },
      });
    const opts = {
      strategy: { deadline: { deadlineMs: 20, fallback: 'fast' } },
      width: MLP_WIDTH,
      extract: features,
      models: ['fast', 'hang'],
      maxBatchSize: 64,
    };
    const hung = await serve(records(300), [hang, fast], { ...opts, registry });
    t.equal(hung.scored.length, 300, 'every record answered although one model never returns');
    t.ok(
      hung.scored.every((s) => s.model === 'fast' && s.missed.includes('hang@1')),
      'the fallback answered each batch',
    );
    t.same(hung.wins, { 'fast@1': 300, 'hang@1': 0 });
    const slow = named('slow', buildSlowModel({ width: MLP_WIDTH, hidden: 256, depth: 64 }));
    const pooled = await serve(records(256), [slow, fast], {
      ...opts,
      strategy: { deadline: { deadlineMs: 2, fallback: 'fast' } },
      models: ['fast', 'slow'],
      maxBatchSize: 128,
      lingerMs: 60_000,
      workerPool: { size: 2 },
    });
    t.equal(pooled.scored.length, 256, 'worker pool: every record answered');
    t.ok(
      pooled.scored.every((s) => s.model === 'fast'),
      'worker pool: the slow model missed, the fallback answered',
    );
  },
);

t.test('consensus: 3 models, the majority class wins, prediction = mean of the agreeing models', async (t) => {
  const ds = [named('a', sigmoidMlp(1)), named('b', sigmoidMlp(2)), named('c', sigmoidMlp(3))];
  const recs = records(300);
  const { scored, wins } = await serve(recs, ds, {
    strategy: { consensus: {} },
    width: MLP_WIDTH,
    extract: features,
    models: ['a', 'b', 'c'],
    maxBatchSize: 64,
  });
  t.equal(scored.length, 300);
  const refs = await Promise.all(ds.map((d) => reference(d, recs)));
  const expected = new Map<number, { winners: string[]; p: number }>();
  for (const r of recs) {
    const votes = refs.map((ref) => (ref[r.id]! >= 0.5 ? 1 : 0));
    const major = votes.filter((v) => v === 1).length >= 2 ? 1 : 0;
    const agree = ds
      .map((d, k) => ({ id: `${d.name}@1`, p: refs[k]![r.id]!, v: votes[k] }))
      .filter((x) => x.v === major);
    expected.set(r.id, {
      winners: agree.map((x) => x.id).sort(),
      p: agree.reduce((s, x) => s + x.p, 0) / agree.length,
    });
  }
  const wrong = scored.filter((s) => {
    const e = expected.get(s.record.id)!;
    return s.winners.slice().sort().join() !== e.winners.join() || Math.abs(s.prediction - e.p) > 1e-5;
  });
  t.same(wrong.length, 0, 'winners and predictions match the per-record majority');
  t.ok(
    scored.some((s) => s.winners.length === 2),
    'some records have a 2-of-3 majority',
  );
  const credits = scored.reduce((n, s) => n + s.winners.length, 0);
  t.equal(
    Object.values(wins).reduce((a, b) => a + b, 0),
    credits,
    'every agreeing model is credited',
  );
});

t.test('quality: the best declared metric wins (higher or lower is better)', async (t) => {
  const ds = [
    named('a', sigmoidMlp(4), { auc: 0.71, logLoss: 0.3 }),
    named('b', sigmoidMlp(5), { auc: 0.93, logLoss: 0.5 }),
    named('c', sigmoidMlp(6), { auc: 0.85, logLoss: 0.2 }),
  ];
  const recs = records(200);
  const hi = await serve(recs, ds, {
    strategy: { quality: { by: 'metric', metric: 'auc' } },
    width: MLP_WIDTH,
    extract: features,
    models: ['a', 'b', 'c'],
  });
  t.equal(hi.scored.length, 200);
  const refB = await reference(ds[1]!, recs);
  t.ok(
    hi.scored.every((s) => s.model === 'b' && Math.abs(s.prediction - refB[s.record.id]!) < 1e-5),
    'highest auc: b',
  );
  t.same(hi.wins, { 'a@1': 0, 'b@1': 200, 'c@1': 0 });
  const lo = await serve(recs, ds, {
    strategy: { quality: { by: 'metric', metric: 'logLoss', higherIsBetter: false } },
    width: MLP_WIDTH,
    extract: features,
    models: ['a', 'b', 'c'],
  });
  t.ok(
    lo.scored.every((s) => s.model === 'c'),
    'lowest logLoss: c',
  );
});

t.test('the builder validates options; SpeculativeServing.broadcast serves at parallelism 2', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const base = { width: MLP_WIDTH, extract: features };
  t.throws(
    () =>
      SpeculativeServing.broadcast(env.fromCollection(records(1)), env.fromCollection<ModelDescriptor>([]), {
        ...base,
        strategy: { deadline: { deadlineMs: 0, fallback: 'x' } },
      }),
    /deadlineMs > 0/,
  );
  t.throws(
    () =>
      SpeculativeServing.broadcast(env.fromCollection(records(1)), env.fromCollection<ModelDescriptor>([]), {
        ...base,
        width: 0,
        strategy: {},
      }),
    /width must be a positive integer/,
  );
  const ds = [
    named('a', sigmoidMlp(1)),
    named('bad', new Uint8Array([1, 2, 3])),
    named('b', sigmoidMlp(2)),
    named('c', sigmoidMlp(3)),
  ];
  const out = SpeculativeServing.broadcast(env.fromCollection(records(400)).rebalance(), env.fromCollection(ds), {
    ...base,
    strategy: { consensus: {} },
    models: ['a', 'b', 'c'],
  }).uid('spec');
  const statuses = out.getSideOutput(MODEL_STATUS_TAG).map((s) => `${s.name}:${s.status}:${s.code ?? ''}`);
  const all = (await out
    .map((s) => `scored:${s.record.id}:${s.answered.join('+')}`)
    .union(statuses)
    .executeAndCollect()) as string[];
  const scored = all.filter((l) => l.startsWith('scored:'));
  t.same(
    scored.map((l) => Number(l.split(':')[1])).sort((a, b) => a - b),
    records(400).map((r) => r.id),
    'every record scored once across 2 subtasks',
  );
  t.ok(
    scored.every((l) => l.endsWith(':a@1+b@1+c@1')),
    'the three good models answered every batch',
  );
  t.same(
    [...new Set(all.filter((l) => !l.startsWith('scored:')))].sort(),
    ['a:accepted:', 'b:accepted:', 'bad:rejected:MODEL_LOAD_FAILED', 'c:accepted:'],
    'a bad model is rejected on model-status, the others serve',
  );
});

t.test('restore: models and waiting records come back from operator state', async (t) => {
  const ds = [named('a', sigmoidMlp(1)), named('b', sigmoidMlp(2)), named('c', sigmoidMlp(3))];
  const opts: SpeculativeServingOptions<Rec> = {
    strategy: { quality: { by: 'confidence' } },
    width: MLP_WIDTH,
    extract: features,
    models: ['a', 'b', 'c'],
    maxBatchSize: 16,
    lingerMs: 60_000,
  };
  const harness = (restored: boolean, store = createOperatorStateStore()) => {
    const out: SpeculativeScored<Rec>[] = [];
    const statuses: string[] = [];
    const ctx = {
      operatorUid: 'speculative',
      operatorName: 'speculative',
      subtaskIndex: 0,
      parallelism: 1,
      output: {
        collect: (r: { value: unknown }) => out.push(r.value as SpeculativeScored<Rec>),
        collectSide: (_t: unknown, r: { value: { version: string; status: string } }) =>
          statuses.push(`${r.value.status}`),
      },
      processingTimeService: { currentProcessingTime: () => Date.now(), registerTimer: () => () => undefined },
      metrics: { counter: () => ({ inc: () => undefined, getCount: () => 0 }), gauge: () => undefined },
    } as unknown as OperatorContext;
    const op = new SpeculativeServingOperator<Rec>(opts);
    op.setup(ctx);
    return {
      op,
      out,
      statuses,
      store,
      init: () =>
        op.initializeState({ isRestored: () => restored, operatorStateStore: store, keyedStateBackend: undefined }),
    };
  };
  const rec = (v: unknown) => ({ kind: ElementKind.Record as const, value: v, timestamp: 0 });

  const first = harness(false);
  await first.init();
  first.op.open();
  await first.op.processElement2(rec(ds[0]));
  await first.op.processElement2(rec(ds[1]));
  for (const r of records(40)) await first.op.processElement1(rec(r));
  t.equal(first.out.length, 0, 'no output while model c is missing');
  await first.op.prepareSnapshotPreBarrier();
  first.op.snapshotState();
  const snapshot = first.store.snapshot();
  await first.op.close();

  const store = createOperatorStateStore();
  store.restore(structuredClone(snapshot)); // a deep copy: nothing shared with the first instance
  const second = harness(true, store);
  await second.init();
  second.op.open();
  await second.op.processElement2(rec(ds[2]));
  await second.op.finish();
  t.equal(second.out.length, 40, 'the 40 waiting records were restored and scored once c arrived');
  t.same(
    [...new Set(second.out.flatMap((s) => s.answered))].sort(),
    ['a@1', 'b@1', 'c@1'],
    'a and b were reinstalled from broadcast state',
  );
  const refs = await Promise.all(ds.map((d) => reference(d, records(40))));
  const wrong = second.out.filter((s) => {
    const k = ['a', 'b', 'c'].indexOf(s.model);
    return Math.abs(s.prediction - refs[k]![s.record.id]!) > 1e-5;
  });
  t.same(wrong.length, 0, 'predictions come from the restored models');
  await second.op.close();
});
