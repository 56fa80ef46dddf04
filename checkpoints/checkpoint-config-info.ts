/**
 * The body of `GET /jobs/:jobid/checkpoints/config` (Flink's CheckpointConfigInfo), keys in Flink's
 * order. `mode` is lower-case (`exactly_once` / `at_least_once`), as Flink's ProcessingModeSerializer
 * writes it; `externalization` follows Flink's handler: enabled unless NO_EXTERNALIZED_CHECKPOINTS,
 * delete_on_cancellation unless RETAIN_ON_CANCELLATION.
 */
import type { ExternalizedCheckpointRetention } from './storage.js';

export interface CheckpointConfigInput {
  mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  intervalMs: number;
  timeoutMs: number;
  minPauseMs: number;
  maxConcurrent: number;
  retention: ExternalizedCheckpointRetention;
  stateBackend?: string;
  checkpointStorage?: string;
  unaligned?: boolean;
  tolerableFailedCheckpoints?: number;
  alignedCheckpointTimeoutMs?: number;
  checkpointsAfterTasksFinish?: boolean;
  stateChangelogEnabled?: boolean;
  changelogPeriodicMaterializationIntervalMs?: number;
  changelogStorage?: string;
}

export interface CheckpointConfigInfoJson {
  mode: 'exactly_once' | 'at_least_once';
  interval: number;
  timeout: number;
  min_pause: number;
  max_concurrent: number;
  externalization: { enabled: boolean; delete_on_cancellation: boolean };
  state_backend: string;
  checkpoint_storage: string;
  unaligned_checkpoints: boolean;
  tolerable_failed_checkpoints: number;
  aligned_checkpoint_timeout: number;
  checkpoints_after_tasks_finish: boolean;
  state_changelog_enabled: boolean;
  changelog_periodic_materialization_interval: number;
  changelog_storage: string;
}

export function checkpointConfigInfo(c: CheckpointConfigInput): CheckpointConfigInfoJson {
  return {
    mode: c.mode === 'AT_LEAST_ONCE' ? 'at_least_once' : 'exactly_once',
    interval: c.intervalMs,
    timeout: c.timeoutMs,
    min_pause: c.minPauseMs,
    max_concurrent: c.maxConcurrent,
    externalization: {
      enabled: c.retention !== 'NO_EXTERNALIZED_CHECKPOINTS',
      delete_on_cancellation: c.retention !== 'RETAIN_ON_CANCELLATION',
    },
    state_backend: c.stateBackend ?? 'HashMapStateBackend',
    checkpoint_storage: c.checkpointStorage ?? 'FileSystemCheckpointStorage',
    unaligned_checkpoints: c.unaligned ?? false,
    tolerable_failed_checkpoints: c.tolerableFailedCheckpoints ?? 0,
    aligned_checkpoint_timeout: c.alignedCheckpointTimeoutMs ?? 0,
    checkpoints_after_tasks_finish: c.checkpointsAfterTasksFinish ?? true,
    state_changelog_enabled: c.stateChangelogEnabled ?? false,
    changelog_periodic_materialization_interval: c.changelogPeriodicMaterializationIntervalMs ?? 600_000,
    changelog_storage: c.changelogStorage ?? 'memory',
  };
}
