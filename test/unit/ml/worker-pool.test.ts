import t from 'tap';
import { InferenceWorkerPool, pooledOnnxModelFactory } from '../../../operators/ml/worker-pool.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';
import { MLP_WIDTH, buildSlowModel, mlpDescriptor } from '../../support/models/index.js';

const features = new Float32Array(32 * MLP_WIDTH).map((_, i) => Math.cos(i * 0.37));

t.test('pooled scores equal in-thread scores; bounded queue; restart reloads models', async (t) => {
  const pool = new InferenceWorkerPool({ size: 2, maxQueued: 3 });
  t.teardown(() => pool.close());
  const d = mlpDescriptor('slow', 3, buildSlowModel({ width: MLP_WIDTH, hidden: 64, depth: 8 }));
  const local = await OnnxModel.load(d);
  t.teardown(() => local.dispose());
  const pooled = await pooledOnnxModelFactory(pool).create(d);
  t.equal(pooled.backend, 'onnxruntime-node/worker-pool');
  const want = await local.scoreBatch(features, 32, MLP_WIDTH);
  const got = await pooled.scoreBatch(features, 32, MLP_WIDTH);
  t.same(Array.from(got), Array.from(want), 'same session, same outputs');
  const burst = Array.from({ length: 5 }, () =>
    pooled.scoreBatch(features, 32, MLP_WIDTH).then(
      () => 'ok',
      (e: { code?: string }) => e.code,
    ),
  );
  const codes = await Promise.all(burst);
  t.equal(codes.filter((c) => c === 'ok').length, 3, 'maxQueued runs accepted');
  t.equal(codes.filter((c) => c === 'MODEL_POOL_SATURATED').length, 2, 'the rest rejected at once');
  const inflight = pooled.scoreBatch(features, 32, MLP_WIDTH).then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );
  await pool.restart();
  t.equal(await inflight, 'MODEL_POOL_CLOSED', 'request outstanding during restart fails, not hangs');
  t.equal(pool.restarts, 1);
  t.same(
    Array.from(await pooled.scoreBatch(features, 32, MLP_WIDTH)),
    Array.from(want),
    'models reloaded after restart',
  );
  const onCrashed = pooled.scoreBatch(features, 32, MLP_WIDTH).then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );
  pool.crashWorker(0);
  pool.crashWorker(1);
  t.match(await onCrashed, /^(ok|MODEL_POOL_CLOSED)$/, 'a run racing a crash either finished or failed, never hung');
  const deadline = Date.now() + 10_000;
  while (pool.restarts < 3 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  t.equal(pool.restarts, 3, 'both crashed workers respawned');
  t.same(
    Array.from(await pooled.scoreBatch(features, 32, MLP_WIDTH)),
    Array.from(want),
    'respawned workers serve the model (load runs before the run)',
  );
  await pool.ready();
  await pooled.dispose();
  t.same(pool.loadedModels, []);
  await t.rejects(pooled.scoreBatch(features, 32, MLP_WIDTH), { code: 'MODEL_BAD_OUTPUT', message: /not loaded/ });
  await pool.close();
  await t.rejects(pool.run('x', features, 1, MLP_WIDTH), { code: 'MODEL_POOL_CLOSED' });
});

// Memory bound for 200 swaps. Each model is ~1.1 MB of weights (16→512→512→1); a leaked session per swap
// would grow rss by ≥ 200 × 2 workers × 1.1 MB ≈ 440 MB. The bound (150 MB rss, 64 MB main heap) is generous
// for allocator/arena noise yet well under that leak.
