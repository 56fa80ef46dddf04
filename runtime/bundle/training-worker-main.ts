/**
 * Worker-thread side of off-thread training (operators/ml/training-worker.ts): evaluates the job module under an execution host
 * that captures `env.execute()` and never runs the job (as every cluster process that evaluates a bundle
 * does), with the job's program arguments, then returns the trainer the module registered.
 * Invariant: code after `env.execute()` never runs here; a module that defines no trainer `name` fails with
 * TRAINING_FAILED naming it.
 */
import { SluiceError } from '../errors/catalogue.js';
import { setExecutionHost } from '../datastream/execution-host.js';
import { setJobArgs } from './job-args.js';
import { registeredTrainer, type TrainFn } from './trainers.js';

export async function loadTrainer(moduleUrl: string, name: string, args: string[]): Promise<TrainFn<unknown, unknown>> {
  let executed!: () => void;
  const captured = new Promise<void>((r) => (executed = r));
  const never = () => {
    executed();
    return new Promise<never>(() => {});
  };
  setExecutionHost({ execute: never, executeAsync: never });
  setJobArgs(args);
  await Promise.race([import(moduleUrl), captured]);
  const train = registeredTrainer(name);
  if (!train) throw new SluiceError('TRAINING_FAILED', `job module ${moduleUrl} defines no trainer "${name}"`);
  return train;
}
