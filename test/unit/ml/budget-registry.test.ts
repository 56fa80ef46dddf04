/**
 * Inference off the event loop where it matters: a model whose full batch exceeds the budget is moved to
 * the worker pool, a fast one stays on the event loop, and both score exactly as onnxruntime does directly.
 */
import t from 'tap';
import { budgetRegistry } from '../../../operators/ml/budget-registry.js';
import { defaultModelRegistry } from '../../../operators/ml/index.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';
import { PooledModel } from '../../../operators/ml/worker-pool.js';
import { buildSlowModel } from '../../../operators/ml/model-builders/onnx-builders.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';

const ROWS = 256;
const timeBatch = async (m: { scoreBatch(f: Float32Array, r: number, w: number): Promise<Float32Array> }) => {
  const f = new Float32Array(ROWS * MLP_WIDTH);
  await m.scoreBatch(f, ROWS, MLP_WIDTH);
  const t0 = performance.now();
  await m.scoreBatch(f, ROWS, MLP_WIDTH);
  return performance.now() - t0;
};

t.test('slow models go to the pool, fast ones stay on the loop, scores unchanged', async (t) => {
  const fast = mlpDescriptor('fast', 1);
  const slow = mlpDescriptor('slow', 1, buildSlowModel({ width: MLP_WIDTH, hidden: 256, depth: 40, seed: 2 }));
  const direct = { fast: await OnnxModel.load(fast), slow: await OnnxModel.load(slow) };
  const [tFast, tSlow] = [await timeBatch(direct.fast), await timeBatch(direct.slow)];
  t.ok(
    tSlow > 5 * tFast,
    `the slow model is slower (${tSlow.toFixed(2)} ms vs ${tFast.toFixed(2)} ms per ${ROWS} rows)`,
  );
  const budgetMs = Math.sqrt(tFast * tSlow);

  const b = await budgetRegistry(defaultModelRegistry(), { budgetMs, size: 1 }, ROWS, MLP_WIDTH);
  t.teardown(() => b.close());
  const mFast = await b.registry.create(fast);
  const mSlow = await b.registry.create(slow);
  t.ok(mFast instanceof OnnxModel, 'fast model stays on the event loop');
  t.ok(mSlow instanceof PooledModel, 'slow model runs in the worker pool');
  t.same(b.pooled, ['mlp@slow']);

  const f = new Float32Array(8 * MLP_WIDTH).map((_, i) => Math.sin(i));
  t.same(
    [...(await mSlow.scoreBatch(f, 8, MLP_WIDTH))],
    [...(await direct.slow.scoreBatch(f, 8, MLP_WIDTH))],
    'pooled scores equal direct scores',
  );
  t.same([...(await mFast.scoreBatch(f, 8, MLP_WIDTH))], [...(await direct.fast.scoreBatch(f, 8, MLP_WIDTH))]);
  await Promise.all([mFast.dispose(), mSlow.dispose(), direct.fast.dispose(), direct.slow.dispose()]);
});

t.test('placement by name: the named models run in the pool without timing, the others on the loop', async (t) => {
  const onLoop = { ...mlpDescriptor('1', 1), name: 'fast-model' };
  const inPool = { ...mlpDescriptor('1', 2), name: 'slow-model' };
  const b = await budgetRegistry(defaultModelRegistry(), { models: ['slow-model'], size: 1 }, ROWS, MLP_WIDTH);
  t.teardown(() => b.close());
  const [a, p] = [await b.registry.create(onLoop), await b.registry.create(inPool)];
  t.ok(a instanceof OnnxModel, 'an unnamed model stays on the event loop');
  t.ok(p instanceof PooledModel, 'a named model runs in the worker pool');
  t.same(b.pooled, ['slow-model@1']);
  await Promise.all([a.dispose(), p.dispose()]);
});
