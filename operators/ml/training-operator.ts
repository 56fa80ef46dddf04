/**
 * OffThreadTrainingOperator: training requests in, trained models out as ModelDescriptors — the model stream
 * a ModelServing operator reads. Each request trains in a worker thread (training-worker.ts), so the
 * task keeps processing records, watermarks and barriers while a model trains; results are emitted inside
 * the task's mailbox (a processing-time mail scheduled when a training settles, or in finish()).
 *
 * Invariants:
 * - Event-time determinism: a request names the event time its model is valid from (`validFromMs`), and
 *   the operator's output watermark never passes `validFromMs - 1` while that request trains, so an
 *   event-time serving operator downstream scores no record at or after `validFromMs` before the model is
 *   there — a replay serves every record with the same model, however long training took. A request whose
 *   `validFromMs` is not after the output watermark already emitted cannot keep that promise: it is
 *   rejected (TRAINING_FAILED), never published late.
 * - Lineage: every published descriptor carries `training` = the request's event-time window (`dataWindow`,
 *   `trainedAt` = its end), the trainer's metrics and feature schema, and the build's code version.
 * - A failed training (the trainer throws, its worker dies, the descriptor does not validate) is a
 *   `rejected` record with code TRAINING_FAILED on MODEL_STATUS_TAG, one that runs longer than
 *   `trainingTimeoutMs` has its worker thread terminated and is TRAINING_TIMED_OUT; either way nothing is
 *   published, so the model serving keeps its current model, and the watermark hold is released.
 * - Models leave in request order.
 * - Checkpoints (exactly once per request): a request whose model or failure was emitted before the barrier
 *   is not in the snapshot and is never emitted again. Every other request is operator state: one whose
 *   outcome is known at the barrier (trained, failed, timed out or rejected as late, its emission still
 *   waiting for the mailbox or for an earlier request) is restored with that outcome and emitted once,
 *   without training again; one still queued or training at the barrier trains again after the restore
 *   and is emitted once (trainers are expected to be deterministic, so the same model is published). A
 *   restored request holds the watermark as before. A request waiting for a slot (`maxInFlight`) is inside
 *   processElement, which the task completes before it takes the next barrier, so it is never cut in two.
 * - At most `maxInFlight` requests are queued or training; a further request waits (back-pressure), and
 *   while it waits it holds the watermark as a queued one does.
 */
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import type { OperatorContext, StateInitializationContext, StreamOperator } from '../../runtime/api/operator.js';
import { MailboxAction } from '../../runtime/api/mailbox-action.js';
import { type ListState, ListStateDescriptor } from '../../runtime/api/state.js';
import type { TrainerRef } from '../../runtime/api/trainer-ref.js';
import { TrainingWorker } from './training-worker.js';
import { codeVersion } from '../../runtime/config/build-info.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { DEFAULT_MODEL_KEY, MODEL_STATUS_TAG } from './serving-operator.js';
import { descriptorProblems, type ModelDescriptor } from './descriptor.js';
import type { ModelStatusRecord } from './model-manager.js';

/** One training run: what to train on and what to publish. Structured-cloneable (it crosses the thread). */
export interface TrainingRequest<I> {
  /** Version of the model to publish (the trainer's descriptor version is replaced by it). */
  version: string;
  /** The trainer's input (rows, seed, options). */
  input: I;
  /** Event time from which the model serves; must be after every event time already passed downstream. */
  validFromMs: number;
  /** Event-time range of the training data (lineage). */
  window: { fromMs: number; toMs: number };
  /** Why this training runs (schedule, drift, …); part of a failure's status reason. */
  reason: string;
}

/** What a trainer returns: the model and its lineage fields the trainer knows. */
export interface TrainedModel {
  descriptor: ModelDescriptor;
  metrics: Record<string, number>;
  featureSchema: string[];
}

export interface OffThreadTrainingOptions {
  /** Requests queued or training at once (default 2). */
  maxInFlight?: number;
  /**
   * Longest one training may run, from the moment its thread starts it (default: no limit). A training over
   * the limit has its worker thread terminated and is a `rejected` TRAINING_TIMED_OUT status record; nothing
   * is published, so serving keeps its current model, and the next request trains on a fresh thread.
   */
  trainingTimeoutMs?: number;
}

type Outcome = { model: ModelDescriptor } | { error: string; code?: string };

interface InFlight {
  request: TrainingRequest<unknown>;
  outcome?: Outcome;
}

/** A request in operator state, with its outcome when that was known at the barrier (absent: train again). */
type StoredRequest = TrainingRequest<unknown> & { outcome?: Outcome };

export const TRAINING_STATE_NAME = 'off-thread-training-requests';

export class OffThreadTrainingOperator<I> implements StreamOperator<ModelDescriptor> {
  readonly ownsWatermarks = true;
  private ctx!: OperatorContext;
  private state!: ListState<StoredRequest>;
  private worker!: TrainingWorker<I, TrainedModel>;
  private readonly queue: InFlight[] = [];
  /** Requests accepted but waiting for a slot (maxInFlight): they hold the watermark like queued ones. */
  private readonly waiting: TrainingRequest<unknown>[] = [];
  private restored: StoredRequest[] = [];
  private inputWatermark = Number.NEGATIVE_INFINITY;
  private outputWatermark = Number.NEGATIVE_INFINITY;
  /** Emits what completed off the task thread, from the task mailbox. */
  private readonly drainLater = new MailboxAction(
    () => this.ctx.processingTimeService,
    () => this.drain(),
    () => this.closed,
  );
  private waiters: Array<() => void> = [];
  private closed = false;
  private readonly maxInFlight: number;

  constructor(
    private readonly trainer: TrainerRef<I, TrainedModel>,
    private readonly options: OffThreadTrainingOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
    if (!(Number.isInteger(this.maxInFlight) && this.maxInFlight > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `maxInFlight must be a positive integer (got ${this.maxInFlight})`);
    const timeoutMs = options.trainingTimeoutMs;
    if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `trainingTimeoutMs must be a positive number (got ${timeoutMs})`);
    if (!trainer || typeof trainer.name !== 'string' || typeof trainer.moduleUrl !== 'string')
      throw new SluiceError('API_INVALID_ARGUMENT', 'off-thread training needs a trainer from defineTrainer()');
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  initializeState(ctx: StateInitializationContext): void {
    this.state = ctx.operatorStateStore.getListState(new ListStateDescriptor<StoredRequest>(TRAINING_STATE_NAME));
    if (ctx.isRestored()) this.restored = this.state.get();
  }

  open(): void {
    // a worker set before open() (a test's stand-in for the thread) is kept
    this.worker ??= new TrainingWorker(this.trainer, { trainingTimeoutMs: this.options.trainingTimeoutMs });
    for (const { outcome, ...request } of this.restored.splice(0)) {
      if (outcome) this.queue.push({ request, outcome });
      else this.start(request);
    }
    if (this.queue[0]?.outcome) this.drainLater.schedule();
  }

  async processElement(record: StreamRecord): Promise<void> {
    const request = record.value as TrainingRequest<unknown>;
    if (this.queue.length >= this.maxInFlight && request.validFromMs > this.outputWatermark) {
      // Waiting for a slot, the request already holds the watermark: a watermark delivered meanwhile (the
      // runtime does not wait for this promise to hand on the next one) must not pass its validFrom.
      this.waiting.push(request);
      try {
        while (this.queue.length >= this.maxInFlight && !this.closed) await this.settled();
      } finally {
        this.waiting.splice(this.waiting.indexOf(request), 1);
      }
    }
    if (!(request.validFromMs > this.outputWatermark)) {
      this.queue.push({
        request,
        outcome: {
          error: `validFrom ${request.validFromMs} is not after the watermark ${this.outputWatermark} already passed downstream`,
        },
      });
      this.drain();
      return;
    }
    this.start(request);
  }

  processWatermark(timestamp: number): void {
    if (timestamp <= this.inputWatermark) return;
    this.inputWatermark = timestamp;
    this.drain();
  }

  snapshotState(): void {
    this.state.update(
      this.queue.map((q): StoredRequest => (q.outcome ? { ...q.request, outcome: q.outcome } : q.request)),
    );
  }

  async finish(): Promise<void> {
    // Drain before each wait: a training that settled before finish (its drain mail not yet run) is emitted
    // here, and the loop never waits for a settlement that already happened.
    for (;;) {
      this.drain();
      if (!this.queue.length || this.closed) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w();
    await this.worker?.close();
  }

  /** Requests queued or training (for tests and metrics). */
  inFlight(): number {
    return this.queue.length;
  }

  private start(request: TrainingRequest<unknown>): void {
    const entry: InFlight = { request };
    this.queue.push(entry);
    this.worker.run(request.input as I).then(
      (trained) => this.settle(entry, this.lineage(request, trained)),
      (e: unknown) =>
        this.settle(entry, {
          error: e instanceof Error ? e.message : String(e),
          code: (e as { code?: string })?.code === 'TRAINING_TIMED_OUT' ? 'TRAINING_TIMED_OUT' : 'TRAINING_FAILED',
        }),
    );
  }

  private lineage(request: TrainingRequest<unknown>, trained: TrainedModel): Outcome {
    const model: ModelDescriptor = {
      ...trained.descriptor,
      version: request.version,
      validFrom: request.validFromMs,
      training: {
        trainedAt: request.window.toMs,
        dataWindow: { fromMs: request.window.fromMs, toMs: request.window.toMs },
        metrics: { ...trained.metrics },
        featureSchema: [...trained.featureSchema],
        codeVersion: codeVersion(),
        reason: request.reason,
      },
    };
    const problems = descriptorProblems(model);
    return problems.length ? { error: `the trained descriptor is invalid: ${problems.join('; ')}` } : { model };
  }

  private settle(entry: InFlight, outcome: Outcome): void {
    if (this.closed) return;
    entry.outcome = outcome;
    if (this.waiters.length) for (const w of this.waiters.splice(0)) w();
    else this.drainLater.schedule();
  }

  private settled(): Promise<void> {
    this.drain();
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => this.drain());
  }

  /** Emits settled requests in order, then the watermark the remaining ones allow. */
  private drain(): void {
    if (this.closed) return;
    while (this.queue[0]?.outcome) {
      const { request, outcome } = this.queue.shift()!;
      if (outcome && 'model' in outcome)
        this.ctx.output.collect({ kind: ElementKind.Record, value: outcome.model, timestamp: request.validFromMs });
      else this.ctx.output.collectSide(MODEL_STATUS_TAG, this.failure(request, outcome));
    }
    let hold = this.inputWatermark;
    for (const q of this.queue)
      if (!q.outcome || 'model' in q.outcome) hold = Math.min(hold, q.request.validFromMs - 1);
    for (const r of this.waiting) hold = Math.min(hold, r.validFromMs - 1);
    if (hold > this.outputWatermark) {
      this.outputWatermark = hold;
      this.ctx.output.emitWatermark(hold);
    }
  }

  private failure(
    request: TrainingRequest<unknown>,
    outcome: { error: string; code?: string } | undefined,
  ): StreamRecord {
    const status: ModelStatusRecord = {
      status: 'rejected',
      key: DEFAULT_MODEL_KEY,
      name: this.trainer.name,
      version: request.version,
      sha256: '',
      atMs: request.validFromMs,
      code: outcome?.code ?? 'TRAINING_FAILED',
      reason: `training ${request.version} (${request.reason}) failed: ${outcome?.error ?? ''}`,
    };
    return { kind: ElementKind.Record, value: status, timestamp: request.validFromMs };
  }
}
