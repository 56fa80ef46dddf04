/**
 * Checkpoint statistics tracker producing Flink's REST shapes (`stats-json.ts`), keys in Flink's order:
 *   GET /jobs/:id/checkpoints               → statistics()   (CheckpointingStatistics)
 *   GET /jobs/:id/checkpoints/details/:cid  → details(cid)   (CheckpointStatistics with per-task stats)
 *
 * `counts` keys are restored,total,in_progress,completed,failed (Flink's e2e scripts cut by position);
 * `total` counts every triggered checkpoint (in progress + completed + failed). History is newest first
 * and keeps `historySize` entries (`web.checkpoints.history`, default 10). `latest.completed` excludes
 * savepoints (they go to `latest.savepoint`). Sizes are bytes, durations ms, timestamps epoch ms; -1
 * means "no acknowledgement yet", as in Flink. The model it keeps per checkpoint is in `stats-entry.ts`;
 * this module re-exports that model's and the JSON shapes' public names, so importers keep importing here.
 */
import {
  duration,
  type Entry,
  isSavepointType,
  newTask,
  type RestCheckpointType,
  type Sizes,
  type SubtaskAck,
} from './stats-entry.js';
import {
  type CheckpointingStatisticsJson,
  type CheckpointStatisticsJson,
  checkpointJson,
  type RestoredCheckpointJson,
} from './stats-json.js';
import { StatsSummary } from './stats-summary.js';

export type {
  CheckpointStatus,
  Entry,
  RestCheckpointType,
  SubtaskAck,
  SubtaskStats,
  TaskStats,
} from './stats-entry.js';
export {
  type CheckpointingStatisticsJson,
  type CheckpointStatisticsJson,
  type RestoredCheckpointJson,
  type TaskCheckpointStatisticsJson,
  taskCheckpointJson,
} from './stats-json.js';

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
        completed: completed ? checkpointJson(completed, false) : null,
        savepoint: savepoint ? checkpointJson(savepoint, false) : null,
        failed: this.latestFailed ? checkpointJson(this.latestFailed, false) : null,
        restored: this.restored ? { ...this.restored } : null,
      },
      history: [...this.order].reverse().map((id) => checkpointJson(this.entries.get(id)!, false)),
    };
  }

  /** `/checkpoints/details/:cid`, with per-task statistics; undefined when the id is not in the history. */
  details(checkpointId: number): CheckpointStatisticsJson | undefined {
    const e = this.entries.get(checkpointId);
    return e ? checkpointJson(e, true) : undefined;
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
