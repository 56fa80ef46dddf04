/**
 * Off-thread training, the job side: `defineTrainer` names a training function of the job module and
 * registers it, so a worker thread that evaluates the job module (training-worker-main.ts, started by
 * operators/ml/training-worker.ts) finds it by name. The job's code reaches the worker the way it reaches
 * every cluster process — by module: `moduleUrl` is the job's `import.meta.url` (the stored bundle in a
 * cluster, the source file elsewhere), evaluated with the job's arguments under an execution host that never
 * runs the job.
 * Invariant: a trainer is defined at the job module's top level (before `env.execute()`), so evaluating the
 * module registers it.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { TrainFn, TrainerRef } from '../api/trainer-ref.js';
import { jobArgs } from './job-args.js';

export type { TrainFn, TrainerRef } from '../api/trainer-ref.js';

const REGISTRY = Symbol.for('sluice.trainers');
function registry(): Map<string, TrainFn<unknown, unknown>> {
  const g = globalThis as Record<symbol, Map<string, TrainFn<unknown, unknown>> | undefined>;
  g[REGISTRY] ??= new Map();
  return g[REGISTRY];
}

/**
 * Registers `train` under `name` for worker threads evaluating `moduleUrl` (pass the job's `import.meta.url`)
 * and returns the reference a TrainingWorker runs. Call it at the job module's top level.
 */
export function defineTrainer<I, O>(name: string, moduleUrl: string, train: TrainFn<I, O>): TrainerRef<I, O> {
  if (!name) throw new SluiceError('API_INVALID_ARGUMENT', 'a trainer needs a name');
  if (!/^(file|data):/.test(moduleUrl))
    throw new SluiceError('API_INVALID_ARGUMENT', `trainer ${name}: moduleUrl must be the module's import.meta.url`);
  registry().set(name, train as TrainFn<unknown, unknown>);
  return { name, moduleUrl, args: jobArgs() };
}

/** The function registered under `name` in this thread (the worker side looks it up after evaluation). */
export function registeredTrainer(name: string): TrainFn<unknown, unknown> | undefined {
  return registry().get(name);
}
