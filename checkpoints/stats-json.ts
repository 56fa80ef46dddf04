/**
 * Flink's REST JSON shapes for checkpoint statistics, keys in Flink's order, and the conversion of a tracked
 * `Entry` (`stats-entry.ts`) into them:
 *   CheckpointingStatistics        → `CheckpointingStatisticsJson` (body of GET /jobs/:id/checkpoints)
 *   CheckpointStatistics           → `CheckpointStatisticsJson` (history entries, latest, /checkpoints/details/:cid)
 *   TaskCheckpointStatistics       → `TaskCheckpointStatisticsJson` (per vertex, also in subtask details)
 *   RestoredCheckpointStatistics   → `RestoredCheckpointJson`
 *
 * Invariants: `className` follows the status (in_progress / completed / failed); `external_path` and `discarded`
 * appear only on completed entries, `failure_timestamp` and `failure_message` only on failed ones; `tasks` is
 * empty unless per-task statistics are asked for. Units as in `stats-entry.ts` (-1: no acknowledgement yet).
 */
import {
  type CheckpointStatus,
  duration,
  type Entry,
  isSavepointType,
  type RestCheckpointType,
  type TaskStats,
} from './stats-entry.js';
import type { StatsSummaryDto } from './stats-summary.js';

/** The fields Flink's REST API gives both a checkpoint and each of its tasks. */
interface CheckpointProgressJson {
  id: number;
  status: CheckpointStatus;
  latest_ack_timestamp: number;
  checkpointed_size: number;
  state_size: number;
  end_to_end_duration: number;
  alignment_buffered: number;
  processed_data: number;
  persisted_data: number;
  num_subtasks: number;
  num_acknowledged_subtasks: number;
}

export type TaskCheckpointStatisticsJson = CheckpointProgressJson;

export type CheckpointStatisticsJson = CheckpointProgressJson & {
  className: 'in_progress' | 'completed' | 'failed';
  is_savepoint: boolean;
  savepointFormat: string | null;
  trigger_timestamp: number;
  checkpoint_type: RestCheckpointType;
  tasks: Record<string, TaskCheckpointStatisticsJson>;
  external_path?: string | null;
  discarded?: boolean;
  failure_timestamp?: number;
  failure_message?: string | null;
};

export interface RestoredCheckpointJson {
  id: number;
  restore_timestamp: number;
  is_savepoint: boolean;
  external_path: string;
}

export interface CheckpointingStatisticsJson {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  summary: Record<
    | 'checkpointed_size'
    | 'state_size'
    | 'end_to_end_duration'
    | 'alignment_buffered'
    | 'processed_data'
    | 'persisted_data',
    StatsSummaryDto
  >;
  latest: {
    completed: CheckpointStatisticsJson | null;
    savepoint: CheckpointStatisticsJson | null;
    failed: CheckpointStatisticsJson | null;
    restored: RestoredCheckpointJson | null;
  };
  history: CheckpointStatisticsJson[];
}

/** One vertex's figures in one checkpoint (Flink's TaskCheckpointStatistics). */
export function taskCheckpointJson(e: Readonly<Entry>, t: Readonly<TaskStats>): TaskCheckpointStatisticsJson {
  return {
    id: e.id,
    status: e.status,
    latest_ack_timestamp: t.latestAckMs,
    checkpointed_size: t.checkpointed_size,
    state_size: t.state_size,
    end_to_end_duration: t.latestAckMs < 0 ? -1 : Math.max(0, t.latestAckMs - e.triggerMs),
    alignment_buffered: t.alignment_buffered,
    processed_data: t.processed_data,
    persisted_data: t.persisted_data,
    num_subtasks: t.numSubtasks,
    num_acknowledged_subtasks: t.acked.size,
  };
}

/** One checkpoint (Flink's CheckpointStatistics); `withTasks` adds each vertex's TaskCheckpointStatistics. */
export function checkpointJson(e: Entry, withTasks: boolean): CheckpointStatisticsJson {
  const className = e.status === 'COMPLETED' ? 'completed' : e.status === 'FAILED' ? 'failed' : 'in_progress';
  const tasks: Record<string, TaskCheckpointStatisticsJson> = {};
  if (withTasks) {
    for (const [vertexId, t] of e.tasks) {
      tasks[vertexId] = taskCheckpointJson(e, t);
    }
  }
  const out: CheckpointStatisticsJson = {
    className,
    id: e.id,
    status: e.status,
    is_savepoint: isSavepointType(e.type),
    savepointFormat: e.savepointFormat,
    trigger_timestamp: e.triggerMs,
    latest_ack_timestamp: e.latestAckMs,
    checkpointed_size: e.checkpointed_size,
    state_size: e.state_size,
    end_to_end_duration: duration(e),
    alignment_buffered: e.alignment_buffered,
    processed_data: e.processed_data,
    persisted_data: e.persisted_data,
    num_subtasks: e.numSubtasks,
    num_acknowledged_subtasks: e.numAcked,
    checkpoint_type: e.type,
    tasks,
  };
  if (e.status === 'COMPLETED') {
    out.external_path = e.externalPath;
    out.discarded = e.discarded;
  } else if (e.status === 'FAILED') {
    out.failure_timestamp = e.failureMs;
    out.failure_message = e.failureMessage;
  }
  return out;
}
