/**
 * A bounded pool of worker_threads running onnxruntime sessions, for models too slow for the event loop.
 * Every worker holds a session of every loaded model; run() sends the batch to the least-busy worker (the
 * features are copied by postMessage: a slow model's run dwarfs the copy) and the output buffer comes back
 * transferred. Invariants: at most `maxQueued` runs are outstanding (more reject MODEL_POOL_SATURATED at
 * once, never buffer unboundedly); a worker that exits unexpectedly fails its outstanding requests with
 * MODEL_POOL_CLOSED and is respawned with every loaded model; restart() does that for all workers;
 * after close() every call rejects.
 */
import { createRequire } from 'node:module';
import { SluiceError } from '../../runtime/errors/index.js';
import { platform, type Worker } from '../../runtime/platform/index.js';
import { OnnxModel, type OnnxModelOptions } from './onnx-model.js';
import type { ModelDescriptor } from './descriptor.js';
import { assertFiniteOutput, type ModelFactory, type ServingModel } from './model.js';
import { WORKER_SOURCE } from './worker-pool-script.js';

interface Pending {
  resolve: (m: Reply) => void;
  reject: (e: Error) => void;
  isRun: boolean;
}
interface Reply {
  id: number;
  ok?: boolean;
  error?: string;
  out?: Float32Array;
  memory?: NodeJS.MemoryUsage;
  sessions?: number;
}
interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  busy: number;
  ready: Promise<void>;
}

export interface WorkerPoolOptions {
  size: number;
  maxQueued: number;
  sessionOptions?: OnnxModelOptions['sessionOptions'];
}

export class InferenceWorkerPool {
  private slots: Slot[] = [];
  private readonly models = new Map<string, Uint8Array>();
  private nextId = 1;
  private outstanding = 0;
  private closed = false;
  restarts = 0;
  private readonly ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');

  constructor(private readonly opts: WorkerPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1)
      throw new SluiceError('API_INVALID_ARGUMENT', `worker pool size must be ≥ 1, got ${opts.size}`);
    for (let i = 0; i < opts.size; i++) this.slots.push(this.spawn());
  }

  get loadedModels(): string[] {
    return [...this.models.keys()];
  }

  async load(modelId: string, bytes: Uint8Array): Promise<void> {
    this.models.set(modelId, bytes);
    await Promise.all(
      this.slots.map((s) =>
        this.send(s, { type: 'load', modelId, bytes, options: this.opts.sessionOptions ?? {} }, false),
      ),
    );
  }

  async unload(modelId: string): Promise<void> {
    this.models.delete(modelId);
    await Promise.all(this.slots.map((s) => this.send(s, { type: 'unload', modelId }, false)));
  }

  async run(modelId: string, features: Float32Array, rows: number, width: number): Promise<Float32Array> {
    if (this.closed) throw new SluiceError('MODEL_POOL_CLOSED', 'inference pool is closed');
    if (this.outstanding >= this.opts.maxQueued) {
      throw new SluiceError(
        'MODEL_POOL_SATURATED',
        `inference pool has ${this.outstanding} runs outstanding (max ${this.opts.maxQueued})`,
      );
    }
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const copy = features.slice(0, rows * width);
    const reply = await this.send(slot, { type: 'run', modelId, features: copy, rows, width }, true);
    return reply.out!;
  }

  /** Memory of each worker (process-wide rss, per-isolate heap) and its session count. */
  async memory(): Promise<{ memory: NodeJS.MemoryUsage; sessions: number }[]> {
    const r = await Promise.all(this.slots.map((s) => this.send(s, { type: 'memory' }, false)));
    return r.map((x) => ({ memory: x.memory!, sessions: x.sessions! }));
  }

  /** Fault injection: makes worker `index` exit as a native crash would; it is respawned with every model. */
  crashWorker(index: number): void {
    this.slots[index]?.worker.postMessage({ type: 'crash', id: 0 });
  }

  /** Resolves when every worker has (re)loaded every model. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  /** Terminates and respawns every worker, reloading every model; outstanding requests fail. */
  async restart(): Promise<void> {
    const old = this.slots;
    this.slots = old.map(() => this.spawn());
    for (const s of old) {
      this.failAll(s, 'pool restarted');
      s.worker.removeAllListeners('exit');
      await s.worker.terminate();
    }
    this.restarts++;
    await Promise.all(this.slots.map((s) => s.ready));
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots;
    this.slots = [];
    for (const s of slots) {
      this.failAll(s, 'pool closed');
      s.worker.removeAllListeners('exit');
      await s.worker.terminate();
    }
  }

  private spawn(): Slot {
    const worker = platform.processes.evalWorker(WORKER_SOURCE, { ortPath: this.ortPath });
    const slot: Slot = { worker, pending: new Map(), busy: 0, ready: Promise.resolve() };
    worker.on('message', (m: Reply) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      this.settle(slot, p);
      if (m.error !== undefined)
        p.reject(new SluiceError(p.isRun ? 'MODEL_BAD_OUTPUT' : 'MODEL_LOAD_FAILED', `inference worker: ${m.error}`));
      else p.resolve(m);
    });
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      this.failAll(slot, 'worker exited');
      if (this.closed) return;
      const i = this.slots.indexOf(slot);
      if (i >= 0) {
        this.restarts++;
        this.slots[i] = this.spawn();
      }
    });
    const loads = [...this.models.entries()].map(([modelId, bytes]) =>
      this.send(slot, { type: 'load', modelId, bytes, options: this.opts.sessionOptions ?? {} }, false),
    );
    slot.ready = Promise.all(loads).then(() => undefined);
    slot.ready.catch(() => undefined);
    return slot;
  }

  private send(slot: Slot, msg: Record<string, unknown>, isRun: boolean): Promise<Reply> {
    if (this.closed) return Promise.reject(new SluiceError('MODEL_POOL_CLOSED', 'inference pool is closed'));
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, isRun });
      slot.busy++;
      if (isRun) this.outstanding++;
      slot.worker.postMessage({ ...msg, id });
    });
  }

  private settle(slot: Slot, p: Pending): void {
    slot.busy--;
    if (p.isRun) this.outstanding--;
  }

  private failAll(slot: Slot, why: string): void {
    for (const p of slot.pending.values()) {
      this.settle(slot, p);
      p.reject(new SluiceError('MODEL_POOL_CLOSED', `inference worker request failed: ${why}`));
    }
    slot.pending.clear();
  }
}

/** A model served by the pool; validated (schema, warm-up) once on the event loop, then released there. */
export class PooledModel implements ServingModel {
  readonly backend = 'onnxruntime-node/worker-pool';
  private disposed = false;
  constructor(
    readonly descriptor: ModelDescriptor,
    readonly inputWidth: number,
    readonly outputWidth: number,
    private readonly pool: InferenceWorkerPool,
    private readonly modelId: string,
  ) {}

  async scoreBatch(features: Float32Array, rows: number, width: number): Promise<Float32Array> {
    const out = await this.pool.run(this.modelId, features, rows, width);
    assertFiniteOutput(this.descriptor, out, this.outputWidth);
    return out;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.pool.unload(this.modelId);
  }
}

/** Factory for modelType ONNX that serves through the pool (register it instead of onnxModelFactory). */
export function pooledOnnxModelFactory(pool: InferenceWorkerPool, opts: OnnxModelOptions = {}): ModelFactory {
  let seq = 0;
  return {
    modelType: 'ONNX',
    create: async (d) => {
      const probe = await OnnxModel.load(d, opts);
      const { inputWidth, outputWidth } = probe;
      await probe.dispose();
      const modelId = `${d.name}@${d.version}#${d.sha256.slice(0, 12)}#${++seq}`;
      await pool.load(modelId, d.data!);
      return new PooledModel(d, inputWidth, outputWidth, pool, modelId);
    },
  };
}
