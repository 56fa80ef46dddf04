import t from 'tap';
import { InferenceWorkerPool, pooledOnnxModelFactory } from '../../../operators/ml/worker-pool.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';
import { ModelFactoryRegistry } from '../../../operators/ml/model.js';
import { ModelManager } from '../../../operators/ml/model-manager.js';
import { systemClock } from '../../../runtime/platform/clock.js';
import { MLP_WIDTH, buildMlpModel, buildSlowModel, mlpDescriptor } from '../../support/models/index.js';

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
t.test('swapping a pooled model 200 times keeps memory bounded', async (t) => {
  const pool = new InferenceWorkerPool({ size: 2, maxQueued: 16 });
  t.teardown(() => pool.close());
  const registry = new ModelFactoryRegistry().register(pooledOnnxModelFactory(pool, { warmUpRows: 1 }));
  const manager = new ModelManager({ registry, policy: 'processing-time', clock: systemClock });
  t.teardown(() => manager.close());
  const bytesFor = (seed: number) => buildMlpModel({ layers: [MLP_WIDTH, 512, 512, 1], seed });
  const swap = async (i: number) => {
    const st = await manager.install('k', mlpDescriptor(String(i), i, bytesFor(i)));
    if (st.status !== 'accepted') throw new Error(st.reason);
    await manager.select('k', 0)!.scoreBatch(features, 32, MLP_WIDTH);
  };
  for (let i = 0; i < 20; i++) await swap(i);
  global.gc?.();
  const before = process.memoryUsage();
  for (let i = 20; i < 220; i++) await swap(i);
  // disposal of evicted models is asynchronous: wait until the pool holds only the live one
  const deadline = Date.now() + 10_000;
  while (pool.loadedModels.length > 1 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  t.equal(pool.loadedModels.length, 1, 'only the serving model stays loaded');
  const workers = await pool.memory();
  t.same(
    workers.map((w) => w.sessions),
    [1, 1],
    'each worker holds one session',
  );
  global.gc?.();
  const after = process.memoryUsage();
  const rssGrowthMb = (after.rss - before.rss) / 2 ** 20;
  const heapGrowthMb = (after.heapUsed - before.heapUsed) / 2 ** 20;
  t.comment(
    `rss ${(before.rss / 2 ** 20).toFixed(0)} → ${(after.rss / 2 ** 20).toFixed(0)} MB, heap growth ${heapGrowthMb.toFixed(1)} MB`,
  );
  t.ok(rssGrowthMb < 150, `rss growth ${rssGrowthMb.toFixed(1)} MB < 150 MB`);
  t.ok(heapGrowthMb < 64, `heap growth ${heapGrowthMb.toFixed(1)} MB < 64 MB`);
  t.equal(manager.disposedCount, 219);
});
