/**
 * SpeculativeServingOperator: the two-input stream operator for speculative model serving (docs/architecture.md §8)
 * — input 1 data records, input 2 ModelDescriptors (broadcast: every subtask gets every model).
 * Each Arrow batch is scored by ALL installed models through a SpeculativeScorer (deadline + fallback,
 * majority consensus, quality by confidence or declared metric, combinable) and every record gets one
 * output with the chosen prediction, the winning model(s), and which models answered or missed.
 *
 * Models install under their name (a new version of a name replaces the old one; ModelManager validates,
 * verifies sha256 and warms up; a rejected model is a status record on MODEL_STATUS_TAG). Under a deadline,
 * every model except the fallback gets a hard timeout (`speculative-runs.ts`): its answer is abandoned at
 * `deadlineMs` and, while an abandoned run is still busy, that model sits out later batches. The timeout is only
 * hard for models that score off the event loop (`workerPool`): onnxruntime-node runs sessions synchronously on
 * it, so there the batch waits and SpeculativeScorer's measured durations decide (the same answers, later).
 *
 * Invariants: the descriptors (with bytes) live in broadcast state and are reinstalled through the same
 * validation on restore (`speculative-state.ts`), so a restored job scores with exactly the models it had.
 * Records arriving before the required models (`models`, plus the fallback) are buffered in operator state and
 * scored once they are in. Every record yields exactly one output, or — when every model failed — one record on
 * SPECULATIVE_UNSCORED_TAG (`speculative-output.ts`); outputs are emitted in flush order and precede the
 * watermark, barrier or end of input that follows them. A builder's buffer is reused only after every run that
 * read it settled. Win counts per model (name@version) are in ServingStats, published as the `modelStats` gauge.
 * Options and their check are in `speculative-options.ts`; this module re-exports the public names of the
 * options, output and state modules, so importers keep importing here.
 */
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import type { OperatorContext, StateInitializationContext, StreamOperator } from '../../runtime/api/operator.js';
import type { BroadcastState, ListState } from '../../runtime/api/state.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform } from '../../runtime/platform/index.js';
import type { FeatureBatchBuilder } from './arrow-batch.js';
import type { ModelDescriptor } from './descriptor.js';
import type { ModelFactoryRegistry, ServingModel } from './model.js';
import type { ModelManager, ModelStatusRecord } from './model-manager.js';
import { MODEL_STATUS_TAG } from './serving-operator.js';
import type { SpeculativeConfig, SpeculativeResult, SpeculativeScorer } from './speculative.js';
import {
  checkSpeculativeOptions,
  type SpeculativeServingOptions,
  type WorkerPoolChoice,
} from './speculative-options.js';
import { SPECULATIVE_UNSCORED_TAG, type SpeculativeScored, scoredRecord } from './speculative-output.js';
import { idOf, SpeculativeRuns } from './speculative-runs.js';
import { type Envelope, reinstallModels, speculativeState } from './speculative-state.js';

export { MODEL_STATUS_TAG };
export type { SpeculativeServingOptions, SpeculativeStrategy, WorkerPoolChoice } from './speculative-options.js';
export { SPECULATIVE_UNSCORED_TAG, type SpeculativeScored } from './speculative-output.js';

interface Batch<T> {
  builder: FeatureBatchBuilder<Envelope<T>>;
  records: Envelope<T>[];
}
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
  private readonly runs = new SpeculativeRuns((m) => this.manager.stats.get(idOf(m))?.recordFailure());
  private scoredCount!: { inc(n?: number): void };
  private workerPool: { close(): Promise<void> } | undefined;
  /** Once the required models are in, they stay (a model is replaced, never removed). */
  private isReady = false;

  constructor(private readonly o: SpeculativeServingOptions<T>) {
    checkSpeculativeOptions(o);
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
    const state = speculativeState<T>(init.operatorStateStore);
    this.modelsState = state.models;
    this.pendingState = state.pending;
    if (!init.isRestored()) return;
    await reinstallModels(this.manager, this.modelsState);
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
      await this.runs.settled();
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
    const { result, runs } = this.runs.collect(() =>
      scorer.scoreBatch(this.featureValuesOf(batch.builder), rows, this.o.width).catch((e: unknown) => e as Error),
    );
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

  private emit(batch: Batch<T>, r: SpeculativeResult | Error): void {
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
    batch.records.forEach((env, i) => {
      const s = scoredRecord(env.value, env.ts, i, r, answered, batch.records.length, now);
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
      this.runs.wrap(m, s.deadline && m !== fallbackModel ? s.deadline.deadlineMs : undefined),
    );
    return new this.scorerClass(
      wrapped,
      config,
      { monotonicMs: () => platform.clock.monotonicMs() },
      this.manager.stats,
    );
  }
}
