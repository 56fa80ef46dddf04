/**
 * What a deployed subtask reports to the job manager without being asked: its state changes (with its
 * final metrics and user counters once terminal), checkpoint acknowledgements and declines, and its final
 * state after the end of input. The task worker installs this as the task's listener.
 *
 * Invariants: each report goes through the worker's connection of the moment it is sent (`connection()` is
 * asked then, so a report after re-registration reaches the new job manager); a terminal state removes the
 * subtask's metric scope, since a later attempt or job may reuse the vertex id.
 */
import type { ConnectionToJobManager } from '../rpc/messages.js';
import { encodeKeyGroup } from '../state/key-group-codec.js';
import type { TaskListener } from '../task/stream-task.js';
import type { MetricRegistry } from '../task/task-metrics.js';

/** One subtask of one job attempt, as its reports name it. */
export interface ReportedSubtask {
  jobId: string;
  attempt: number;
  vertexId: string;
  subtaskIndex: number;
}

/** The listener of one subtask; `connection()` is the worker's current connection to the job manager. */
export function taskReports(
  subtask: ReportedSubtask,
  metrics: MetricRegistry,
  connection: () => ConnectionToJobManager,
): TaskListener {
  return {
    onStateChange: (state, err) => {
      const terminal = state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED';
      const scope = `${subtask.vertexId}.${subtask.subtaskIndex}`;
      const values = terminal ? metrics.valuesOf(scope) : undefined;
      const accumulators = terminal ? metrics.accumulators(scope) : undefined;
      if (terminal) metrics.removeScope(scope); // a later attempt or job may reuse the vertex id
      connection().notify({
        kind: 'taskState',
        body: {
          jobId: subtask.jobId,
          attempt: subtask.attempt,
          vertexId: subtask.vertexId,
          subtaskIndex: subtask.subtaskIndex,
          state,
          error: err ? `${err.name}: ${err.message}` : undefined,
          metrics: values,
          accumulators,
        },
      });
    },
    acknowledgeCheckpoint: (checkpointId, snapshots, timing) =>
      connection().notify({ kind: 'ackCheckpoint', body: { ...subtask, checkpointId, snapshots, timing } }),
    // Key groups are encoded in the asynchronous part's slices, not in one block when the ack is sent.
    encodeKeyGroup,
    reportFinalState: (snapshots, firstCheckpointId) =>
      connection().notify({ kind: 'finalState', body: { ...subtask, snapshots, firstCheckpointId } }),
    declineCheckpoint: (checkpointId, reason) =>
      connection().notify({
        kind: 'declineCheckpoint',
        body: { ...subtask, checkpointId, reason: reason.message },
      }),
  };
}
