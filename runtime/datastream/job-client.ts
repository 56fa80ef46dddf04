/**
 * JobClient (Flink's org.apache.flink.core.execution.JobClient): what `executeAsync()` returns — a handle
 * on a submitted job, in this process (local execution) or on a cluster (over REST). Java's
 * CompletableFutures are Promises.
 *
 * Invariants: `getJobExecutionResult()` resolves only for a job that ended FINISHED (stop-with-savepoint
 * included); a cancelled job rejects with JOB_CANCELED and a failed one with TASK_FAILED, as Flink's
 * future completes exceptionally. The result promise is created at submission and may be awaited any
 * number of times.
 */
import type { JobExecutionResult } from './execution-host.js';
import type { JobStatus } from '../api/job-status.js';

export type { JobStatus };

/** Flink's SavepointFormatType; sluice writes one format for both. */
export type SavepointFormatType = 'CANONICAL' | 'NATIVE';

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED'];

export interface JobClient {
  getJobID(): string;
  getJobStatus(): Promise<JobStatus>;
  /** Requests cancellation; resolves once the request is accepted (the job then ends CANCELED). */
  cancel(): Promise<void>;
  /**
   * A synchronous savepoint after which the sources end; the job ends FINISHED. Resolves with the
   * savepoint's path. `advanceToEndOfEventTime` (drain) emits MAX_WATERMARK first, firing every timer.
   */
  stopWithSavepoint(
    advanceToEndOfEventTime: boolean,
    savepointDirectory?: string | null,
    formatType?: SavepointFormatType,
  ): Promise<string>;
  /** A savepoint of the running job; resolves with its path. Without a directory, the configured one. */
  triggerSavepoint(savepointDirectory?: string | null, formatType?: SavepointFormatType): Promise<string>;
  /** The job's user accumulators (as far as they are known while it runs). */
  getAccumulators(): Promise<Record<string, unknown>>;
  getJobExecutionResult(): Promise<JobExecutionResult>;
}
