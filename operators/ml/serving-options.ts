/**
 * The options of model serving (`ModelServing.keyed/broadcast`, `ModelServingOperator`) and their check when a
 * job is built: a bad option is an `API_INVALID_ARGUMENT` naming the option and the value, before any record.
 *
 * Invariant: every option that bounds a batch or a buffer is a count of rows or records (no bytes), and
 * `maxPendingRows` is never below `maxBatchSize` (it would cap every batch below the configured size).
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { FeatureExtractor } from './arrow-batch.js';
import type { PoolBudget } from './budget-registry.js';
import type { ModelDescriptor } from './descriptor.js';
import type { ModelFactoryRegistry } from './model.js';
import type { SwitchPolicy } from './model-store.js';
import type { NoModelPolicyKind } from './no-model-policy.js';
import type { RolloutOptions } from './rollout.js';

export interface ModelServingOptions<T> {
  mode: 'keyed' | 'broadcast';
  /** Features per record and the per-job extraction into the batch buffer. */
  width: number;
  extract: FeatureExtractor<T>;
  /** Switch policy (default processing-time). */
  policy?: SwitchPolicy;
  /** No-model policy (default side-output). */
  noModel?: NoModelPolicyKind;
  maxBuffered?: number;
  /** Rows per Arrow batch (default 1024) and the longest a record waits for a full batch (default 20 ms). */
  maxBatchSize?: number;
  lingerMs?: number;
  /**
   * Rows a subtask holds for scoring, all models together, before it flushes every pending batch (default
   * 8 × maxBatchSize, at least maxBatchSize): more gives each of many models a larger batch, fewer bounds
   * memory and the wait at full load. Twice this many rows being scored make the input wait.
   */
  maxPendingRows?: number;
  preserveOrder?: boolean;
  /** Broadcast mode: the model key a record uses (default '*'); it falls back to '*'. */
  modelKeyOf?: (record: T) => string;
  /** Broadcast mode: the key a descriptor installs under (default '*'). */
  descriptorKeyOf?: (d: ModelDescriptor) => string;
  /** Event-time history kept per key (default 16; processing-time keeps 1). */
  maxHistoryPerKey?: number;
  /** Model factories (default: onnx + tensorflow, loaded lazily); a function so each subtask builds its own. */
  registry?: () => ModelFactoryRegistry;
  /**
   * 'records' (default): one Scored<T> per record. 'arrow-ipc': one element per scored batch, an Arrow IPC
   * stream (Uint8Array; `tableFromIPC` reads it) with columns key, timestamp, prediction, model, version,
   * sha256 — for consumers that want columnar results; the element's timestamp is the batch's latest.
   */
  output?: 'records' | 'arrow-ipc';
  /** ONNX models whose full batch takes longer than `budgetMs` score in a worker_threads pool (budget-registry.ts). */
  workerPool?: PoolBudget;
  /**
   * The features this job extracts, as the models' `training.featureSchema` names them (e.g. a vocabulary
   * hash and a description). When set, a model trained on other features — or declaring none — is rejected
   * on the status stream (MODEL_SCHEMA_MISMATCH) and the previous model keeps serving.
   */
  featureSchema?: string[];
  /** A/B, canary or shadow rollout of new model versions (rollout.ts); shadow scores go to SHADOW_TAG. */
  rollout?: RolloutOptions<T>;
  /** Keyed mode: the queryable-state name of the per-key model statistics (default 'model-stats'). */
  queryableStatsName?: string;
}

const DEFAULT_MAX_BATCH_SIZE = 1024;

export function validateServingOptions<T>(o: ModelServingOptions<T>): void {
  if (o.mode !== 'keyed' && o.mode !== 'broadcast')
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `model serving mode must be 'keyed' or 'broadcast' (got ${String(o.mode)})`,
    );
  if (!(Number.isInteger(o.width) && o.width > 0))
    throw new SluiceError('API_INVALID_ARGUMENT', `model serving: width must be a positive integer (got ${o.width})`);
  if (typeof o.extract !== 'function')
    throw new SluiceError('API_INVALID_ARGUMENT', 'model serving: extract(record, out, offset) is required');
  const policy = o.policy ?? 'processing-time';
  if (policy !== 'processing-time' && policy !== 'event-time')
    throw new SluiceError('API_INVALID_ARGUMENT', `unknown switch policy ${String(policy)}`);
  if (o.maxPendingRows !== undefined) {
    const batch = o.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
    if (!Number.isInteger(o.maxPendingRows) || o.maxPendingRows < batch)
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `model serving: maxPendingRows must be an integer of at least maxBatchSize (${batch} rows), got ${String(o.maxPendingRows)}; lower maxBatchSize for smaller batches`,
      );
  }
}
