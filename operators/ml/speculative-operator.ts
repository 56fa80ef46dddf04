/**
 * SpeculativeServingOperator: the two-input stream operator for speculative model serving (docs/architecture.md §8,
 * — input 1 data records, input 2 ModelDescriptors (broadcast: every subtask gets every model).
 * Each Arrow batch is scored by ALL installed models through a SpeculativeScorer (deadline + fallback,
 * majority consensus, quality by confidence or declared metric, combinable) and every record gets one
 * output with the chosen prediction, the winning model(s), and which models answered or missed.
 *
 * Models install under their name (a new version of a name replaces the old one; ModelManager validates,
 * verifies sha256 and warms up; a rejected model is a status record on MODEL_STATUS_TAG). Under a deadline,
 * every model except the fallback gets a hard timeout: its answer is abandoned at `deadlineMs` and, while an
 * abandoned run is still busy, that model sits out later batches. The timeout is only hard for models that
 * score off the event loop (`workerPool`): onnxruntime-node runs sessions synchronously on it, so there the
 * batch waits and SpeculativeScorer's measured durations decide (the same answers, later).
 *
 * Invariants: the descriptors (with bytes) live in broadcast state and are reinstalled through the same
 * validation on restore, so a restored job scores with exactly the models it had. Records arriving before
 * the required models (`models`, plus the fallback) are buffered in operator state and scored once they
 * are in. Every record yields exactly one output, or — when every model failed — one record on
 * SPECULATIVE_UNSCORED_TAG; outputs are emitted in flush order and precede the watermark, barrier or end
 * of input that follows them. A builder's buffer is reused only after every run that read it settled.
 * Win counts per model (name@version) are in ServingStats, published as the `modelStats` gauge.
 */
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import type { OperatorContext, StateInitializationContext, StreamOperator } from '../../runtime/api/operator.js';
import { OutputTag } from '../../runtime/api/output-tag.js';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  type BroadcastState,
  type ListState,
} from '../../runtime/api/state.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform } from '../../runtime/platform/index.js';
import type { FeatureBatchBuilder, FeatureExtractor } from './arrow-batch.js';
import type { ModelDescriptor } from './descriptor.js';
import type { ModelFactoryRegistry, ServingModel } from './model.js';
import type { ModelManager, ModelStatusRecord } from './model-manager.js';
import { MODEL_STATUS_TAG } from './serving-operator.js';
import type { SpeculativeConfig, SpeculativeScorer } from './speculative.js';

/** Records that no model could score (every model failed on their batch). */
export const SPECULATIVE_UNSCORED_TAG = new OutputTag<unknown>('speculative-unscored');
export { MODEL_STATUS_TAG };

export interface SpeculativeStrategy {
  /** Models slower than deadlineMs drop out; `fallback` (a model name) answers when no other model made it. */
  deadline?: { deadlineMs: number; fallback: string };
  /** Majority of ≥ 3 models (class = p ≥ threshold, default 0.5). */
  consensus?: { threshold?: number };
  /** Highest confidence per row, or the highest declared `training.metrics[metric]`. */
  quality?: SpeculativeConfig['quality'];
}

export interface SpeculativeServingOptions<T> {
  strategy: SpeculativeStrategy;
  width: number;
  extract: FeatureExtractor<T>;
  /** Model names that must be installed before scoring starts (default: any one model, plus the fallback). */
  models?: string[];
  /** Rows per Arrow batch (default 256) and the longest a record waits for a full batch (default 20 ms). */
  maxBatchSize?: number;
  lingerMs?: number;
  /** Records buffered while the required models are missing (default 100 000; beyond that they are dropped and counted). */
  maxBuffered?: number;
  registry?: () => ModelFactoryRegistry;
  /**
   * Score ONNX models in a worker_threads pool owned by the subtask (closed with it). onnxruntime-node runs
   * a session synchronously on the event loop, so only off-loop models can be abandoned at the deadline;
   * on the loop the batch waits and the measured duration decides (same answers, later).
   */
  workerPool?: WorkerPoolChoice;
}

/** Worker threads per subtask; `models` (names) limits the pool to the slow ones, the rest stay on the loop. */
export interface WorkerPoolChoice {
  size: number;
  maxQueued?: number;
  models?: string[];
}

export interface SpeculativeScored<T> {
  record: T;
  timestampMs: number;
  prediction: number;
  predictions?: number[];
  /** The first winner's name and version; `winners` lists every credited model id (consensus may credit several). */
  model: string;
  version: string;
  winners: string[];
  /** Model ids that answered in time, and those that missed the deadline, were busy or failed. */
  answered: string[];
  missed: string[];
  batchSize: number;
  servedAtMs: number;
}

interface Envelope<T> {
  value: T;
  ts: number;
}

interface Batch<T> {
  builder: FeatureBatchBuilder<Envelope<T>>;
  records: Envelope<T>[];
}

const idOf = (m: ServingModel) => `${m.descriptor.name}@${m.descriptor.version}`;

export class SpeculativeServingOperator<T> implements StreamOperator<SpeculativeScored<T>> {
  private ctx!: OperatorContext;
  private manager!: ModelManager;
  private newBuilder!: () => FeatureBatchBuilder<Envelope<T>>;
  private featureValuesOf!: (b: FeatureBatchBuilder<Envelope<T>>) => Float32Array;
  private scorerClass!: typeof SpeculativeScorer;
  private scorer: SpeculativeScorer | null = null;
  private modelsState!: BroadcastState<string, ModelDescriptor>;
  private pendingState!: ListState<Envelope<T>>;
  private waiting: Envelope<T>[] = [];
  private dropped = 0;
  private current: Batch<T> | null = null;
  private readonly pool: FeatureBatchBuilder<Envelope<T>>[] = [];
  private cancelLinger: (() => void) | null = null;
  private readonly inflight = new Set<Promise<void>>();
  private lastEmit: Promise<void> = Promise.resolve();
  /** Underlying runs of timed models still going after their answer was abandoned. */
  private readonly busy = new Map<ServingModel, Promise<unknown>>();
  /** Runs started by the scoreBatch call in progress (collected synchronously). */
  private collecting: Promise<unknown>[] | null = null;
  private scoredCount!: { inc(n?: number): void };
  private workerPool: { close(): Promise<void> } | undefined;
  /** Once the required models are in, they stay (a model is replaced, never removed). */
  private isReady = false;

  constructor(private readonly o: SpeculativeServingOptions<T>) {
    const s = o?.strategy;
    if (!s || typeof s !== 'object')
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'speculative serving: a strategy {deadline?, consensus?, quality?} is required',
      );
    if (!(Number.isInteger(o.width) && o.width > 0))
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `speculative serving: width must be a positive integer (got ${o.width})`,
      );
    if (typeof o.extract !== 'function')
      throw new SluiceError('API_INVALID_ARGUMENT', 'speculative serving: extract(record, out, offset) is required');
    if (s.deadline && !(s.deadline.deadlineMs > 0 && typeof s.deadline.fallback === 'string')) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'speculative serving: deadline needs deadlineMs > 0 and a fallback model name',
      );
    }
    if (s.quality && s.quality.by === 'metric' && !s.quality.metric)
      throw new SluiceError('API_INVALID_ARGUMENT', 'speculative serving: quality by metric needs a metric name');
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  /** The scoring stack (apache-arrow, onnxruntime) loads here, where models serve, not at job-module load. */
  async initializeState(init: StateInitializationContext): Promise<void> {
    const registry = this.o.registry
      ? this.o.registry()
      : this.o.workerPool
        ? await this.pooledRegistry(this.o.workerPool)
        : (await import('./index.js')).defaultModelRegistry();
    const [{ ModelManager }, arrow, { SpeculativeScorer }] = await Promise.all([
      import('./model-manager.js'),
      import('./arrow-batch.js'),
      import('./speculative.js'),
    ]);
    const cap = this.o.maxBatchSize ?? 256;
    this.newBuilder = () =>
      new arrow.FeatureBatchBuilder<Envelope<T>>(this.o.width, cap, (e, out, off) => this.o.extract(e.value, out, off));
    this.featureValuesOf = (b) => arrow.featureValues(b.build());
    this.scorerClass = SpeculativeScorer;
    this.manager = new ModelManager({
      registry,
      policy: 'processing-time',
      maxHistoryPerKey: 1,
      clock: { nowMs: () => this.ctx.processingTimeService.currentProcessingTime() },
    });
    this.modelsState = init.operatorStateStore.getBroadcastState(
      new MapStateDescriptor<string, ModelDescriptor>('speculative-models'),
    );
    this.pendingState = init.operatorStateStore.getListState(
      new ListStateDescriptor<Envelope<T>>('speculative-pending'),
    );
    if (!init.isRestored()) return;
    for (const [name, d] of [...this.modelsState.entries()]) {
      const st = await this.manager.install(name, d);
      if (st.status !== 'accepted')
        throw new SluiceError(
          'MODEL_LOAD_FAILED',
          `restoring model ${st.name}@${st.version} failed: ${st.code} ${st.reason}`,
        );
    }
    this.waiting = [...this.pendingState.get()];
    this.pendingState.clear();
  }

  private async pooledRegistry(o: WorkerPoolChoice): Promise<ModelFactoryRegistry> {
    const [{ budgetRegistry }, { defaultModelRegistry }] = await Promise.all([
      import('./budget-registry.js'),
      import('./index.js'),
    ]);
    const pooled = await budgetRegistry(
      defaultModelRegistry(),
      { size: o.size, maxQueued: o.maxQueued ?? 64, ...(o.models ? { models: o.models } : {}) },
      this.o.maxBatchSize ?? 256,
      this.o.width,
    );
    this.workerPool = pooled;
    return pooled.registry;
  }

  open(): void {
    this.scoredCount = this.ctx.metrics.counter('numRecordsScored');
    this.ctx.metrics.gauge('numRecordsWaitingForModels', () => this.waiting.length);
    this.ctx.metrics.gauge('numRecordsWithoutModelDropped', () => this.dropped);
    this.ctx.metrics.gauge('modelStats', () => JSON.stringify(this.manager.stats.snapshot()));
  }

  /** Per-model win counts (name@version → wins) of this subtask. */
  wins(): Record<string, number> {
    return Object.fromEntries(this.manager.stats.snapshot().models.map((m) => [`${m.name}@${m.version}`, m.wins]));
  }

  processElement1(record: StreamRecord): Promise<void> | undefined {
    const env: Envelope<T> = { value: record.value as T, ts: record.timestamp };
    if (!this.ready()) {
      if (this.waiting.length >= (this.o.maxBuffered ?? 100_000)) this.dropped++;
      else this.waiting.push(env);
      return undefined;
    }
    return this.add(env);
  }

  /** Model descriptor: install under its name (validated, warmed up); on acceptance keep it in broadcast state. */
  async processElement2(record: StreamRecord): Promise<void> {
    const d = record.value as ModelDescriptor;
    const name = typeof d?.name === 'string' ? d.name : '?';
    const st = await this.manager.install(name, d);
    this.ctx.output.collectSide(MODEL_STATUS_TAG, {
      kind: ElementKind.Record,
      value: st satisfies ModelStatusRecord,
      timestamp: st.atMs,
    });
    if (st.status !== 'accepted') return;
    this.modelsState.put(name, d);
    this.scorer = null; // rebuilt with the new model set at the next flush
    if (!this.ready() || this.waiting.length === 0) return;
    for (const env of this.waiting.splice(0)) {
      const p = this.add(env);
      if (p) await p;
    }
  }

  processWatermark(_timestamp: number): Promise<void> {
    return this.flushAndSettle();
  }

  async prepareSnapshotPreBarrier(): Promise<void> {
    await this.flushAndSettle();
  }

  snapshotState(): void {
    this.pendingState.update([...this.waiting]);
  }

  async finish(): Promise<void> {
    if (this.waiting.length) {
      const missing = this.missingModels();
      throw new SluiceError(
        'MODEL_LOAD_FAILED',
        `speculative serving: input ended with ${this.waiting.length} records waiting for models ${missing.join(', ')}`,
      );
    }
    await this.flushAndSettle();
  }

  async close(): Promise<void> {
    this.cancelLinger?.();
    this.cancelLinger = null;
    if (this.workerPool) {
      // Terminating a worker inside a native session run aborts the process: let abandoned runs finish first.
      await Promise.allSettled([...this.busy.values()]);
      await this.workerPool.close();
    }
    await this.manager?.close(); // on the event loop, abandoned runs are not awaited (a hung model must not block close)
  }

  private missingModels(): string[] {
    const have = new Set(this.manager.store.keys());
    const need = [...(this.o.models ?? []), ...(this.o.strategy.deadline ? [this.o.strategy.deadline.fallback] : [])];
    const missing = need.filter((n) => !have.has(n));
    return have.size === 0 && missing.length === 0 ? ['(any)'] : missing;
  }

  private ready(): boolean {
    return (this.isReady ||= this.missingModels().length === 0);
  }

  private add(env: Envelope<T>): Promise<void> | undefined {
    const b = (this.current ??= { builder: this.pool.pop() ?? this.newBuilder(), records: [] });
    b.builder.append(env, null, env.ts);
    b.records.push(env);
    if (b.builder.full) return this.flush();
    if (!this.cancelLinger) {
      const pts = this.ctx.processingTimeService;
      this.cancelLinger = pts.registerTimer(pts.currentProcessingTime() + (this.o.lingerMs ?? 20), () => {
        this.cancelLinger = null;
        void this.flush();
      });
    }
    return undefined;
  }

  private async flushAndSettle(): Promise<void> {
    await this.flush();
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  /** Scores the current batch with every model; resolves once its outputs are emitted (in flush order). */
  private flush(): Promise<void> {
    this.cancelLinger?.();
    this.cancelLinger = null;
    const batch = this.current;
    if (!batch) return Promise.resolve();
    this.current = null;
    const done = this.scoreAndEmit(batch).finally(() => this.inflight.delete(done));
    done.catch(() => undefined); // a linger flush nobody awaits yet; flushAndSettle rethrows its error
    this.inflight.add(done);
    return done;
  }

  private async scoreAndEmit(batch: Batch<T>): Promise<void> {
    const models = this.manager.store
      .keys()
      .map((k) => this.manager.store.latest(k)!)
      .filter(Boolean);
    for (const m of models) this.manager.acquire(m);
    let scorer: SpeculativeScorer;
    try {
      scorer = this.scorer ??= this.buildScorer(models);
    } catch (e) {
      // e.g. models with different output widths: the records go to the unscored side output, the job goes on
      for (const m of models) this.manager.release(m);
      this.emit(batch, e as Error);
      return;
    }
    const rows = batch.records.length;
    this.collecting = [];
    const result = scorer
      .scoreBatch(this.featureValuesOf(batch.builder), rows, this.o.width)
      .catch((e: unknown) => e as Error);
    const runs = this.collecting;
    this.collecting = null;
    const scored = await result;
    // The buffer goes back to the pool (and the models may be disposed) only when every run that read it settled.
    void Promise.allSettled(runs).then(() => {
      batch.builder.reset();
      this.pool.push(batch.builder);
      for (const m of models) this.manager.release(m);
    });
    const emitted = this.lastEmit.then(() => this.emit(batch, scored));
    this.lastEmit = emitted.catch(() => undefined);
    await emitted;
  }

  private emit(batch: Batch<T>, r: Awaited<ReturnType<SpeculativeScorer['scoreBatch']>> | Error): void {
    const out = this.ctx.output;
    if (r instanceof Error) {
      for (const env of batch.records)
        out.collectSide(SPECULATIVE_UNSCORED_TAG, { kind: ElementKind.Record, value: env.value, timestamp: env.ts });
      return;
    }
    const now = this.ctx.processingTimeService.currentProcessingTime();
    const stats = this.manager.stats;
    const answered = Object.keys(r.durationsMs).filter((id) => !r.droppedOut.includes(id));
    for (const id of answered) stats.get(id)?.recordBatch(batch.records.length, r.durationsMs[id]!);
    const ow = r.outputWidth;
    batch.records.forEach((env, i) => {
      const [name, version] = splitId(r.winners[i]![0]!);
      const s: SpeculativeScored<T> = {
        record: env.value,
        timestampMs: env.ts,
        prediction: r.predictions[i * ow]!,
        model: name,
        version,
        winners: r.winners[i]!,
        answered,
        missed: r.droppedOut,
        batchSize: batch.records.length,
        servedAtMs: now,
      };
      if (ow > 1) s.predictions = Array.from(r.predictions.subarray(i * ow, (i + 1) * ow));
      out.collect({ kind: ElementKind.Record, value: s, timestamp: env.ts });
    });
    this.scoredCount.inc(batch.records.length);
  }

  private buildScorer(models: ServingModel[]): SpeculativeScorer {
    const s = this.o.strategy;
    const fallbackModel = s.deadline ? models.find((m) => m.descriptor.name === s.deadline!.fallback) : undefined;
    const config: SpeculativeConfig = {
      deadlineMs: s.deadline?.deadlineMs,
      fallback: fallbackModel ? idOf(fallbackModel) : undefined,
      consensus: s.consensus,
      quality: s.quality,
    };
    const wrapped = models.map((m) =>
      this.wrap(m, s.deadline && m !== fallbackModel ? s.deadline.deadlineMs : undefined),
    );
    return new this.scorerClass(
      wrapped,
      config,
      { monotonicMs: () => platform.clock.monotonicMs() },
      this.manager.stats,
    );
  }

  /**
   * Records each run (so the batch buffer outlives it) and counts failures. With `deadlineMs` the answer is
   * abandoned at the deadline, and while the abandoned run is busy the model sits out.
   */
  private wrap(m: ServingModel, deadlineMs: number | undefined): ServingModel {
    const scoreBatch = (features: Float32Array, rows: number, width: number): Promise<Float32Array> => {
      if (this.busy.has(m))
        return Promise.reject(new SluiceError('MODEL_BAD_OUTPUT', `${idOf(m)} is still busy with an abandoned batch`));
      const run = m.scoreBatch(features, rows, width);
      this.collecting?.push(run);
      run.catch(() => this.manager.stats.get(idOf(m))?.recordFailure());
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

function splitId(id: string): [string, string] {
  const at = id.lastIndexOf('@');
  return [id.slice(0, at), id.slice(at + 1)];
}
