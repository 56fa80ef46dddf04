/**
 * Checkpointing of one job on the job manager: a CheckpointCoordinator whose acknowledged task states are
 * persisted through CheckpointStorage (state files per operator and subtask, `_metadata` last), checkpoint
 * statistics, and the restore data for a (re)deployment — the latest completed checkpoint of this job, or
 * the savepoint/checkpoint the job was started from — mapped onto the new tasks by uid and key groups.
 *
 * Invariants: restore prefers the job's own latest checkpoint over the initial savepoint once one exists; a
 * final state is kept only while the job is CREATED or RUNNING (the current attempt's), and dropped on stop.
 */
import {
  CheckpointCoordinator,
  type CompletedCheckpointInfo,
  type TaskSnapshot,
} from '../../checkpoints/coordinator.js';
import { CheckpointStorage, type ExternalizedCheckpointRetention } from '../../checkpoints/storage.js';
import { persistSnapshot, type SnapshotToPersist } from '../../checkpoints/persist-snapshot.js';
import type { RestoredSnapshot } from '../../checkpoints/restored-snapshot.js';
import { assignRestore } from './restore-mapping.js';
import { CheckpointStatsTracker } from '../../checkpoints/stats.js';
import { platform } from '../platform/index.js';
import type { CheckpointKind } from '../api/elements.js';
import { SluiceError } from '../errors/catalogue.js';
import { type JobGraph, jobOperators } from '../graph/job-graph.js';
import { type TaskKey, taskKeyParts } from '../api/task-key.js';
import type { SnapshotTiming } from '../state/snapshot-types.js';
import type { JobMaster, RestoreMap } from './job-master.js';

export interface JobCheckpointingOptions {
  checkpointsDir: string;
  intervalMs: number;
  timeoutMs: number;
  minPauseMs: number;
  maxConcurrent: number;
  tolerableFailures: number;
  numRetained: number;
  retention: ExternalizedCheckpointRetention;
  mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  initialRestorePath?: string;
  /** Ownership of the snapshot at `initialRestorePath`: CLAIM lets retention delete it; default NO_CLAIM. */
  claimMode?: 'CLAIM' | 'NO_CLAIM';
  allowNonRestoredState: boolean;
}

export class JobCheckpointing {
  readonly storage: CheckpointStorage;
  coordinator: CheckpointCoordinator | undefined;
  readonly stats = new CheckpointStatsTracker();
  private latestCompletedPath: string | undefined;
  /** Hears each completed checkpoint (not savepoints): the HA pointer store records it. */
  onCheckpointCompleted: ((checkpointId: number, externalPath: string) => void) | undefined;
  private nextCheckpointId = 1;

  constructor(
    readonly o: JobCheckpointingOptions,
    private readonly job: () => JobMaster,
    private readonly log: (m: string) => void,
  ) {
    this.storage = new CheckpointStorage({
      checkpointsDir: o.checkpointsDir,
      numRetained: o.numRetained,
      retention: o.retention,
    });
  }

  /** Final states of this attempt's finished tasks (they may finish before the attempt is RUNNING). */
  private finalStates = new Map<TaskKey, { snapshots: TaskSnapshot['snapshots']; firstCheckpointId: number }>();

  /**
   * `firstCheckpointId`: the first checkpoint the final state stands in for (see CheckpointCoordinator). Key
   * groups the task sent encoded stay encoded, as for an acknowledgement.
   */
  taskFinished(taskKey: TaskKey, snapshots: TaskSnapshot['snapshots'], firstCheckpointId: number): void {
    // Between a failure and the restart (FAILING, RESTARTING) the attempt number is still the failed one's: a
    // late final state of that attempt passes the attempt filter and must not be replayed into the next.
    const status = this.job().status.status;
    if (status !== 'CREATED' && status !== 'RUNNING') return;
    this.finalStates.set(taskKey, { snapshots, firstCheckpointId });
    this.coordinator?.taskFinished(taskKey, snapshots, firstCheckpointId);
  }

  /** Starts a coordinator for the current attempt (called when the attempt is running). */
  startAttempt(): void {
    this.coordinator?.stop('superseded by a new attempt');
    const job = this.job();
    // This coordinator's checkpoints belong to this attempt: a completion written after a restart began
    // must not reach (and commit in) the next attempt's tasks, which check the attempt.
    const attempt = job.attempt;
    this.coordinator = new CheckpointCoordinator(
      {
        intervalMs: this.o.intervalMs,
        timeoutMs: this.o.timeoutMs,
        minPauseMs: this.o.minPauseMs,
        maxConcurrent: this.o.maxConcurrent,
        tolerableFailures: this.o.tolerableFailures,
      },
      { persist: (p) => this.persist(p), discard: (id) => this.storage.abort(job.jobId, id).then(() => undefined) },
      {
        expectedTasks: () => job.taskKeys(),
        triggerSources: (id, ts, kind, drain) => {
          this.stats.reportPending({
            checkpointId: id,
            triggerTimestampMs: ts,
            checkpointType: kind,
            numSubtasks: job.taskKeys().length,
            tasks: job.sub.jobGraph.vertices.map((v) => ({ vertexId: v.id, numSubtasks: v.parallelism })),
          });
          job.broadcastToWorkers(
            {
              kind: 'triggerCheckpoint',
              body: { jobId: job.jobId, attempt, checkpointId: id, timestampMs: ts, kind, drain },
            },
            true,
          );
        },
        acknowledged: (id, taskKey, timing) => {
          const { vertexId, subtaskIndex } = taskKeyParts(taskKey);
          this.stats.reportSubtaskAck(id, {
            vertexId,
            subtaskIndex,
            ackTimestampMs: platform.clock.nowMs(),
            syncDurationMs: timing?.syncDurationMs,
            asyncDurationMs: timing?.asyncDurationMs,
          });
        },
        notify: (id, completed) =>
          job.broadcastToWorkers({
            kind: 'notifyCheckpoint',
            body: { jobId: job.jobId, attempt, checkpointId: id, completed },
          }),
        onCompleted: (info) => this.completed(info),
        onFailed: (id, _kind, _ts, reason) =>
          this.stats.reportFailed(id, { failureTimestampMs: platform.clock.nowMs(), failureMessage: reason }),
        onTolerableFailuresExceeded: (reason) => job.fail(new Error(reason), null),
        log: this.log,
      },
      this.nextCheckpointId,
    );
    for (const [k, f] of this.finalStates) this.coordinator.taskFinished(k, f.snapshots, f.firstCheckpointId);
    this.coordinator.start();
  }

  stop(): void {
    if (this.coordinator) this.nextCheckpointId = this.coordinator.lastCheckpointId + 1;
    this.coordinator?.stop();
    if (this.coordinator) this.stopped.push(this.coordinator);
    this.coordinator = undefined;
    this.finalStates = new Map(); // the next attempt's tasks start over
  }

  private stopped: CheckpointCoordinator[] = [];

  /** Waits for checkpoints still being written by stopped coordinators (before storage cleanup). */
  async settled(): Promise<void> {
    await Promise.all([...this.stopped, ...(this.coordinator ? [this.coordinator] : [])].map((c) => c.settled()));
    this.stopped = [];
  }

  /** A savepoint into `targetDirectory` (also when periodic checkpoints are off). */
  savepoint(
    targetDirectory: string,
    kind: CheckpointKind = 'SAVEPOINT',
    drain = false,
  ): Promise<CompletedCheckpointInfo> {
    if (!this.coordinator)
      return Promise.reject(
        new SluiceError('JOB_NOT_RUNNING', `job ${this.job().jobId} is not running; cannot take a savepoint`),
      );
    return this.coordinator.trigger(kind, targetDirectory, drain);
  }

  checkpointNow(): Promise<CompletedCheckpointInfo> {
    if (!this.coordinator)
      return Promise.reject(
        new SluiceError('JOB_NOT_RUNNING', `job ${this.job().jobId} is not running; cannot take a checkpoint`),
      );
    return this.coordinator.trigger('CHECKPOINT');
  }

  /**
   * A task's acknowledgement. Key groups it sent encoded (key-group-codec.ts) are stored as they came and
   * decoded only when a restore reads them (checkpoints/restored-snapshot.ts): decoding millions of entries
   * here would hold the job manager's event loop (heartbeats included) for seconds.
   */
  acknowledge(taskKey: TaskKey, id: number, snapshots: TaskSnapshot['snapshots'], timing?: SnapshotTiming): void {
    if (!this.coordinator) return;
    this.coordinator.acknowledge(taskKey, id, snapshots, timing);
  }

  decline(taskKey: TaskKey, id: number, reason: string): void {
    this.coordinator?.decline(taskKey, id, reason);
  }

  private completed(info: CompletedCheckpointInfo): void {
    this.stats.reportCompleted(info.id, {
      externalPath: info.externalPath,
      stateSizeBytes: info.stateSizeBytes,
      completionTimestampMs: info.completedMs,
    });
    if (info.kind === 'CHECKPOINT') {
      this.latestCompletedPath = info.externalPath;
      this.onCheckpointCompleted?.(info.id, info.externalPath);
    }
  }

  private persist(p: SnapshotToPersist): Promise<{ externalPath: string; sizeBytes: number }> {
    const job = this.job();
    return persistSnapshot(
      this.storage,
      job.jobId,
      jobOperators(job.sub.jobGraph),
      p,
      (vertexId, subtaskIndex, bytes) => this.stats.reportSubtaskStateSize(p.id, vertexId, subtaskIndex, bytes),
    );
  }

  /** Restore data for deploying `jg`: latest own checkpoint, else the initial restore path, else none. */
  async restoreFor(jg: JobGraph): Promise<RestoreMap | undefined> {
    let snap: RestoredSnapshot | undefined;
    let allowNonRestored = this.o.allowNonRestoredState;
    if (this.latestCompletedPath) {
      const r = await this.storage.findRestorableCheckpoint(this.storage.jobDir(this.job().jobId));
      if (r?.warning) {
        this.log(r.warning);
        this.job().recordException(new Error(r.warning), null);
      }
      snap = r?.snapshot;
      allowNonRestored = true;
    } else if (this.o.initialRestorePath) {
      snap = await this.storage.loadForRestore(this.o.initialRestorePath);
      if (this.o.claimMode === 'CLAIM') {
        this.storage.segments.claim(this.job().jobId, snap);
        this.log(
          `Claim mode CLAIM: job ${this.job().jobId} owns ${snap.externalPath}; retention deletes it once subsumed.`,
        );
      }
    }
    if (!snap) return undefined;
    this.stats.reportRestored({
      checkpointId: snap.checkpointId,
      restoreTimestampMs: platform.clock.nowMs(),
      isSavepoint: snap.kind === 'SAVEPOINT',
      externalPath: snap.externalPath,
    });
    this.nextCheckpointId = Math.max(this.nextCheckpointId, snap.checkpointId + 1);
    this.log(
      `Restoring job ${this.job().jobId} from ${snap.kind === 'SAVEPOINT' ? 'savepoint' : 'checkpoint'} ${snap.checkpointId} at ${snap.externalPath}.`,
    );
    return assignRestore(snap, jg, allowNonRestored);
  }
}
