/**
 * Checkpoint statistics tracker producing Flink's REST shapes, keys in Flink's order:
 *   GET /jobs/:id/checkpoints               → statistics()   (CheckpointingStatistics)
 *   GET /jobs/:id/checkpoints/details/:cid  → details(cid)   (CheckpointStatistics with per-task stats)
 *
 * `counts` keys are restored,total,in_progress,completed,failed (Flink's e2e scripts cut by position);
 * `total` counts every triggered checkpoint (in progress + completed + failed). History is newest first
 * and keeps `historySize` entries (`web.checkpoints.history`, default 10). `latest.completed` excludes
 * savepoints (they go to `latest.savepoint`). Sizes are bytes, durations ms, timestamps epoch ms; -1
 * means "no acknowledgement yet", as in Flink.
 */
import { StatsSummary, type StatsSummaryDto } from './stats-summary.js';

export type RestCheckpointType = 'CHECKPOINT' | 'UNALIGNED_CHECKPOINT' | 'SAVEPOINT' | 'SYNC_SAVEPOINT';
export type CheckpointStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

interface Sizes {
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

export interface TaskCheckpointStatisticsJson {
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

export type CheckpointStatisticsJson = {
  className: 'in_progress' | 'completed' | 'failed';
  id: number;
  status: CheckpointStatus;
  is_savepoint: boolean;
  savepointFormat: string | null;
  trigger_timestamp: number;
  latest_ack_timestamp: number;
  checkpointed_size: number;
  state_size: number;
  end_to_end_duration: number;
  alignment_buffered: number;
  processed_data: number;
  persisted_data: number;
  num_subtasks: number;
  num_acknowledged_subtasks: number;
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

const isSavepointType = (t: RestCheckpointType) => t === 'SAVEPOINT' || t === 'SYNC_SAVEPOINT';

export class CheckpointStatsTracker {
  private readonly entries = new Map<number, Entry>();
  private readonly order: number[] = [];
  private counts = { restored: 0, total: 0, in_progress: 0, completed: 0, failed: 0 };
  private readonly summary = {
    checkpointed_size: new StatsSummary(),
    state_size: new StatsSummary(),
    end_to_end_duration: new StatsSummary(),
    alignment_buffered: new StatsSummary(),
    processed_data: new StatsSummary(),
    persisted_data: new StatsSummary(),
  };
  private latestCompleted: number | undefined;
  private latestSavepoint: number | undefined;
  private latestFailed: Entry | undefined;
  private restored: RestoredCheckpointJson | null = null;

  constructor(private readonly historySize = 10) {}

  reportRestored(r: {
    checkpointId: number;
    restoreTimestampMs: number;
    isSavepoint: boolean;
    externalPath: string;
  }): void {
    this.counts.restored++;
    this.restored = {
      id: r.checkpointId,
      restore_timestamp: r.restoreTimestampMs,
      is_savepoint: r.isSavepoint,
      external_path: r.externalPath,
    };
  }

  /** A checkpoint was triggered; `tasks` lists job vertices with their subtask counts (for details). */
  reportPending(p: {
    checkpointId: number;
    triggerTimestampMs: number;
    checkpointType: RestCheckpointType;
    numSubtasks: number;
    savepointFormat?: 'CANONICAL' | 'NATIVE';
    tasks?: Array<{ vertexId: string; numSubtasks: number }>;
  }): void {
    const e: Entry = {
      id: p.checkpointId,
      status: 'IN_PROGRESS',
      type: p.checkpointType,
      savepointFormat: isSavepointType(p.checkpointType) ? (p.savepointFormat ?? 'CANONICAL') : null,
      triggerMs: p.triggerTimestampMs,
      latestAckMs: -1,
      numSubtasks: p.numSubtasks,
      numAcked: 0,
      tasks: new Map(),
      checkpointed_size: 0,
      state_size: 0,
      alignment_buffered: 0,
      processed_data: 0,
      persisted_data: 0,
      externalPath: null,
      discarded: false,
      failureMs: -1,
      failureMessage: null,
    };
    for (const t of p.tasks ?? []) e.tasks.set(t.vertexId, newTask(t.numSubtasks));
    this.entries.set(e.id, e);
    this.order.push(e.id);
    this.counts.total++;
    this.counts.in_progress++;
    this.trimHistory();
  }

  reportSubtaskAck(checkpointId: number, a: SubtaskAck): void {
    const e = this.entries.get(checkpointId);
    if (e?.status !== 'IN_PROGRESS') return;
    const vertexId = a.vertexId ?? 'unknown';
    let task = e.tasks.get(vertexId);
    if (!task) e.tasks.set(vertexId, (task = newTask(0)));
    const sub = a.subtaskIndex ?? task.acked.size;
    if (task.acked.has(sub)) return;
    task.acked.set(sub, {
      ackMs: a.ackTimestampMs,
      state_size: a.stateSizeBytes ?? 0,
      checkpointed_size: a.checkpointedSizeBytes ?? a.stateSizeBytes ?? 0,
      syncMs: a.syncDurationMs === undefined ? -1 : Math.round(a.syncDurationMs),
      asyncMs: a.asyncDurationMs === undefined ? -1 : Math.round(a.asyncDurationMs),
    });
    task.numSubtasks = Math.max(task.numSubtasks, task.acked.size);
    task.latestAckMs = Math.max(task.latestAckMs, a.ackTimestampMs);
    e.numAcked++;
    e.latestAckMs = Math.max(e.latestAckMs, a.ackTimestampMs);
    const add = (t: Sizes) => {
      t.state_size += a.stateSizeBytes ?? 0;
      t.checkpointed_size += a.checkpointedSizeBytes ?? a.stateSizeBytes ?? 0;
      t.alignment_buffered += a.alignmentBufferedBytes ?? 0;
      t.processed_data += a.processedDataBytes ?? 0;
      t.persisted_data += a.persistedDataBytes ?? 0;
    };
    add(task);
    add(e);
  }

  /** Bytes of state subtask `subtaskIndex` of `vertexId` wrote for the checkpoint (after its acknowledgement). */
  reportSubtaskStateSize(checkpointId: number, vertexId: string, subtaskIndex: number, bytes: number): void {
    const e = this.entries.get(checkpointId);
    if (e?.status !== 'IN_PROGRESS') return;
    const task = e.tasks.get(vertexId);
    const sub = task?.acked.get(subtaskIndex);
    if (!task || !sub) return;
    sub.state_size += bytes;
    sub.checkpointed_size += bytes;
    task.state_size += bytes;
    task.checkpointed_size += bytes;
  }

  /** The entry of checkpoint `checkpointId` (for per-subtask details), if it is still kept. */
  entry(checkpointId: number): Readonly<Entry> | undefined {
    return this.entries.get(checkpointId);
  }

  /** The checkpoint completed; `stateSizeBytes` overrides the acked sum (e.g. the bytes actually written). */
  reportCompleted(
    checkpointId: number,
    c: { externalPath: string; stateSizeBytes?: number; completionTimestampMs?: number },
  ): void {
    const e = this.entries.get(checkpointId);
    if (e?.status !== 'IN_PROGRESS') return;
    e.status = 'COMPLETED';
    e.externalPath = c.externalPath;
    if (c.stateSizeBytes !== undefined) {
      e.state_size = c.stateSizeBytes;
      e.checkpointed_size = Math.max(e.checkpointed_size, c.stateSizeBytes);
    }
    if (e.latestAckMs < 0 && c.completionTimestampMs !== undefined) e.latestAckMs = c.completionTimestampMs;
    this.counts.in_progress--;
    this.counts.completed++;
    this.summary.checkpointed_size.add(e.checkpointed_size);
    this.summary.state_size.add(e.state_size);
    this.summary.end_to_end_duration.add(duration(e));
    this.summary.alignment_buffered.add(e.alignment_buffered);
    this.summary.processed_data.add(e.processed_data);
    this.summary.persisted_data.add(e.persisted_data);
    if (isSavepointType(e.type)) this.latestSavepoint = e.id;
    else this.latestCompleted = e.id;
  }

  reportFailed(checkpointId: number, f: { failureTimestampMs: number; failureMessage: string }): void {
    const e = this.entries.get(checkpointId);
    if (e?.status !== 'IN_PROGRESS') return;
    e.status = 'FAILED';
    e.failureMs = f.failureTimestampMs;
    e.failureMessage = f.failureMessage;
    this.counts.in_progress--;
    this.counts.failed++;
    this.latestFailed = e;
  }

  /** A completed checkpoint's files were deleted (subsumed or on job end). */
  markDiscarded(checkpointId: number): void {
    const e = this.entries.get(checkpointId);
    if (e && e.status === 'COMPLETED') e.discarded = true;
  }

  statistics(): CheckpointingStatisticsJson {
    const entry = (id: number | undefined) => (id === undefined ? undefined : this.entries.get(id));
    const completed = entry(this.latestCompleted);
    const savepoint = entry(this.latestSavepoint);
    return {
      counts: { ...this.counts },
      summary: {
        checkpointed_size: this.summary.checkpointed_size.toDto(),
        state_size: this.summary.state_size.toDto(),
        end_to_end_duration: this.summary.end_to_end_duration.toDto(),
        alignment_buffered: this.summary.alignment_buffered.toDto(),
        processed_data: this.summary.processed_data.toDto(),
        persisted_data: this.summary.persisted_data.toDto(),
      },
      latest: {
        completed: completed ? toJson(completed, false) : null,
        savepoint: savepoint ? toJson(savepoint, false) : null,
        failed: this.latestFailed ? toJson(this.latestFailed, false) : null,
        restored: this.restored ? { ...this.restored } : null,
      },
      history: [...this.order].reverse().map((id) => toJson(this.entries.get(id)!, false)),
    };
  }

  /** `/checkpoints/details/:cid`, with per-task statistics; undefined when the id is not in the history. */
  details(checkpointId: number): CheckpointStatisticsJson | undefined {
    const e = this.entries.get(checkpointId);
    return e ? toJson(e, true) : undefined;
  }

  private trimHistory(): void {
    while (this.order.length > this.historySize) {
      const id = this.order.shift()!;
      // latest entries (completed, savepoint, failed) stay reachable even when they leave the history
      if (!this.isLatest(id)) this.entries.delete(id);
    }
    for (const id of [...this.entries.keys()])
      if (!this.order.includes(id) && !this.isLatest(id)) this.entries.delete(id);
  }

  private isLatest(id: number): boolean {
    return id === this.latestCompleted || id === this.latestSavepoint || id === this.latestFailed?.id;
  }
}

function newTask(numSubtasks: number): TaskStats {
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

function duration(e: Entry): number {
  if (e.status === 'FAILED') return Math.max(0, e.failureMs - e.triggerMs);
  return e.latestAckMs < 0 ? -1 : Math.max(0, e.latestAckMs - e.triggerMs);
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

function toJson(e: Entry, withTasks: boolean): CheckpointStatisticsJson {
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
