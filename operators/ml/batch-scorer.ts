/**
 * Arrow-batched scoring, engine-independent. add(record, key, timestampMs) selects the record's model at
 * arrival (by key and event timestamp through `selectModel`) and appends its features to that model's
 * pending Arrow batch; the key and timestamp are arguments (or, when omitted, `keyOf`/`timestampOf` of the
 * record), so a caller that has them beside the record wraps nothing per record.
 * A model's batch flushes alone when it holds maxBatchSize rows. Batching is also per subtask: when the
 * pending rows of all models together reach maxPendingRows (default 8 × maxBatchSize), every pending batch
 * flushes, which bounds the rows and the wait at full load with many keys; add returns the flush promise,
 * else null — no per-record promises. The default is a multiple of maxBatchSize because one model run has
 * a fixed cost of tens of microseconds: with 32 models in a subtask a subtask batch of maxBatchSize would
 * give each model 32 rows, several times the per-row cost of 256-row batches. At low load batches do not
 * wait for that: drained() flushes when the caller's input ran dry and no batch is being scored (if one
 * is, when it completes, unless a record arrived meanwhile), so a half-loaded pipeline scores what it has
 * while a full one keeps filling batches. Drain flushes are paced by their own cost: one starts only once
 * the scorer has been idle DRAIN_IDLE_FACTOR times as long as its last busy period took (else a timer
 * starts it then, within lingerMs; a scorer without linger timer flushes at once), so a trickle of input
 * cannot keep the scorer busy with runs of a few rows each, whose fixed cost would saturate the event loop
 * at half load; at low load the scorer is idle long before the next drain and flushes at once. The linger timer (started by the first pending record) remains the
 * latency bound, and the caller calls flushAll() on watermarks, before barriers and at end of input.
 * Scoring hands the pending rows' feature values (the builder's storage, Arrow's FixedSizeList layout) to
 * the model zero-copy, without building a RecordBatch per run. Outputs carry prediction, model
 * name/version/sha256, served-at time, batch latency and batch size.
 *
 * Invariants: a builder being scored is never appended to (a fresh pooled builder takes new records); a
 * failing batch is reported to onFailure and counted, never thrown; while `maxInFlightRows` rows are being
 * scored, add returns a promise of their completion (the caller awaits it: backpressure), so linger flushes
 * the caller does not await cannot pile up batches and their latency.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { Clock, TimerHandle } from '../../runtime/platform/clock.js';
import { FeatureRows, type FeatureExtractor } from './feature-rows.js';
import type { ServingModel } from './model.js';
import type { ServingStats } from './stats.js';

export type Scheduler = Pick<Clock, 'nowMs' | 'monotonicMs' | 'setTimeout' | 'clear'>;

export interface ScoredOutput<T> {
  record: T;
  key: string;
  timestampMs: number;
  /** The first output value; all values in `predictions` when outputWidth > 1. */
  prediction: number;
  predictions?: number[];
  model: string;
  version: string;
  sha256: string;
  servedAtMs: number;
  batchLatencyMs: number;
  batchSize: number;
}

export interface BatchScorerOptions<T> {
  width: number;
  maxBatchSize: number;
  lingerMs: number;
  extract: FeatureExtractor<T>;
  /** The key of a record added without one (add's second argument wins). */
  keyOf?: (record: T) => string;
  /** The event timestamp of a record added without one (add's third argument wins). */
  timestampOf?: (record: T) => number;
  selectModel: (key: string, timestampMs: number, record: T) => ServingModel | undefined;
  scheduler: Scheduler;
  /** Receives every scored output, batch by batch in flush order (also returned by the flush promise). */
  onOutput?: (out: ScoredOutput<T>) => void;
  /** Receives each scored batch whole, instead of onOutput per record (Arrow output). */
  onBatch?: (outs: ScoredOutput<T>[]) => void;
  /**
   * Emit outputs in arrival order across models: a record whose model differs from a pending batch's
   * flushes that batch first (smaller batches when models interleave). Default false: order is kept
   * within each model's batches only.
   */
  preserveOrder?: boolean;
  /** A record no model can score (the no-model policy decides what happens). */
  onNoModel: (record: T, key: string, timestampMs: number) => void;
  onFailure?: (model: ServingModel, error: unknown, records: T[]) => void;
  stats?: ServingStats;
  /** Holds/releases a model while a batch is pending on it (ModelManager.acquire/release). */
  acquire?: (m: ServingModel) => void;
  release?: (m: ServingModel) => void;
  /** Pending rows of all models together that flush every pending batch (default 8 × maxBatchSize). */
  maxPendingRows?: number;
  /** Rows being scored beyond which add() asks the caller to wait (default 2 × maxPendingRows). */
  maxInFlightRows?: number;
  /** Runs the batch; default calls model.scoreBatch (a worker pool may substitute). */
  run?: (model: ServingModel, features: Float32Array, rows: number, width: number) => Promise<Float32Array>;
}

/** A drain flush waits until the scorer was idle this many times its last busy period (busy ≤ 1/4 of the time). */
const DRAIN_IDLE_FACTOR = 3;

interface Pending<T> {
  builder: FeatureRows<T>;
  records: T[];
}

export class BatchScorer<T> {
  private readonly pending = new Map<ServingModel, Pending<T>>();
  private readonly pool: FeatureRows<T>[] = [];
  private timer: TimerHandle | null = null;
  private pendingRows = 0;
  private inFlightRows = 0;
  private readonly inFlight = new Set<Promise<ScoredOutput<T>[]>>();
  private lastEmit: Promise<unknown> = Promise.resolve();
  /** The caller's input ran dry while batches were being scored: flush when they complete. */
  private drainedWhileScoring = false;
  /** The paced drain flush, when the scorer has not been idle long enough yet. */
  private drainTimer: TimerHandle | null = null;
  /** Monotonic ms: the current busy period's start (batches in flight), the last one's length, its end. */
  private busySinceMs = 0;
  private lastBusyMs = 0;
  private idleSinceMs = Number.NEGATIVE_INFINITY;
  private readonly maxPendingRows: number;
  private readonly maxInFlightRows: number;

  constructor(private readonly o: BatchScorerOptions<T>) {
    this.maxPendingRows = o.maxPendingRows ?? 8 * o.maxBatchSize;
    this.maxInFlightRows = o.maxInFlightRows ?? 2 * this.maxPendingRows;
  }

  get pendingCount(): number {
    return this.pendingRows;
  }

  add(record: T, key?: string, timestampMs?: number): Promise<ScoredOutput<T>[]> | null {
    if (key === undefined) key = keyOrThrow(this.o.keyOf, record);
    const ts = timestampMs ?? (this.o.timestampOf ? this.o.timestampOf(record) : Number.NaN);
    const model = this.o.selectModel(key, ts, record);
    if (!model) {
      this.o.onNoModel(record, key, ts);
      return null;
    }
    let p = this.pending.get(model);
    let earlier: Promise<ScoredOutput<T>[]>[] | null = null;
    if (!p && this.o.preserveOrder && this.pending.size > 0) {
      earlier = [...this.pending.keys()].map((m) => this.flushModel(m));
    }
    if (!p) {
      p = { builder: this.takeBuilder(), records: [] };
      this.pending.set(model, p);
      this.o.acquire?.(model);
    }
    p.builder.append(record, key, ts);
    p.records.push(record);
    this.pendingRows++;
    this.drainedWhileScoring = false;
    if (this.timer === null && this.o.lingerMs > 0) {
      this.timer = this.o.scheduler.setTimeout(() => {
        this.timer = null;
        void this.flushAll();
      }, this.o.lingerMs);
    }
    if (this.pendingRows >= this.maxPendingRows || p.builder.full) {
      const own = this.pendingRows >= this.maxPendingRows ? this.flushPending() : this.flushModel(model);
      return earlier ? Promise.all([...earlier, own]).then(concat) : own;
    }
    if (earlier) return Promise.all(earlier).then(concat);
    // backpressure: none of these outputs are this call's
    if (this.inFlightRows >= this.maxInFlightRows) return Promise.all(this.inFlight).then(() => []);
    return null;
  }

  /**
   * The caller's input ran dry (nothing more queued now): flush the pending rows at once when no batch is
   * being scored, else when the batches being scored complete — unless a record arrives meanwhile, which
   * means input is flowing and batches keep filling. The flush is not awaited here; its outputs are emitted
   * in flush order as every flush's are, and flushAll() waits for it.
   */
  drained(): void {
    if (this.pendingRows === 0) return;
    if (this.inFlight.size > 0) {
      this.drainedWhileScoring = true;
      return;
    }
    this.pacedFlush();
  }

  /**
   * Flushes now if the scorer was idle long enough since its last busy period, else when it will have been
   * (at most lingerMs later; without a linger timer to bound the wait, at once).
   */
  private pacedFlush(): void {
    const waitMs = this.idleSinceMs + DRAIN_IDLE_FACTOR * this.lastBusyMs - this.o.scheduler.monotonicMs();
    if (waitMs <= 0 || this.o.lingerMs <= 0) {
      void this.flushPending();
      return;
    }
    this.drainTimer ??= this.o.scheduler.setTimeout(
      () => {
        this.drainTimer = null;
        if (this.pendingRows === 0) return;
        if (this.inFlight.size > 0) this.drainedWhileScoring = true;
        else void this.flushPending();
      },
      Math.min(this.o.lingerMs, Math.ceil(waitMs)),
    );
  }

  /** Flushes every pending batch (one subtask batch, split per model); outputs in flush order. */
  private flushPending(): Promise<ScoredOutput<T>[]> {
    this.drainedWhileScoring = false;
    if (this.timer !== null) {
      this.o.scheduler.clear(this.timer);
      this.timer = null;
    }
    if (this.drainTimer !== null) {
      this.o.scheduler.clear(this.drainTimer);
      this.drainTimer = null;
    }
    if (this.pending.size === 1) return this.flushModel(this.pending.keys().next().value!);
    const started = [...this.pending.keys()].map((m) => this.flushModel(m));
    return Promise.all(started).then(concat);
  }

  /** Flushes every pending batch and waits for batches already in flight; outputs of this call's batches. */
  async flushAll(): Promise<ScoredOutput<T>[]> {
    const earlier = [...this.inFlight];
    const results = await this.flushPending();
    await Promise.all(earlier);
    return results;
  }

  private flushModel(model: ServingModel): Promise<ScoredOutput<T>[]> {
    const p = this.pending.get(model)!;
    this.pending.delete(model);
    const rows = p.records.length;
    this.pendingRows -= rows;
    this.inFlightRows += rows;
    if (this.inFlight.size === 0) this.busySinceMs = this.o.scheduler.monotonicMs();
    const scored = this.score(model, p);
    // Batches score concurrently but emit in flush order.
    const emitted = Promise.all([scored, this.lastEmit]).then(([outs]) => {
      if (this.o.onBatch) {
        if (outs.length) this.o.onBatch(outs);
      } else if (this.o.onOutput) for (const o of outs) this.o.onOutput(o);
      return outs;
    });
    this.lastEmit = emitted.catch(() => undefined);
    const promise = emitted.finally(() => {
      this.inFlight.delete(promise);
      this.inFlightRows -= rows;
      p.builder.reset();
      this.pool.push(p.builder);
      this.o.release?.(model);
      if (this.inFlight.size > 0) return;
      this.idleSinceMs = this.o.scheduler.monotonicMs();
      this.lastBusyMs = this.idleSinceMs - this.busySinceMs;
      if (this.drainedWhileScoring && this.pendingRows > 0) {
        this.drainedWhileScoring = false;
        this.pacedFlush();
      }
    });
    this.inFlight.add(promise);
    return promise;
  }

  private async score(model: ServingModel, p: Pending<T>): Promise<ScoredOutput<T>[]> {
    const rows = p.records.length;
    const features = p.builder.featureView();
    const d = model.descriptor;
    const stats = this.o.stats?.forModel(d, model.backend, this.o.scheduler.nowMs());
    const t0 = this.o.scheduler.monotonicMs();
    let out: Float32Array;
    try {
      out = this.o.run
        ? await this.o.run(model, features, rows, this.o.width)
        : await model.scoreBatch(features, rows, this.o.width);
    } catch (e) {
      stats?.recordFailure();
      this.o.onFailure?.(model, e, p.records);
      return [];
    }
    const latencyMs = this.o.scheduler.monotonicMs() - t0;
    stats?.recordBatch(rows, latencyMs);
    const servedAtMs = this.o.scheduler.nowMs();
    const ow = model.outputWidth;
    const b = p.builder;
    const outputs: ScoredOutput<T>[] = new Array(rows);
    for (let i = 0; i < rows; i++) {
      const o: ScoredOutput<T> = {
        record: p.records[i]!,
        key: b.keyAt(i) as string,
        timestampMs: b.timestampAt(i),
        prediction: out[i * ow]!,
        model: d.name,
        version: d.version,
        sha256: d.sha256,
        servedAtMs,
        batchLatencyMs: latencyMs,
        batchSize: rows,
      };
      if (ow > 1) o.predictions = Array.from(out.subarray(i * ow, (i + 1) * ow));
      outputs[i] = o;
    }
    return outputs;
  }

  private takeBuilder(): FeatureRows<T> {
    return this.pool.pop() ?? new FeatureRows<T>(this.o.width, this.o.maxBatchSize, this.o.extract);
  }
}

function keyOrThrow<T>(keyOf: ((record: T) => string) | undefined, record: T): string {
  if (!keyOf) throw new SluiceError('API_INVALID_ARGUMENT', 'BatchScorer.add: no key given and no keyOf option');
  return keyOf(record);
}

/** The outputs of several batches in order (Array.prototype.flat is a slow generic path in V8 at 1024 rows). */
function concat<T>(parts: T[][]): T[] {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Array<T>(n);
  let i = 0;
  for (const p of parts) for (let j = 0; j < p.length; j++) out[i++] = p[j]!;
  return out;
}
