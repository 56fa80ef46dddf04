/**
 * TrainerRef: a named training function of a job module, as data (it crosses processes and threads): the
 * worker thread that trains evaluates `moduleUrl` with `args` and takes the function registered under
 * `name` (runtime/bundle/trainers.ts defines and registers; operators/ml/training-worker.ts runs).
 */
export interface TrainerRef<I, O> {
  readonly name: string;
  readonly moduleUrl: string;
  /** The job's program arguments when the trainer was defined (the worker evaluates the module with them). */
  readonly args: readonly string[];
  /** Type marker only. */
  readonly __types?: (i: I) => O;
}

export type TrainFn<I, O> = (input: I) => O | Promise<O>;
