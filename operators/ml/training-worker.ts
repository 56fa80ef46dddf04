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
 * Timeout (`trainingTimeoutMs`): counted from the moment the thread starts the training function (loading the
 * job module into a fresh thread is not counted). A training that runs longer is stopped by terminating its
 * thread — a training step holds the thread, so nothing gentler can interrupt it — and its `run` rejects with
 * TRAINING_TIMED_OUT; the runs queued behind it are handed, in order, to a fresh thread and are not failed.
 */
import type { TrainerRef } from '../../runtime/api/trainer-ref.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform, type TimerHandle, type Worker } from '../../runtime/platform/index.js';
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

export interface TrainingWorkerOptions {
  /** Longest a training may run before its thread is terminated (default: no limit). */
  trainingTimeoutMs?: number;
}

interface Pending {
  input: unknown;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer?: TimerHandle;
}

type Reply = { id: number; started?: true; out?: unknown; error?: string };

export class TrainingWorker<I, O> {
  private worker: Worker | undefined;
  /** Runs not answered yet, in submission order (Map iteration order). */
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Trainings completed (successfully or not) by this worker. */
  completed = 0;
  /** Threads terminated because a training exceeded `trainingTimeoutMs`. */
  timedOut = 0;

  constructor(
    private readonly ref: TrainerRef<I, O>,
    private readonly options: TrainingWorkerOptions = {},
  ) {
    const t = options.trainingTimeoutMs;
    if (t !== undefined && !(Number.isFinite(t) && t > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `trainingTimeoutMs must be a positive number (got ${t})`);
  }

  /** Trains `input` in the worker thread; resolves with the trainer's result. */
  run(input: I): Promise<O> {
    if (this.closed) return Promise.reject(new SluiceError('TRAINING_FAILED', `trainer ${this.ref.name}: closed`));
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise<O>((resolve, reject) => {
      this.pending.set(id, { input, resolve: resolve as (v: unknown) => void, reject });
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
    w.on('message', (m: Reply) => this.onReply(m));
    w.on('error', () => undefined);
    w.on('exit', (code) => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(`worker thread exited with code ${code}`);
    });
    this.worker = w;
    return w;
  }

  private onReply(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.started) {
      const limit = this.options.trainingTimeoutMs;
      if (limit !== undefined) p.timer = platform.clock.setTimeout(() => this.timeOut(m.id, limit), limit);
      return;
    }
    this.pending.delete(m.id);
    if (p.timer !== undefined) platform.clock.clear(p.timer);
    this.completed++;
    if (m.error !== undefined)
      p.reject(new SluiceError('TRAINING_FAILED', `trainer ${this.ref.name} failed: ${m.error}`));
    else p.resolve(m.out);
  }

  /** Stops the thread of a training over its limit; the runs queued behind it go to a fresh thread. */
  private timeOut(id: number, limitMs: number): void {
    const p = this.pending.get(id);
    const w = this.worker;
    if (!p || !w || this.closed) return;
    this.pending.delete(id);
    this.worker = undefined;
    w.removeAllListeners('message');
    w.removeAllListeners('exit');
    void w.terminate();
    this.timedOut++;
    this.completed++;
    p.reject(
      new SluiceError(
        'TRAINING_TIMED_OUT',
        `trainer ${this.ref.name}: the training ran longer than trainingTimeoutMs (${limitMs} ms); its worker thread was terminated`,
      ),
    );
    if (!this.pending.size) return;
    const fresh = this.ensureWorker();
    for (const [queuedId, queued] of this.pending) fresh.postMessage({ id: queuedId, input: queued.input });
  }

  private failAll(why: string): void {
    for (const p of this.pending.values()) {
      if (p.timer !== undefined) platform.clock.clear(p.timer);
      p.reject(new SluiceError('TRAINING_FAILED', `trainer ${this.ref.name}: ${why}`));
    }
    this.pending.clear();
  }
}
