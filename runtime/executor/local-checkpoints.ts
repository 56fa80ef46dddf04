/**
 * Checkpointing in local execution: the same CheckpointCoordinator the job manager uses, with the tasks
 * of this process as participants and an in-memory store for completed checkpoints (`completed`). Local
 * execution does not restart, so the store serves inspection (tests of the barrier protocol), not restore,
 * and a failed checkpoint does not fail the job (execution.checkpointing.tolerable-failed-checkpoints is a
 * cluster setting). Interval, mode, timeout, min pause and max concurrent come from the job's settings.
 * Savepoints (a job client's triggerSavepoint / stopWithSavepoint) are also written to their target
 * directory as on a cluster (`persistSnapshot`), so `sluice run -s` can start a job from them.
 */
import { CheckpointCoordinator, type TaskSnapshot } from '../../checkpoints/coordinator.js';
import { ElementKind } from '../api/elements.js';
import type { TaskKey } from '../api/task-key.js';
import type { OperatorSnapshot } from '../task/operator-chain.js';
import type { SnapshotTiming } from '../state/snapshot-types.js';
import type { StreamTask } from '../task/stream-task.js';
import type { CheckpointTiming } from '../config/job-settings.js';
import { persistSnapshot } from '../../checkpoints/persist-snapshot.js';
import { CheckpointStorage } from '../../checkpoints/storage.js';
import { type JobGraph, jobOperators } from '../graph/job-graph.js';

/** What writing a savepoint needs: the job's id and graph, and a directory for job-level files. */
export interface LocalSavepointTarget {
  jobId: string;
  jobGraph: JobGraph;
  checkpointsDir: string;
}

export interface CompletedLocalCheckpoint {
  checkpointId: number;
  tasks: TaskSnapshot[];
}

export class LocalCheckpoints {
  readonly completed: CompletedLocalCheckpoint[] = [];
  readonly failed: Array<{ checkpointId: number; reason: string }> = [];
  private readonly ended = new Set<TaskKey>();
  readonly coordinator: CheckpointCoordinator;

  /** `timing`: the job's (jobSettings); tolerableFailures is not used — a local run never fails over. */
  constructor(
    timing: CheckpointTiming,
    tasks: () => Array<{ key: TaskKey; task: StreamTask; isSource: boolean }>,
    savepoints?: LocalSavepointTarget,
  ) {
    const storage = savepoints && new CheckpointStorage({ checkpointsDir: savepoints.checkpointsDir });
    this.coordinator = new CheckpointCoordinator(
      {
        intervalMs: timing.intervalMs,
        timeoutMs: timing.timeoutMs,
        minPauseMs: timing.minPauseMs,
        maxConcurrent: timing.maxConcurrent,
        tolerableFailures: Number.MAX_SAFE_INTEGER,
      },
      {
        persist: async (p) => {
          this.completed.push({ checkpointId: p.id, tasks: p.tasks });
          if (p.kind !== 'CHECKPOINT' && storage && savepoints)
            return persistSnapshot(storage, savepoints.jobId, jobOperators(savepoints.jobGraph), p);
          return { externalPath: `memory:chk-${p.id}`, sizeBytes: 0 };
        },
      },
      {
        // A checkpoint needs every task; a finished task's final state stands in for its acknowledgement.
        expectedTasks: () => tasks().map((t) => t.key),
        triggerSources: (id, ts, kind, drain) => {
          for (const { key, task, isSource } of tasks())
            if (isSource && !this.ended.has(key))
              task.triggerCheckpoint({
                kind: ElementKind.Barrier,
                checkpointId: id,
                timestampMs: ts,
                checkpointKind: kind,
                drain,
              });
        },
        notify: (id, completed) => {
          for (const { task } of tasks())
            completed ? task.notifyCheckpointComplete(id) : task.notifyCheckpointAborted(id);
        },
        onCompleted: () => {},
        onFailed: (id, _kind, _ts, reason) => this.failed.push({ checkpointId: id, reason }),
        onTolerableFailuresExceeded: () => {},
        log: () => {},
      },
    );
  }

  start(): void {
    this.coordinator.start();
  }

  stop(): void {
    this.coordinator.stop();
  }

  taskEnded(key: TaskKey): void {
    this.ended.add(key);
  }

  taskFinished(key: TaskKey, snapshots: OperatorSnapshot[], firstCheckpointId: number): void {
    this.coordinator.taskFinished(key, snapshots, firstCheckpointId);
  }

  acknowledge(key: TaskKey, checkpointId: number, snapshots: OperatorSnapshot[], timing?: SnapshotTiming): void {
    this.coordinator.acknowledge(key, checkpointId, snapshots, timing);
  }

  decline(key: TaskKey, checkpointId: number, reason: Error): void {
    this.coordinator.decline(key, checkpointId, reason.message);
  }
}
