import t from 'tap';
import { SpeculativeScorer } from '../../../operators/ml/speculative.js';
import type { ServingModel } from '../../../operators/ml/model.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';
import { systemClock } from '../../../runtime/platform/clock.js';
import { ServingStats } from '../../../operators/ml/stats.js';
import { MLP_WIDTH, buildSlowModel, mlpDescriptor } from '../../support/models/index.js';

/** A fake model whose per-row outputs are given; `fail` makes it throw. */
function fake(version: string, rowsOut: number[], metrics: Record<string, number> = {}, fail = false): ServingModel {
  const descriptor = mlpDescriptor(version, 1, undefined, {
    training: { trainedAt: 0, dataWindow: { fromMs: 0, toMs: 1 }, metrics, featureSchema: [], codeVersion: 'x' },
  });
  return {
    descriptor,
    inputWidth: 1,
    outputWidth: 1,
    backend: 'fake',
    scoreBatch: async () => {
      if (fail) throw new Error('boom');
      return Float32Array.from(rowsOut);
    },
    dispose: async () => undefined,
  };
}
const clock = { monotonicMs: () => 0 };
const f = new Float32Array(3);

t.test('consensus: strict majority per row, mean of the agreeing values, wins credited', async (t) => {
  const a = fake('a', [0.9, 0.1, 0.6]);
  const b = fake('b', [0.7, 0.8, 0.2]);
  const c = fake('c', [0.2, 0.9, 0.7]);
  const s = new SpeculativeScorer([a, b, c], { consensus: {} }, clock);
  const r = await s.scoreBatch(f, 3, 1);
  t.same(r.winners, [
    ['mlp@a', 'mlp@b'],
    ['mlp@b', 'mlp@c'],
    ['mlp@a', 'mlp@c'],
  ]);
  t.ok(Math.abs(r.predictions[0]! - 0.8) < 1e-6);
  t.ok(Math.abs(r.predictions[1]! - 0.85) < 1e-6);
  t.same(s.wins(), { 'mlp@a': 2, 'mlp@b': 2, 'mlp@c': 2 });
  const two = new SpeculativeScorer([a, b], { consensus: {} }, clock);
  t.same((await two.scoreBatch(f, 3, 1)).winners[0], ['mlp@a'], 'fewer than 3 models: first model');
  const failing = new SpeculativeScorer([a, b, c, fake('d', [], {}, true)], { consensus: {} }, clock);
  const rf = await failing.scoreBatch(f, 3, 1);
  t.same(rf.droppedOut, ['mlp@d'], 'a failing model drops out');
});

t.test('quality: by confidence per row and by declared metric', async (t) => {
  const a = fake('a', [0.9, 0.55], { auc: 0.7 });
  const b = fake('b', [0.6, 0.01], { auc: 0.9 });
  const conf = new SpeculativeScorer([a, b], { quality: { by: 'confidence' } }, clock);
  t.same((await conf.scoreBatch(f, 2, 1)).winners, [['mlp@a'], ['mlp@b']]);
  const metric = new SpeculativeScorer([a, b], { quality: { by: 'metric', metric: 'auc' } }, clock);
  const r = await metric.scoreBatch(f, 2, 1);
  t.same(r.winners, [['mlp@b'], ['mlp@b']]);
  t.same(Array.from(r.predictions), [Float32Array.of(0.6)[0], Float32Array.of(0.01)[0]]);
  const lower = new SpeculativeScorer(
    [a, b],
    { quality: { by: 'metric', metric: 'auc', higherIsBetter: false } },
    clock,
  );
  t.same((await lower.scoreBatch(f, 2, 1)).winners[0], ['mlp@a']);
  t.same(metric.wins(), { 'mlp@a': 0, 'mlp@b': 2 });
});

t.test('deadline with fallback on real models (measured duration vs budget), combined with quality', async (t) => {
  const slow = await OnnxModel.load(
    mlpDescriptor('slow', 3, buildSlowModel({ width: MLP_WIDTH, hidden: 128, depth: 16 }), {
      outputSchema: [{ name: 'score', shape: [-1, 1] }],
    }),
  );
  const fast = await OnnxModel.load(mlpDescriptor('fast', 1));
  t.teardown(async () => {
    await slow.dispose();
    await fast.dispose();
  });
  const features = new Float32Array(64 * MLP_WIDTH).map((_, i) => Math.sin(i));
  const stats = new ServingStats();
  stats.forModel(fast.descriptor, fast.backend, 0);
  const tight = new SpeculativeScorer([slow, fast], { deadlineMs: 0, fallback: 'mlp@fast' }, systemClock, stats);
  const r1 = await tight.scoreBatch(features, 64, MLP_WIDTH);
  t.ok(r1.durationsMs['mlp@slow']! > 0, `slow took ${r1.durationsMs['mlp@slow']} ms`);
  t.same(r1.droppedOut, ['mlp@slow'], 'slow model missed a zero budget');
  t.same(r1.winners[0], ['mlp@fast']);
  const expected = await fast.scoreBatch(features, 64, MLP_WIDTH);
  t.same(Array.from(r1.predictions), Array.from(expected), 'fallback result served');
  t.equal(stats.get('mlp@fast')!.wins, 64, 'wins recorded in stats');
  const roomy = new SpeculativeScorer(
    [slow, fast],
    { deadlineMs: 60_000, fallback: 'mlp@fast', quality: { by: 'confidence' } },
    systemClock,
  );
  const r2 = await roomy.scoreBatch(features, 64, MLP_WIDTH);
  t.same(r2.droppedOut, ['mlp@fast'], 'primary made the budget: fallback not used');
  t.equal(roomy.wins()['mlp@slow'], 64);
  t.throws(() => new SpeculativeScorer([slow], { deadlineMs: 1, fallback: 'nope' }, systemClock), {
    code: 'API_INVALID_ARGUMENT',
  });
});
