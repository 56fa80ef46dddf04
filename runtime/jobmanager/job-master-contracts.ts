/**
 * What a JobMaster is given by its job manager: the submission (`JobSubmission`: bundle, job settings and
 * graph, which every deployment carries to the workers) and the recovery hooks (`RecoveryHooks`: restart
 * strategy, restore data, checkpoint mode, slot request timeout) wired to the job's checkpointing;
 * `RestoreMap`, the restore data per task a deployment carries. Re-exported by `job-master.ts`.
 *
 * Invariants: the submission's graph and default parallelism change only through `JobMaster.replaceGraph`
 * (a rescale, or reactive mode fitting a restart to the free slots).
 */
import type { StateBackendSpec } from '../config/job-settings.js';
import type { JobGraph } from '../graph/job-graph.js';
import type { TaskKey } from '../api/task-key.js';
import type { OperatorRestore } from '../task/operator-chain.js';
import type { RestartStrategy } from './restart-strategy.js';

/** Restore data per task (task key → operator uid → restore), the shape deployments carry. */
export type RestoreMap = Partial<Record<TaskKey, Record<string, OperatorRestore>>>;

export interface RecoveryHooks {
  restartStrategy: RestartStrategy;
  /** Restore data per task for the latest completed checkpoint (or the initial savepoint), if any. */
  restoreFor(jobGraph: JobGraph): Promise<RestoreMap | undefined>;
  /** Called with the new status when the job starts running (attempt) or stops. */
  onRunning?(attempt: number): void;
  onStopped?(): void;
  /** Before a restart deploys (reactive mode fits the job to the slots there are). */
  beforeRestart?(): Promise<void>;
  checkpointMode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  /** Periodic checkpoints are on: finished tasks wait for the final checkpoint (see deploy's checkpointingEnabled). */
  checkpointingEnabled?: boolean;
  /** How long a deployment waits for enough free slots (Flink's `slot.request.timeout`); default 5 min. */
  slotRequestTimeoutMs?: number;
}

export interface JobSubmission {
  jobId: string;
  jobName: string;
  bundleCode: string;
  bundleSha256: string;
  args: string[];
  defaultParallelism: number;
  /** -1: derived per operator. Workers rebuild the graph with it, so it travels with every deployment. */
  defaultMaxParallelism: number;
  /** The job's effective pipeline.auto-watermark-interval (its own setting, else the configuration's). */
  autoWatermarkIntervalMs: number;
  /** The job's keyed state backend (state.backend.*), sent with every deployment; absent: hashmap. */
  stateBackend?: StateBackendSpec;
  jobGraph: JobGraph;
}
