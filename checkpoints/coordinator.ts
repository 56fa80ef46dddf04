/**
 * CheckpointCoordinator (job manager side): triggers checkpoints periodically (interval, min pause, max
 * concurrent) and on request (savepoints, manual checkpoints); sends barriers to the source tasks;
 * collects acknowledgements with state from every task; when all are in, persists them through the
 * storage (manifest `_metadata` last) and notifies every task; expires checkpoints after the timeout;
 * counts consecutive failures against `tolerable-failed-checkpoints`.
 *
 * Invariants: a checkpoint completes only with an ack from every expected task (a finished task's final
 * state stands in for checkpoints from the one after its last own); ids increase; a notification for
 * checkpoint n implies every earlier one (best-effort, as Flink).
 */
import { SluiceError } from '../runtime/errors/catalogue.js';
import { platform } from '../runtime/platform/index.js';
import type { TimerHandle } from '../runtime/platform/clock.js';
import type { CheckpointKind } from '../runtime/api/elements.js';
import type { TaskKey } from '../runtime/api/task-key.js';
import type { SnapshotTiming } from '../runtime/state/snapshot-types.js';

export interface TaskSnapshot {
  taskKey: TaskKey;
  snapshots: Array<{
    uid: string;
    keyed?: unknown;
    keyGroupRange?: { start: number; end: number };
    operator?: unknown;
  }>;
}

export interface PendingCheckpoint {
  id: number;
  kind: CheckpointKind;
  triggerMs: number;
  targetDirectory?: string;
  acks: Map<TaskKey, TaskSnapshot>;
  lastAckMs: number;
  timer: TimerHandle;
  resolve: (r: CompletedCheckpointInfo) => void;
  reject: (e: Error) => void;
}

export interface CompletedCheckpointInfo {
  id: number;
  kind: CheckpointKind;
  externalPath: string;
  triggerMs: number;
  completedMs: number;
  stateSizeBytes: number;
}

export interface CoordinatorStorage {
  /** Persists every task's state and writes the manifest last; returns the external path and size. */
  persist(p: {
    id: number;
    kind: CheckpointKind;
    triggerMs: number;
    targetDirectory?: string;
    tasks: TaskSnapshot[];
  }): Promise<{ externalPath: string; sizeBytes: number }>;
  /** Called when a checkpoint fails, to remove partial files. */
  discard?(id: number): Promise<void>;
}

export interface CoordinatorHooks {
  expectedTasks(): TaskKey[];
  triggerSources(id: number, timestampMs: number, kind: CheckpointKind, drain: boolean): void;
  /** A task acknowledged checkpoint `id` (statistics; `timing`: its sync and async durations, when measured). */
  acknowledged?(id: number, taskKey: TaskKey, timing?: SnapshotTiming): void;
  notify(id: number, completed: boolean): void;
  onCompleted(info: CompletedCheckpointInfo): void;
  onFailed(id: number, kind: CheckpointKind, triggerMs: number, reason: string): void;
  onTolerableFailuresExceeded(reason: string): void;
  log(msg: string): void;
}

export interface CoordinatorOptions {
  intervalMs: number; // <= 0: periodic checkpoints off
  timeoutMs: number;
  minPauseMs: number;
  maxConcurrent: number;
  tolerableFailures: number;
}

/** A finished task's final state and the first checkpoint it stands in for. */
interface FinalState {
  snapshots: TaskSnapshot['snapshots'];
  firstCheckpointId: number;
}

export class CheckpointCoordinator {
  private readonly finalStates = new Map<TaskKey, FinalState>();
  /** The final checkpoint (every task finished) was triggered. */
  private finalTriggered = false;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCheckpoint>();
  private periodic: TimerHandle | undefined;
  private lastCompletionMs = 0;
  private consecutiveFailures = 0;
  private stopped = false;

  constructor(
    private readonly o: CoordinatorOptions,
    private readonly storage: CoordinatorStorage,
    private readonly hooks: CoordinatorHooks,
    firstId = 1,
  ) {
    this.nextId = firstId;
  }

  start(): void {
    if (this.o.intervalMs > 0) {
      this.periodic = platform.clock.setInterval(() => {
        if (platform.clock.nowMs() - this.lastCompletionMs < this.o.minPauseMs) return;
        // a checkpoint being written still counts: slow storage (S3) must not pile up unbounded completions
        if (this.pending.size + this.completing.size >= this.o.maxConcurrent) return;
        this.trigger('CHECKPOINT').catch(() => {});
      }, this.o.intervalMs);
    }
  }

  stop(reason = 'job stopped'): void {
    this.stopped = true;
    if (this.periodic) platform.clock.clear(this.periodic);
    for (const p of [...this.pending.values()]) this.abort(p, reason, false);
  }

  get lastCheckpointId(): number {
    return this.nextId - 1;
  }

  trigger(kind: CheckpointKind, targetDirectory?: string, drain = false): Promise<CompletedCheckpointInfo> {
    if (this.stopped) return Promise.reject(new SluiceError('JOB_NOT_RUNNING', 'checkpointing stopped for this job'));
    const id = this.nextId++;
    const triggerMs = platform.clock.nowMs();
    return new Promise((resolve, reject) => {
      const timer = platform.clock.setTimeout(() => {
        const p = this.pending.get(id);
        if (p) this.abort(p, `Checkpoint expired before completing (timeout ${this.o.timeoutMs} ms)`, true);
      }, this.o.timeoutMs);
      const p: PendingCheckpoint = {
        id,
        kind,
        triggerMs,
        targetDirectory,
        acks: new Map(),
        lastAckMs: triggerMs,
        timer,
        resolve,
        reject,
      };
      this.pending.set(id, p);
      this.hooks.triggerSources(id, triggerMs, kind, drain);
      for (const [taskKey, { snapshots }] of this.finalStates) {
        p.acks.set(taskKey, { taskKey, snapshots });
        this.hooks.acknowledged?.(id, taskKey);
      }
      if (this.hooks.expectedTasks().every((k) => p.acks.has(k))) void this.complete(p); // every task had finished
    });
  }

  /**
   * A task that finished reports its final state once (Flink's checkpoints after tasks finished, FLIP-147):
   * it stands in for the task's acknowledgement of every pending and later checkpoint from
   * `firstCheckpointId` on (the one after the last the task took itself). Everything the task emitted
   * precedes its end of input, so its final state is consistent with any later barrier downstream. A pending
   * checkpoint before `firstCheckpointId` that the task did not acknowledge (a newer barrier subsumed it) can
   * never complete: it is aborted, not completed with a state taken after its barrier.
   *
   * With periodic checkpoints, once every task finished the final checkpoint is triggered at once: the tasks
   * wait for it (their sinks commit their last transaction when it completes), so it must not wait an interval.
   */
  taskFinished(taskKey: TaskKey, snapshots: TaskSnapshot['snapshots'], firstCheckpointId = 0): void {
    this.finalStates.set(taskKey, { snapshots, firstCheckpointId });
    for (const p of [...this.pending.values()]) {
      if (p.acks.has(taskKey)) continue;
      if (p.id >= firstCheckpointId) this.acknowledge(taskKey, p.id, snapshots);
      else this.abort(p, `task ${taskKey} ended after a newer checkpoint subsumed checkpoint ${p.id}`, false);
    }
    if (this.finalTriggered || this.stopped || this.o.intervalMs <= 0) return;
    if (!this.hooks.expectedTasks().every((k) => this.finalStates.has(k))) return;
    this.finalTriggered = true;
    this.trigger('CHECKPOINT').catch(() => {}); // failures are logged and counted like any checkpoint's
  }

  acknowledge(taskKey: TaskKey, id: number, snapshots: TaskSnapshot['snapshots'], timing?: SnapshotTiming): void {
    const p = this.pending.get(id);
    if (!p) return;
    if (p.acks.has(taskKey)) return;
    p.acks.set(taskKey, { taskKey, snapshots });
    p.lastAckMs = platform.clock.nowMs();
    this.hooks.acknowledged?.(id, taskKey, timing);
    const expected = this.hooks.expectedTasks();
    if (expected.every((k) => p.acks.has(k))) void this.complete(p);
  }

  decline(taskKey: TaskKey, id: number, reason: string): void {
    const p = this.pending.get(id);
    if (p) this.abort(p, `task ${taskKey} declined checkpoint ${id}: ${reason}`, true);
  }

  /** Completions being written (they left `pending`); see settled(). */
  private readonly completing = new Set<Promise<void>>();

  /** Resolves once no completion is being written (call before deleting the job's checkpoint storage). */
  async settled(): Promise<void> {
    while (this.completing.size) await Promise.allSettled([...this.completing]);
  }

  private complete(p: PendingCheckpoint): Promise<void> {
    const done = this.completeNow(p).finally(() => this.completing.delete(done));
    this.completing.add(done);
    return done;
  }

  private async completeNow(p: PendingCheckpoint): Promise<void> {
    this.pending.delete(p.id);
    platform.clock.clear(p.timer);
    try {
      const { externalPath, sizeBytes } = await this.storage.persist({
        id: p.id,
        kind: p.kind,
        triggerMs: p.triggerMs,
        targetDirectory: p.targetDirectory,
        tasks: [...p.acks.values()],
      });
      const info: CompletedCheckpointInfo = {
        id: p.id,
        kind: p.kind,
        externalPath,
        triggerMs: p.triggerMs,
        completedMs: platform.clock.nowMs(),
        stateSizeBytes: sizeBytes,
      };
      this.lastCompletionMs = info.completedMs;
      this.consecutiveFailures = 0;
      this.hooks.log(
        `Completed checkpoint ${p.id} (${sizeBytes} bytes, ${info.completedMs - p.triggerMs} ms) at ${externalPath}`,
      );
      this.hooks.onCompleted(info);
      this.hooks.notify(p.id, true);
      p.resolve(info);
    } catch (e) {
      this.failed(p, `writing checkpoint ${p.id} failed: ${(e as Error).message}`, true);
      p.reject(e as Error);
    }
  }

  private abort(p: PendingCheckpoint, reason: string, countsAsFailure: boolean): void {
    this.pending.delete(p.id);
    platform.clock.clear(p.timer);
    this.failed(p, reason, countsAsFailure);
    p.reject(new SluiceError('CHECKPOINT_DECLINED', reason));
  }

  private failed(p: PendingCheckpoint, reason: string, countsAsFailure: boolean): void {
    this.hooks.log(`Checkpoint ${p.id} failed: ${reason}`);
    void this.storage.discard?.(p.id).catch(() => {});
    this.hooks.onFailed(p.id, p.kind, p.triggerMs, reason);
    this.hooks.notify(p.id, false);
    if (!countsAsFailure || p.kind !== 'CHECKPOINT') return;
    this.consecutiveFailures++;
    if (this.consecutiveFailures > this.o.tolerableFailures)
      this.hooks.onTolerableFailuresExceeded(toleranceExceededMessage(this.o.tolerableFailures, reason));
  }
}

/**
 * Why the job fails over after too many checkpoint failures. A storage failure (a full disk, a read-only
 * or missing directory) persists across restarts, so the job would restart into the same failure with no
 * progress: the message says so and names the setting that keeps the job running meanwhile.
 */
export function toleranceExceededMessage(tolerable: number, reason: string): string {
  const base = `Exceeded checkpoint tolerable failure threshold (${tolerable}); last failure: ${reason}`;
  if (!/\b(ENOSPC|EDQUOT|EROFS|EACCES|EPERM|ENOTDIR)\b/.test(reason)) return base;
  return (
    `${base}. Checkpoint storage is unusable, and every restart will fail the same way until it is fixed ` +
    '(free space or fix the checkpoint directory); to keep the job running without checkpoints meanwhile, ' +
    `raise execution.checkpointing.tolerable-failed-checkpoints (now ${tolerable}).`
  );
}
