/**
 * ModelServer: the glue an operator wraps. It owns a ModelManager (switch policy, status records), a
 * BatchScorer (Arrow batches, linger) and a NoModelHandler (no-model policy), and maps stream events to
 * them: onModel → install (and, on acceptance, re-feed records buffered for that key); onRecord → add;
 * onWatermark → flush then prune event-time history below the watermark; beforeBarrier / endOfInput →
 * flush. Invariants: after beforeBarrier() resolves no record is pending or in flight (so a checkpoint
 * never holds unscored records); a rejected model never changes what serves.
 */
import type { FeatureExtractor } from './arrow-batch.js';
import { BatchScorer, type Scheduler, type ScoredOutput } from './batch-scorer.js';
import type { ModelFactoryRegistry, ServingModel } from './model.js';
import { ModelManager, type ModelStatusRecord } from './model-manager.js';
import type { SwitchPolicy } from './model-store.js';
import { NoModelHandler, type NoModelPolicyKind } from './no-model-policy.js';
import { QualityTracker, type RolloutOptions, candidateKey, routeBucket } from './rollout.js';

export interface ModelServerOptions<T> {
  registry: ModelFactoryRegistry;
  /** The job's feature schema; models trained on other features are rejected (ModelManagerOptions). */
  featureSchema?: string[];
  policy: SwitchPolicy;
  noModel: NoModelPolicyKind;
  maxBuffered?: number;
  width: number;
  maxBatchSize: number;
  lingerMs: number;
  /** See BatchScorerOptions.maxPendingRows (default 8 × maxBatchSize); the shadow scorer uses the same. */
  maxPendingRows?: number;
  extract: FeatureExtractor<T>;
  /** The key of a record passed to onRecord without one (see BatchScorerOptions.keyOf). */
  keyOf?: (record: T) => string;
  /** The event timestamp of a record passed to onRecord without one. */
  timestampOf?: (record: T) => number;
  scheduler: Scheduler;
  onOutput: (out: ScoredOutput<T>) => void;
  /** See BatchScorerOptions.onBatch. */
  onBatch?: (outs: ScoredOutput<T>[]) => void;
  onStatus?: (status: ModelStatusRecord) => void;
  onNoModelSideOutput?: (record: T, key: string, timestampMs: number) => void;
  onFailure?: (model: ServingModel, error: unknown, records: T[]) => void;
  maxHistoryPerKey?: number;
  /** A key whose model serves records of keys that have none (broadcast serving's default, '*'). */
  fallbackKey?: string;
  /** See BatchScorerOptions.preserveOrder. */
  preserveOrder?: boolean;
  /** A/B, canary or shadow rollout of each new model version next to the serving one (rollout.ts). */
  rollout?: RolloutOptions<T>;
  /** Shadow rollout: the candidate's outputs (scored and measured, never served). */
  onShadow?: (out: ScoredOutput<T>) => void;
}

export class ModelServer<T> {
  readonly manager: ModelManager;
  readonly scorer: BatchScorer<T>;
  readonly noModel: NoModelHandler<T>;
  /** Shadow rollout only: scores every record with the key's candidate. */
  readonly shadow?: BatchScorer<T>;
  readonly quality?: QualityTracker;
  private readonly deciding = new Set<string>();

  constructor(private readonly o: ModelServerOptions<T>) {
    this.manager = new ModelManager({
      registry: o.registry,
      policy: o.policy,
      clock: o.scheduler,
      maxHistoryPerKey: o.maxHistoryPerKey,
      ...(o.featureSchema ? { featureSchema: o.featureSchema } : {}),
    });
    this.noModel = new NoModelHandler<T>(o.noModel, {
      maxBuffered: o.maxBuffered,
      toSideOutput: o.onNoModelSideOutput,
    });
    this.scorer = new BatchScorer<T>({
      width: o.width,
      maxBatchSize: o.maxBatchSize,
      lingerMs: o.lingerMs,
      maxPendingRows: o.maxPendingRows,
      preserveOrder: o.preserveOrder,
      extract: o.extract,
      ...(o.keyOf ? { keyOf: o.keyOf } : {}),
      ...(o.timestampOf ? { timestampOf: o.timestampOf } : {}),
      selectModel: (k, ts, record) => this.route(k, ts, record),
      scheduler: o.scheduler,
      onOutput: o.rollout?.labelOf ? (out) => this.measure(out, o.onOutput) : o.onOutput,
      onBatch: o.onBatch,
      onNoModel: (r, k, ts) => this.noModel.handle(r, k, ts),
      onFailure: (m, e, records) => {
        this.o.onStatus?.({
          status: 'rejected',
          key: '*',
          name: m.descriptor.name,
          version: m.descriptor.version,
          sha256: m.descriptor.sha256,
          atMs: this.o.scheduler.nowMs(),
          code: (e as { code?: string })?.code ?? 'MODEL_BAD_OUTPUT',
          reason: `batch of ${records.length} failed: ${(e as Error)?.message ?? String(e)}`,
        });
        this.o.onFailure?.(m, e, records);
      },
      stats: this.manager.stats,
      acquire: (m) => this.manager.acquire(m),
      release: (m) => this.manager.release(m),
    });
    if (o.rollout) this.quality = new QualityTracker(o.rollout.metric ?? 'mae');
    if (o.rollout?.mode === 'shadow') {
      const labelOf = o.rollout.labelOf;
      const emit = o.onShadow ?? (() => {});
      this.shadow = new BatchScorer<T>({
        width: o.width,
        maxBatchSize: o.maxBatchSize,
        lingerMs: o.lingerMs,
        maxPendingRows: o.maxPendingRows,
        extract: o.extract,
        ...(o.keyOf ? { keyOf: o.keyOf } : {}),
        ...(o.timestampOf ? { timestampOf: o.timestampOf } : {}),
        selectModel: (k, ts) => this.manager.select(candidateKey(k), ts),
        scheduler: o.scheduler,
        onOutput: labelOf ? (out) => this.measure(out, emit) : emit,
        onNoModel: () => {}, // no candidate for this key: nothing to shadow
        onFailure: (m, e, records) => this.o.onFailure?.(m, e, records),
        stats: this.manager.stats,
        acquire: (m) => this.manager.acquire(m),
        release: (m) => this.manager.release(m),
      });
    }
  }

  private baseline(k: string, ts: number): ServingModel | undefined {
    const o = this.o;
    return (
      this.manager.select(k, ts) ??
      (o.fallbackKey === undefined || k === o.fallbackKey ? undefined : this.manager.select(o.fallbackKey, ts))
    );
  }

  /** The model that serves a record: the baseline, or the candidate for its share of routing keys. */
  private route(k: string, ts: number, record: T): ServingModel | undefined {
    const r = this.o.rollout;
    if (!r || r.mode === 'shadow') return this.baseline(k, ts);
    const candidate = this.manager.select(candidateKey(k), ts);
    if (candidate && routeBucket(r.routeKeyOf ? r.routeKeyOf(record) : k) < (r.candidatePercent ?? 10))
      return candidate;
    return this.baseline(k, ts);
  }

  /** Live quality per version from labelled outputs; a canary decides once both versions have enough. */
  private measure(out: ScoredOutput<T>, emit: (o: ScoredOutput<T>) => void): void {
    const label = this.o.rollout!.labelOf!(out.record);
    if (label !== undefined) this.observe(out, label);
    emit(out);
  }

  private observe(out: ScoredOutput<T>, label: number): void {
    const r = this.o.rollout!;
    const q = this.quality!;
    const id = `${out.model}@${out.version}`;
    const now = q.observe(id, out.prediction, label);
    const stats = this.manager.stats.get(id);
    if (stats) stats.quality = { metric: q.metric, ...now };
    if (r.mode !== 'canary' || this.deciding.has(out.key)) return;
    const base = this.manager.select(out.key, out.timestampMs);
    const cand = this.manager.select(candidateKey(out.key), out.timestampMs);
    if (!base || !cand) return;
    const decision = q.decide(
      `${base.descriptor.name}@${base.descriptor.version}`,
      `${cand.descriptor.name}@${cand.descriptor.version}`,
      r.minSamples ?? 200,
      r.tolerance ?? 0.05,
    );
    if (decision) {
      this.deciding.add(out.key);
      void this.conclude(out.key, cand, decision).finally(() => this.deciding.delete(out.key));
    }
  }

  /** Promotes the candidate to serve every routing key, or removes it; reports either on the status stream. */
  private async conclude(key: string, cand: ServingModel, decision: 'promote' | 'rollback'): Promise<void> {
    const d = cand.descriptor;
    if (decision === 'promote') {
      const st = await this.manager.install(key, d);
      if (st.status !== 'accepted') return void this.o.onStatus?.(st);
    }
    this.manager.store.remove(candidateKey(key));
    const q = this.quality!;
    this.o.onStatus?.({
      status: decision === 'promote' ? 'promoted' : 'rolled-back',
      key,
      name: d.name,
      version: d.version,
      sha256: d.sha256,
      atMs: this.o.scheduler.nowMs(),
      reason: `${q.metric} ${q.value(`${d.name}@${d.version}`).toFixed(4)} on ${q.samples(`${d.name}@${d.version}`)} labelled records`,
    });
  }

  /**
   * Installs a descriptor for a key: with a rollout and a model already serving the key, as the key's
   * candidate. Used for new models and on restore (so a restored rollout is a rollout again).
   */
  async install(key: string, descriptor: unknown): Promise<ModelStatusRecord> {
    const asCandidate = this.o.rollout !== undefined && this.manager.store.latest(key) !== undefined;
    if (!asCandidate) return this.manager.install(key, descriptor);
    const st = await this.manager.install(candidateKey(key), descriptor);
    return { ...st, key, role: 'candidate' };
  }

  async onModel(key: string, descriptor: unknown): Promise<ModelStatusRecord> {
    const status = await this.install(key, descriptor);
    this.o.onStatus?.(status);
    if (status.status === 'accepted') {
      const pending: Promise<unknown>[] = [];
      for (const w of this.noModel.drain(key)) {
        const p = this.scorer.add(w.record, w.key, w.timestampMs);
        if (p) pending.push(p);
      }
      await Promise.all(pending);
    }
    return status;
  }

  /**
   * Adds a record with its key and event timestamp (when omitted, keyOf/timestampOf of the record); returns a
   * promise only when it triggered a flush (await it to apply backpressure).
   */
  onRecord(record: T, key?: string, timestampMs?: number): Promise<ScoredOutput<T>[]> | null {
    const shadowed = this.shadow?.add(record, key, timestampMs);
    const served = this.scorer.add(record, key, timestampMs);
    if (!shadowed) return served;
    return served ? Promise.all([served, shadowed]).then(([a]) => a) : shadowed.then(() => []);
  }

  /** The operator's input ran dry: pending rows are scored now, not at the linger timer (BatchScorer.drained). */
  inputDrained(): void {
    this.scorer.drained();
    this.shadow?.drained();
  }

  async onWatermark(watermarkMs: number): Promise<void> {
    await Promise.all([this.scorer.flushAll(), this.shadow?.flushAll()]);
    this.manager.store.prune(watermarkMs);
  }

  async beforeBarrier(): Promise<void> {
    await Promise.all([this.scorer.flushAll(), this.shadow?.flushAll()]);
  }

  async endOfInput(): Promise<void> {
    await Promise.all([this.scorer.flushAll(), this.shadow?.flushAll()]);
  }

  async close(): Promise<void> {
    await Promise.all([this.scorer.flushAll(), this.shadow?.flushAll()]);
    await this.manager.close();
  }
}
