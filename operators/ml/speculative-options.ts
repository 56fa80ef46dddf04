/**
 * The options of speculative serving (`SpeculativeServing.broadcast`, `SpeculativeServingOperator`) and their check
 * when a job is built: a missing strategy, a bad width or extractor, a deadline without `deadlineMs > 0` and a
 * fallback name, or quality by metric without a metric name is an `API_INVALID_ARGUMENT`, before any record.
 *
 * Invariant: type imports only (no apache-arrow, no onnxruntime), so a job module that builds the options does not
 * load the scoring stack; batch and buffer bounds are counts of rows or records, durations are ms.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { FeatureExtractor } from './arrow-batch.js';
import type { ModelFactoryRegistry } from './model.js';
import type { SpeculativeConfig } from './speculative.js';

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

/** Throws `API_INVALID_ARGUMENT` naming the first bad option (the operator's constructor calls it). */
export function checkSpeculativeOptions<T>(o: SpeculativeServingOptions<T>): void {
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
