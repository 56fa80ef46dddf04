/**
 * Reads a job's checkpointing and restart settings from the flat Flink configuration, with the job's own
 * `enableCheckpointing` taking precedence for interval and mode (as in Flink, code over config).
 */
import type { CheckpointConfig } from '../datastream/environment.js';
import { parseDurationMs } from '../config/index.js';
import type { ExternalizedCheckpointRetention } from '../../checkpoints/storage.js';
import type { JobCheckpointingOptions } from './job-checkpointing.js';
import type { RestartConfig } from './restart-strategy.js';

export function durationMs(v: string | undefined, dflt: number): number {
  return v === undefined || v === '' ? dflt : (parseDurationMs(v) ?? dflt);
}

const int = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));

export function checkpointingOptions(
  c: Record<string, string>,
  job: CheckpointConfig,
  savepointPath: string | undefined,
  allowNonRestoredState: boolean,
): JobCheckpointingOptions {
  const intervalMs = job.intervalMs > 0 ? job.intervalMs : durationMs(c['execution.checkpointing.interval'], -1);
  return {
    checkpointsDir: c['execution.checkpointing.dir'] ?? c['state.checkpoints.dir'] ?? './.sluice/checkpoints',
    intervalMs,
    timeoutMs: durationMs(c['execution.checkpointing.timeout'], 600_000),
    minPauseMs: durationMs(c['execution.checkpointing.min-pause'], 0),
    maxConcurrent: int(c['execution.checkpointing.max-concurrent-checkpoints'], 1),
    tolerableFailures: int(c['execution.checkpointing.tolerable-failed-checkpoints'], 0),
    numRetained: int(c['execution.checkpointing.num-retained'] ?? c['state.checkpoints.num-retained'], 1),
    retention:
      (c['execution.checkpointing.externalized-checkpoint-retention'] as ExternalizedCheckpointRetention) ??
      'NO_EXTERNALIZED_CHECKPOINTS',
    mode:
      job.intervalMs > 0
        ? job.mode
        : ((c['execution.checkpointing.mode'] as 'EXACTLY_ONCE' | 'AT_LEAST_ONCE') ?? 'EXACTLY_ONCE'),
    initialRestorePath: savepointPath ?? c['execution.state-recovery.path'] ?? c['execution.savepoint.path'],
    allowNonRestoredState: allowNonRestoredState || c['execution.state-recovery.ignore-unclaimed-state'] === 'true',
  };
}

export function restartConfig(c: Record<string, string>): RestartConfig {
  return {
    type: c['restart-strategy.type'] ?? c['restart-strategy'],
    fixedAttempts: c['restart-strategy.fixed-delay.attempts']
      ? Number(c['restart-strategy.fixed-delay.attempts'])
      : undefined,
    fixedDelayMs: c['restart-strategy.fixed-delay.delay']
      ? durationMs(c['restart-strategy.fixed-delay.delay'], 1000)
      : undefined,
    expInitialMs: c['restart-strategy.exponential-delay.initial-backoff']
      ? durationMs(c['restart-strategy.exponential-delay.initial-backoff'], 1000)
      : undefined,
    expMaxMs: c['restart-strategy.exponential-delay.max-backoff']
      ? durationMs(c['restart-strategy.exponential-delay.max-backoff'], 60_000)
      : undefined,
    expMultiplier: c['restart-strategy.exponential-delay.backoff-multiplier']
      ? Number(c['restart-strategy.exponential-delay.backoff-multiplier'])
      : undefined,
    expResetThresholdMs: c['restart-strategy.exponential-delay.reset-backoff-threshold']
      ? durationMs(c['restart-strategy.exponential-delay.reset-backoff-threshold'], 3_600_000)
      : undefined,
    expAttempts: c['restart-strategy.exponential-delay.attempts-before-reset-backoff']
      ? Number(c['restart-strategy.exponential-delay.attempts-before-reset-backoff'])
      : undefined,
  };
}
