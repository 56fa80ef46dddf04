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
  extract: FeatureExtractor<T>;
  keyOf: (record: T) => string;
  timestampOf: (record: T) => number;
  scheduler: Scheduler;
  onOutput: (out: ScoredOutput<T>) => void;
  /** See BatchScorerOptions.onBatch. */
  onBatch?: (outs: ScoredOutput<T>[]) => void;
  onStatus?: (status: ModelStatusRecord) => void;
  onNoModelSideOutput?: (record: T, key: string) => void;
  onFailure?: (model: ServingModel, error: unknown, records: T[]) => void;
  maxHistoryPerKey?: number;
  /** A key whose model serves records of keys that have none (broadcast serving's default, '*'). */
  fallbackKey?: string;
  /** See BatchScorerOptions.preserveOrder. */
  preserveOrder?: boolean;
}

export class ModelServer<T> {
  readonly manager: ModelManager;
  readonly scorer: BatchScorer<T>;
  readonly noModel: NoModelHandler<T>;

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
      preserveOrder: o.preserveOrder,
      extract: o.extract,
      keyOf: o.keyOf,
      timestampOf: o.timestampOf,
      selectModel: (k, ts) =>
        this.manager.select(k, ts) ??
        (o.fallbackKey === undefined || k === o.fallbackKey ? undefined : this.manager.select(o.fallbackKey, ts)),
      scheduler: o.scheduler,
      onOutput: o.onOutput,
      onBatch: o.onBatch,
      onNoModel: (r, k) => this.noModel.handle(r, k),
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
  }

  async onModel(key: string, descriptor: unknown): Promise<ModelStatusRecord> {
    const status = await this.manager.install(key, descriptor);
    this.o.onStatus?.(status);
    if (status.status === 'accepted') {
      const pending: Promise<unknown>[] = [];
      for (const r of this.noModel.drain(key)) {
        const p = this.scorer.add(r);
        if (p) pending.push(p);
      }
      await Promise.all(pending);
    }
    return status;
  }

  /** Adds a record; returns a promise only when it triggered a flush (await it to apply backpressure). */
  onRecord(record: T): Promise<ScoredOutput<T>[]> | null {
    return this.scorer.add(record);
  }

  async onWatermark(watermarkMs: number): Promise<void> {
    await this.scorer.flushAll();
    this.manager.store.prune(watermarkMs);
  }

  async beforeBarrier(): Promise<void> {
    await this.scorer.flushAll();
  }

  async endOfInput(): Promise<void> {
    await this.scorer.flushAll();
  }

  async close(): Promise<void> {
    await this.scorer.flushAll();
    await this.manager.close();
  }
}
