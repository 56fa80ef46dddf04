/**
 * Inference off the event loop where it matters: a model registry that loads every model on the event loop
 * first, times a full batch (maxBatchSize rows of zeros, after one untimed run; the fastest of up to three
 * timed runs), and — when that batch exceeds `budgetMs` — moves
 * the model to a bounded worker_threads pool (onnxruntime-node runs sessions synchronously on the calling
 * thread, so a slow model there would stall the task's mailbox). Fast models stay on the loop, zero-copy.
 *
 * Placement can also be declared by name (`models`): the named ONNX models go to the pool without timing,
 * the others stay on the loop (speculative serving pools its slow models so a deadline can abandon them).
 *
 * Invariants: the pool is created on first need and closed by `close()`; a model that fails to load in
 * the pool is rejected like any other load failure; non-ONNX models always stay on the loop.
 */
import { platform } from '../../runtime/platform/index.js';
import type { ModelDescriptor } from './descriptor.js';
import { ModelFactoryRegistry, type ModelFactory, type ServingModel } from './model.js';

export interface PoolBudget {
  /** A full batch slower than this (ms) runs in the pool. Without it (and without `models`) every ONNX model does. */
  budgetMs?: number;
  /** Names of the models that run in the pool, decided by name instead of by timing. */
  models?: string[];
  /** Worker threads (default 1) and queued batches before callers wait (default 64). */
  size?: number;
  maxQueued?: number;
}

export interface BudgetRegistry {
  registry: ModelFactoryRegistry;
  /** Names of models placed in the pool so far (name@version). */
  pooled: string[];
  close(): Promise<void>;
}

/** Timed runs of a full batch when placing a model; a model within budget in any of them stays on the loop. */
const TIMED_RUNS = 3;

export async function budgetRegistry(
  base: ModelFactoryRegistry,
  o: PoolBudget,
  batchRows: number,
  width: number,
): Promise<BudgetRegistry> {
  let pool: { close(): Promise<void> } | undefined;
  let pooledFactory: ModelFactory | undefined;
  const pooled: string[] = [];
  const toPool = async (d: ModelDescriptor): Promise<ServingModel> => {
    if (!pooledFactory) {
      const { InferenceWorkerPool, pooledOnnxModelFactory } = await import('./worker-pool.js');
      const p = new InferenceWorkerPool({ size: o.size ?? 1, maxQueued: o.maxQueued ?? 64 });
      pool = p;
      pooledFactory = pooledOnnxModelFactory(p);
    }
    pooled.push(`${d.name}@${d.version}`);
    return pooledFactory.create(d);
  };
  const registry = new ModelFactoryRegistry().register({
    modelType: 'ONNX',
    create: async (d) => {
      if (o.models) return o.models.includes(d.name) ? toPool(d) : base.create(d);
      if (o.budgetMs === undefined) return toPool(d);
      const m = await base.create(d);
      const zeros = new Float32Array(batchRows * width);
      await m.scoreBatch(zeros, batchRows, width); // the first full-size run allocates; time the next ones
      // The model's cost is the fastest of a few runs: one run can be stretched by a GC pause or another
      // process on the core, which says nothing about the model.
      let bestMs = Number.POSITIVE_INFINITY;
      for (let run = 0; run < TIMED_RUNS && bestMs > o.budgetMs; run++) {
        const t0 = platform.clock.monotonicMs();
        await m.scoreBatch(zeros, batchRows, width);
        bestMs = Math.min(bestMs, platform.clock.monotonicMs() - t0);
      }
      if (bestMs <= o.budgetMs) return m;
      await m.dispose();
      return toPool(d);
    },
  });
  for (const t of base.types()) if (t !== 'ONNX') registry.register({ modelType: t, create: (d) => base.create(d) });
  return { registry, pooled, close: async () => pool?.close() };
}
