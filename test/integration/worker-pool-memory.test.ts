/**
 * Soak: a model served through the inference worker pool is replaced 200 times; memory stays bounded, only
 * the serving model stays loaded in the pool and every evicted model is disposed. Slow (hundreds of ONNX
 * session loads in worker threads), so it runs with the integration tests; the pool's behaviour is in
 * test/unit/ml/worker-pool.test.ts.
 */
import t from 'tap';
import { InferenceWorkerPool, pooledOnnxModelFactory } from '../../operators/ml/worker-pool.js';
import { ModelFactoryRegistry } from '../../operators/ml/model.js';
import { ModelManager } from '../../operators/ml/model-manager.js';
import { systemClock } from '../../runtime/platform/clock.js';
import { MLP_WIDTH, buildMlpModel, mlpDescriptor } from '../support/models/index.js';

const features = new Float32Array(32 * MLP_WIDTH).map((_, i) => Math.cos(i * 0.37));

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
