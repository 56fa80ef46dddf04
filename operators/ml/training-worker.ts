/**
 * TrainingWorker: runs a job's trainer (a TrainerRef from `defineTrainer`, runtime/bundle/trainers.ts) in a
 * worker thread, so a model trains while the task's event loop keeps processing (scoring, checkpoints,
 * heartbeats). The thread evaluates the job module through runtime/bundle/training-worker-main (loaded by
 * URL, at run time) and answers one training at a time.
 *
 * Invariants: one worker runs one training at a time, in submission order; inputs and results cross the
 * thread by structured clone (plain objects, arrays, typed arrays); a training that throws rejects its `run`
 * with TRAINING_FAILED, a worker that dies rejects every outstanding run and is respawned on the next;
 * after close() every run rejects.
 */
import type { TrainerRef } from '../../runtime/api/trainer-ref.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform, type Worker } from '../../runtime/platform/index.js';
import { TRAINING_WORKER_SOURCE } from './training-worker-source.js';

const FROM_SOURCES = import.meta.url.endsWith('.ts');
const MAIN_URL = new URL(
  FROM_SOURCES ? '../../runtime/bundle/training-worker-main.ts' : '../../runtime/bundle/training-worker-main.js',
  import.meta.url,
).href;
/**
 * Where this file or the job module is TypeScript (tests, tsx), the worker registers the tsx loader itself:
 * loader hooks of the parent (`--import`) do not reach worker threads on Node 20. Built code (dist/,
 * bundles) needs none.
 */
function tsLoaderUrl(moduleUrl: string): string | undefined {
  return FROM_SOURCES || /\.[cm]?ts$/.test(new URL(moduleUrl).pathname)
    ? import.meta.resolve('tsx/esm/api')
    : undefined;
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class TrainingWorker<I, O> {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Trainings completed (successfully or not) by this worker. */
  completed = 0;

  constructor(private readonly ref: TrainerRef<I, O>) {}

  /** Trains `input` in the worker thread; resolves with the trainer's result. */
  run(input: I): Promise<O> {
    if (this.closed) return Promise.reject(new SluiceError('TRAINING_FAILED', `trainer ${this.ref.name}: closed`));
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<O>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, input });
    });
  }

  /** Runs still queued or training. */
  get outstanding(): number {
    return this.pending.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    this.failAll('closed');
    if (w) {
      w.removeAllListeners('exit');
      await w.terminate();
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = platform.processes.evalWorker(TRAINING_WORKER_SOURCE, {
      mainUrl: MAIN_URL,
      tsLoaderUrl: tsLoaderUrl(this.ref.moduleUrl),
      moduleUrl: this.ref.moduleUrl,
      name: this.ref.name,
      args: [...this.ref.args],
    });
    w.on('message', (m: { id: number; out?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.completed++;
      if (m.error !== undefined)
        p.reject(new SluiceError('TRAINING_FAILED', `trainer ${this.ref.name} failed: ${m.error}`));
      else p.resolve(m.out);
    });
    w.on('error', () => undefined);
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(`worker thread exited with code ${code}`);
    });
    this.worker = w;
    return w;
  }

  private failAll(why: string): void {
    for (const p of this.pending.values())
      p.reject(new SluiceError('TRAINING_FAILED', `trainer ${this.ref.name}: ${why}`));
    this.pending.clear();
  }
}
