/**
 * The checkpoint statistics model `CheckpointStatsTracker` keeps: one `Entry` per checkpoint with its figures per
 * job vertex (`TaskStats`) and per acknowledged subtask (`SubtaskStats`), and the acknowledgement a subtask
 * reports (`SubtaskAck`). No JSON here: `stats-json.ts` turns an entry into Flink's REST shapes.
 *
 * Invariants: sizes are bytes, durations ms, timestamps epoch ms; -1 means "no acknowledgement yet" (or "not
 * measured"), as in Flink. An entry's sizes are the sums of its tasks' sizes, a task's the sums of its acknowledged
 * subtasks' (the tracker adds to all of them at once). Only savepoint types carry a `savepointFormat`.
 */

export type RestCheckpointType = 'CHECKPOINT' | 'UNALIGNED_CHECKPOINT' | 'SAVEPOINT' | 'SYNC_SAVEPOINT';
export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

/** The byte figures an entry and each of its tasks sum up. */
export interface Sizes {
  checkpointed_size: number;
  state_size: number;
  alignment_buffered: number;
  processed_data: number;
  persisted_data: number;
}

/** One acknowledged subtask: when, the bytes of state it wrote, its snapshot's sync/async durations (-1: not measured). */
export interface SubtaskStats {
  ackMs: number;
  state_size: number;
  checkpointed_size: number;
  syncMs: number;
  asyncMs: number;
}

export interface TaskStats extends Sizes {
  numSubtasks: number;
  /** Acknowledged subtasks by index. */
  acked: Map<number, SubtaskStats>;
  latestAckMs: number;
}

export interface Entry extends Sizes {
  id: number;
  status: CheckpointStatus;
  type: RestCheckpointType;
  savepointFormat: string | null;
  triggerMs: number;
  latestAckMs: number;
  numSubtasks: number;
  numAcked: number;
  tasks: Map<string, TaskStats>;
  externalPath: string | null;
  discarded: boolean;
  failureMs: number;
  failureMessage: string | null;
}

export interface SubtaskAck {
  /** Job vertex id (32 hex) the subtask belongs to; omitted → "unknown". */
  vertexId?: string;
  subtaskIndex?: number;
  ackTimestampMs: number;
  stateSizeBytes?: number;
  checkpointedSizeBytes?: number;
  alignmentBufferedBytes?: number;
  processedDataBytes?: number;
  persistedDataBytes?: number;
  /** Synchronous part of the subtask's snapshot. */
  syncDurationMs?: number;
  /** Asynchronous part (building and encoding its state while it went on processing). */
  asyncDurationMs?: number;
}

export const isSavepointType = (t: RestCheckpointType) => t === 'SAVEPOINT' || t === 'SYNC_SAVEPOINT';

/** A job vertex's figures before any of its `numSubtasks` subtasks acknowledged. */
export function newTask(numSubtasks: number): TaskStats {
  return {
    numSubtasks,
    acked: new Map(),
    latestAckMs: -1,
    checkpointed_size: 0,
    state_size: 0,
    alignment_buffered: 0,
    processed_data: 0,
    persisted_data: 0,
  };
}

/** End-to-end duration in ms: trigger to failure, or to the latest acknowledgement (-1 before the first). */
export function duration(e: Entry): number {
  if (e.status === 'FAILED') return Math.max(0, e.failureMs - e.triggerMs);
  return e.latestAckMs < 0 ? -1 : Math.max(0, e.latestAckMs - e.triggerMs);
}
