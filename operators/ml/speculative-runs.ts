/**
 * `SpeculativeRuns`: the model runs of speculative serving. `wrap` gives the SpeculativeScorer a model whose every
 * run is recorded and whose failures are counted; under a deadline its answer is abandoned at `deadlineMs`
 * (a hard timeout, `MODEL_BAD_OUTPUT`) and, while that abandoned run is still busy, the model sits out later
 * batches (rejected at once as busy). `collect` returns the runs one scoreBatch call started.
 *
 * Invariants: a run is recorded synchronously when it starts, so a batch's feature buffer can be kept until every
 * run that reads it settled (`collect`); a model is in `busy` exactly while an abandoned run of it is going;
 * `settled()` resolves once no abandoned run is going (a worker must not be terminated inside a native run).
 * The timeout is only hard for models that score off the event loop (worker pool).
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform } from '../../runtime/platform/index.js';
import type { ServingModel } from './model.js';

/** A model's id as the scorer and the stats know it. */
export const idOf = (m: ServingModel) => `${m.descriptor.name}@${m.descriptor.version}`;

export class SpeculativeRuns {
  /** Underlying runs of timed models still going after their answer was abandoned. */
  private readonly busy = new Map<ServingModel, Promise<unknown>>();
  /** Runs started by the scoreBatch call in progress (collected synchronously). */
  private collecting: Promise<unknown>[] | null = null;

  /** `onFailure(m)` counts a failed run of `m` (called for every run that rejects, abandoned or not). */
  constructor(private readonly onFailure: (m: ServingModel) => void) {}

  /** Calls `start` and returns its result with the runs it started (synchronously). */
  collect<R>(start: () => R): { result: R; runs: Promise<unknown>[] } {
    this.collecting = [];
    const result = start();
    const runs = this.collecting;
    this.collecting = null;
    return { result, runs };
  }

  /** Resolves once every abandoned run has finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.busy.values()]);
  }

  /**
   * Records each run (so the batch buffer outlives it) and counts failures. With `deadlineMs` the answer is
   * abandoned at the deadline, and while the abandoned run is busy the model sits out.
   */
  wrap(m: ServingModel, deadlineMs: number | undefined): ServingModel {
    const scoreBatch = (features: Float32Array, rows: number, width: number): Promise<Float32Array> => {
      if (this.busy.has(m))
        return Promise.reject(new SluiceError('MODEL_BAD_OUTPUT', `${idOf(m)} is still busy with an abandoned batch`));
      const run = m.scoreBatch(features, rows, width);
      this.collecting?.push(run);
      run.catch(() => this.onFailure(m));
      if (deadlineMs === undefined) return run;
      return new Promise<Float32Array>((resolve, reject) => {
        const timer = platform.clock.setTimeout(() => {
          this.busy.set(
            m,
            run.then(
              () => this.busy.delete(m),
              () => this.busy.delete(m),
            ),
          );
          reject(new SluiceError('MODEL_BAD_OUTPUT', `${idOf(m)} missed the ${deadlineMs} ms deadline`));
        }, deadlineMs);
        run.then(resolve, reject).finally(() => platform.clock.clear(timer));
      });
    };
    return {
      descriptor: m.descriptor,
      inputWidth: m.inputWidth,
      outputWidth: m.outputWidth,
      backend: m.backend,
      scoreBatch,
      dispose: () => m.dispose(),
    };
  }
}
