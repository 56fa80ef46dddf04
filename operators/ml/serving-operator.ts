/**
 * ModelServingOperator: the two-input stream operator of docs/architecture.md §8 — input 1 data records, input 2
 * ModelDescriptors — around a ModelServer (Arrow batches, switch policy, no-model policy).
 *
 * Modes:
 * - `keyed` (key-based serving; both inputs keyed): a descriptor installs for its key; the key's model
 *   history lives in keyed state (`serving-models`), so rescaling moves it with the key groups.
 * - `broadcast` (partition-based serving; model stream broadcast): a descriptor installs under
 *   `descriptorKeyOf(d)` (default '*') in every subtask; records use `modelKeyOf(record)` and fall back
 *   to the '*' model; the models live in broadcast state (copied to every subtask on restore).
 *
 * Invariants: model state holds the descriptors with their bytes; restore reinstalls them through the
 * same validation (sha256 verified), so a restored job scores with exactly the models it had. Under the
 * event-time policy a record is scored only once the watermark reaches its timestamp (buffered in state
 * until then), so every model with validFrom ≤ t has arrived and a replay scores identically. Scored
 * outputs precede the watermark and barrier that follow them (flushes are awaited). A rejected model is
 * a status record on the `model-status` side output; the previous model keeps serving. The scoring
 * stack is imported when a subtask initializes, not when a job module that mentions ModelServing loads,
 * and only what serves: a model engine (onnxruntime, TF.js, the PMML evaluators) when its first model
 * installs, apache-arrow only for Arrow IPC output.
 */
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import type {
  InternalTimer,
  InternalTimerService,
  KeyedStateBackend,
  OperatorContext,
  StateInitializationContext,
  StreamOperator,
  Triggerable,
} from '../../runtime/api/operator.js';
import type { StreamRecordBatch } from '../../runtime/api/record-batch.js';
import { OutputTag } from '../../runtime/api/output-tag.js';
import {
  ListStateDescriptor,
  MapStateDescriptor,
  type BroadcastState,
  type ListState,
  type MapState,
} from '../../runtime/api/state.js';
import { platform, type TimerHandle } from '../../runtime/platform/index.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { Scheduler, ScoredOutput } from './batch-scorer.js';
import type { ModelDescriptor } from './descriptor.js';
import type { ModelStatusRecord } from './model-manager.js';
import type { ModelServer } from './model-server.js';
import type { BudgetRegistry } from './budget-registry.js';
import type { SwitchPolicy } from './model-store.js';
import { NoModelState } from './no-model-state.js';
import { registerModelStatsView } from './queryable-model-stats.js';
import { type ModelServingOptions, validateServingOptions } from './serving-options.js';
import { arrowBatchEmitter } from './arrow-batch-emitter.js';

/** Side output of model status records (accepted / rejected with code and reason). */
export const MODEL_STATUS_TAG = new OutputTag<ModelStatusRecord>('model-status');
/** Side output of records that found no model (no-model policy 'side-output'). */
export const NO_MODEL_TAG = new OutputTag<unknown>('no-model');
/** Shadow rollout: the candidate's scores of every record (never served), as Scored records. */
export const SHADOW_TAG = new OutputTag<Scored<unknown>>('shadow-scores');
export const DEFAULT_MODEL_KEY = '*';
const SERVING_TIMERS = 'serving-timers';

export type Scored<T> = Omit<ScoredOutput<T>, 'record'> & { record: T };

/** A record waiting in state (event time: for the watermark) with its timestamp and key; scored records have none. */
type Envelope<T> = { value: T; ts: number; key: string };

export class ModelServingOperator<T> implements StreamOperator<Scored<T>>, Triggerable {
  private ctx!: OperatorContext;
  private server!: ModelServer<T>;
  private pool: BudgetRegistry | undefined;
  private noModel!: NoModelState<T>;
  private backend: KeyedStateBackend | undefined;
  private timers: InternalTimerService | undefined;
  private keyedModels: ListState<ModelDescriptor> | undefined;
  private keyedPending!: MapState<number, Envelope<T>[]>;
  private broadcastModels: BroadcastState<string, ModelDescriptor[]> | undefined;
  private broadcastPendingState: ListState<Envelope<T>> | undefined;
  /** Broadcast mode, event time: records waiting for the watermark (kept in operator state at snapshots). */
  private broadcastPending: Envelope<T>[] = [];
  private readonly inflight: Promise<unknown>[] = [];
  private watermark = Number.NEGATIVE_INFINITY;
  private readonly policy: SwitchPolicy;
  private readonly maxHistory: number;
  private scoredCount!: { inc(n?: number): void };

  constructor(private readonly o: ModelServingOptions<T>) {
    validateServingOptions(o);
    this.policy = o.policy ?? 'processing-time';
    this.maxHistory = this.policy === 'processing-time' ? 1 : Math.max(1, o.maxHistoryPerKey ?? 16);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
    this.backend = ctx.keyedStateBackend;
    if (this.o.mode === 'keyed' && !this.backend)
      throw new SluiceError(
        'API_NOT_KEYED',
        `keyed model serving "${ctx.operatorName}" needs both inputs keyed (keyBy)`,
      );
  }

  /** The registry is imported here, not at module load; each engine loads with its first model. */
  private async createServer(): Promise<void> {
    const ctx = this.ctx;
    let registry = this.o.registry ? this.o.registry() : (await import('./default-registry.js')).defaultModelRegistry();
    if (this.o.workerPool) {
      const { budgetRegistry } = await import('./budget-registry.js');
      this.pool = await budgetRegistry(registry, this.o.workerPool, this.o.maxBatchSize ?? 1024, this.o.width);
      registry = this.pool.registry;
      this.ctx.metrics.gauge('modelsInWorkerPool', () => this.pool!.pooled.join(','));
    }
    const { ModelServer } = await import('./model-server.js');
    const pts = ctx.processingTimeService;
    const scheduler: Scheduler = {
      nowMs: () => pts.currentProcessingTime(),
      monotonicMs: () => platform.clock.monotonicMs(),
      setTimeout: (fn, delayMs) =>
        pts.registerTimer(pts.currentProcessingTime() + delayMs, () => fn()) as unknown as TimerHandle,
      clear: (h) => (h as unknown as () => void)(),
    };
    this.server = new ModelServer<T>({
      registry,
      policy: this.policy,
      noModel: 'side-output', // routed to NoModelState, which applies the declared policy with state
      width: this.o.width,
      maxBatchSize: this.o.maxBatchSize ?? 1024,
      lingerMs: this.o.lingerMs ?? 20,
      ...(this.o.maxPendingRows !== undefined ? { maxPendingRows: this.o.maxPendingRows } : {}),
      preserveOrder: this.o.preserveOrder,
      maxHistoryPerKey: this.maxHistory,
      ...(this.o.featureSchema ? { featureSchema: this.o.featureSchema } : {}),
      ...(this.o.rollout ? { rollout: this.o.rollout, onShadow: (s) => this.emitShadow(s) } : {}),
      ...(this.o.mode === 'broadcast' ? { fallbackKey: DEFAULT_MODEL_KEY } : {}),
      extract: this.o.extract,
      scheduler,
      onOutput: (s) => this.emitScored(s),
      ...(this.o.output === 'arrow-ipc'
        ? {
            onBatch: await arrowBatchEmitter(
              (bytes, ts) => this.ctx.output.collect({ kind: ElementKind.Record, value: bytes, timestamp: ts }),
              (n) => this.scoredCount.inc(n),
            ),
          }
        : {}),
      onStatus: (st) => this.emitStatus(st),
      onNoModelSideOutput: (value, key, ts) => this.noModel.handle({ value, ts, key }),
    });
  }

  async initializeState(init: StateInitializationContext): Promise<void> {
    await this.createServer();
    this.noModel = new NoModelState<T>(
      this.o.noModel ?? 'side-output',
      this.o.maxBuffered ?? 10_000,
      (e) => this.ctx.output.collectSide(NO_MODEL_TAG, { kind: ElementKind.Record, value: e.value, timestamp: e.ts }),
      this.backend,
    );
    this.noModel.initialize(init.operatorStateStore, init.isRestored());
    if (this.o.mode === 'keyed') {
      const backend = this.backend!;
      this.keyedModels = backend.getState(new ListStateDescriptor<ModelDescriptor>('serving-models'));
      this.keyedPending = backend.getState(new MapStateDescriptor<number, Envelope<T>[]>('serving-pending'));
      this.timers = this.ctx.getInternalTimerService(SERVING_TIMERS, this);
      if (!init.isRestored()) return;
      for (const key of backend.getKeys('serving-models', '')) {
        backend.setCurrentKey(key);
        for (const d of [...this.keyedModels.get()])
          await this.server.install(String(key), d).then((st) => this.reportRestored(st));
      }
      return;
    }
    this.broadcastModels = init.operatorStateStore.getBroadcastState(
      new MapStateDescriptor<string, ModelDescriptor[]>('serving-models'),
    );
    this.broadcastPendingState = init.operatorStateStore.getListState(
      new ListStateDescriptor<Envelope<T>>('serving-pending'),
    );
    if (!init.isRestored()) return;
    for (const [key, list] of [...this.broadcastModels.entries()])
      for (const d of list) this.reportRestored(await this.server.install(key, d));
    this.broadcastPending = [...this.broadcastPendingState.get()].sort((a, b) => a.ts - b.ts);
    this.broadcastPendingState.clear();
  }

  open(): void {
    this.scoredCount = this.ctx.metrics.counter('numRecordsScored');
    this.ctx.metrics.gauge('numRecordsWithoutModelDropped', () => this.noModel.dropped);
    this.ctx.metrics.gauge('numRecordsWithoutModelBuffered', () => this.noModel.bufferedCount);
    this.ctx.metrics.gauge('numRecordsWithoutModelSideOutput', () => this.noModel.sideOutput);
    this.ctx.metrics.gauge('modelStats', () => JSON.stringify(this.server.manager.stats.snapshot()));
    if (this.o.mode === 'keyed') registerModelStatsView(this.ctx, this.server.manager, this.o.queryableStatsName);
  }

  /** Data record: score now (batched), or under event time wait for the watermark. */
  processElement1(record: StreamRecord): Promise<void> | undefined {
    return this.accept(record.value as T, record.timestamp);
  }

  /** Data records of one buffer, no StreamRecord each; the rest waits where an add asks to, as per record. */
  processBatch1(batch: StreamRecordBatch, from = 0): Promise<void> | undefined {
    for (let i = from; i < batch.size; i++) {
      // keyed: the key is set per record as the runtime does (no-model buffer, event-time waits, key-group check)
      if (this.o.mode === 'keyed') this.backend!.setCurrentKey(batch.key(i));
      const p = this.accept(batch.value(i) as T, batch.timestamp(i));
      if (p) return p.then(() => this.processBatch1(batch, i + 1));
    }
    return undefined;
  }

  private accept(value: T, ts: number): Promise<void> | undefined {
    const key =
      this.o.mode === 'keyed'
        ? String(this.backend!.getCurrentKey())
        : (this.o.modelKeyOf?.(value) ?? DEFAULT_MODEL_KEY);
    if (this.policy === 'event-time' && ts > this.watermark) {
      const env: Envelope<T> = { value, ts, key };
      if (this.o.mode === 'keyed') {
        this.keyedPending.put(ts, [...(this.keyedPending.get(ts) ?? []), env]);
        this.timers!.registerEventTimeTimer('', ts);
      } else {
        this.broadcastPending.push(env);
      }
      return undefined;
    }
    // Scored now: the value, its key and timestamp go to the scorer as they are (no envelope per record).
    return this.score(value, key, ts);
  }

  /** Model descriptor: install (validated, warmed up); on acceptance keep it in state. */
  async processElement2(record: StreamRecord): Promise<void> {
    const d = record.value as ModelDescriptor;
    const stateKey = this.backend?.getCurrentKey();
    const key = this.o.mode === 'keyed' ? String(stateKey) : (this.o.descriptorKeyOf?.(d) ?? DEFAULT_MODEL_KEY);
    const status = await this.server.onModel(key, d);
    if (status.status !== 'accepted') return;
    if (this.o.mode === 'keyed') {
      this.backend!.setCurrentKey(stateKey);
      const kept = [...this.keyedModels!.get(), d].slice(-this.maxHistory);
      this.keyedModels!.update(kept);
    } else {
      const kept = [...(this.broadcastModels!.get(key) ?? []), d].slice(-this.maxHistory);
      this.broadcastModels!.put(key, kept);
    }
    for (const waiting of this.noModel.release(key, DEFAULT_MODEL_KEY)) {
      const p = this.add(waiting);
      if (p) await p;
    }
  }

  /** Event-time timer at a buffered timestamp (keyed mode): the watermark reached it, score those records. */
  onEventTime(timer: InternalTimer): void {
    const list = this.keyedPending.get(timer.timestamp);
    if (!list) return;
    this.keyedPending.remove(timer.timestamp);
    for (const env of list) this.addTracked(env);
  }

  onProcessingTime(): void {}

  /** Nothing more queued on the task's inputs: score the pending rows now (half load waits for no timer). */
  inputDrained(): void {
    this.server.inputDrained();
  }

  /** Runs after the runtime fired timers; the runtime forwards the watermark once this settles. */
  processWatermark(timestamp: number): Promise<void> {
    this.watermark = timestamp;
    if (this.broadcastPending.length) {
      const ready = this.broadcastPending.filter((e) => e.ts <= timestamp).sort((a, b) => a.ts - b.ts);
      this.broadcastPending = this.broadcastPending.filter((e) => e.ts > timestamp);
      for (const env of ready) this.addTracked(env);
    }
    return this.settle().then(() => this.server.onWatermark(timestamp));
  }

  async prepareSnapshotPreBarrier(): Promise<void> {
    await this.settle();
    await this.server.beforeBarrier();
  }

  snapshotState(): void {
    if (this.broadcastPendingState) this.broadcastPendingState.update([...this.broadcastPending]);
    this.noModel.snapshot();
  }

  async finish(): Promise<void> {
    // End of input: MAX_WATERMARK has fired every buffered timestamp; flush what is left.
    for (const env of this.broadcastPending.splice(0)) this.addTracked(env);
    await this.settle();
    await this.server.endOfInput();
  }

  async close(): Promise<void> {
    await this.server?.close();
    await this.pool?.close();
  }

  /** Adds a record; returns the flush it triggered (the runtime awaits it before the next element). */
  private score(value: T, key: string, ts: number): Promise<void> | undefined {
    const p = this.server.onRecord(value, key, ts);
    return p ? p.then(() => undefined) : undefined;
  }

  /** Adds a record that waited (for its model or the watermark). */
  private add(env: Envelope<T>): Promise<void> | undefined {
    return this.score(env.value, env.key, env.ts);
  }

  /** Adds outside processElement (timers, watermarks, end of input): flushes are awaited by settle(). */
  private addTracked(env: Envelope<T>): void {
    const p = this.add(env);
    if (p) this.inflight.push(p);
  }

  private async settle(): Promise<void> {
    while (this.inflight.length) await Promise.all(this.inflight.splice(0));
  }

  /** The scorer's output object is the output record (no copy per record); its timestamp the input's. */
  private emitScored(s: ScoredOutput<T>): void {
    this.scoredCount.inc();
    this.ctx.output.collect({ kind: ElementKind.Record, value: s, timestamp: s.timestampMs });
  }

  private emitShadow(s: ScoredOutput<T>): void {
    this.ctx.output.collectSide(SHADOW_TAG, { kind: ElementKind.Record, value: s, timestamp: s.timestampMs });
  }

  private emitStatus(st: ModelStatusRecord): void {
    this.ctx.output.collectSide(MODEL_STATUS_TAG, { kind: ElementKind.Record, value: st, timestamp: st.atMs });
  }

  private reportRestored(st: ModelStatusRecord): void {
    if (st.status !== 'accepted')
      throw new SluiceError(
        'MODEL_LOAD_FAILED',
        `restoring model ${st.name}@${st.version} for key ${st.key} failed: ${st.code} ${st.reason}`,
      );
  }
}
