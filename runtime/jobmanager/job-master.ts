/**
 * JobMaster: one job's life on the job manager — scheduling subtasks onto worker slots, deployment to the
 * workers, task state tracking, job status through the checked transition table, cancellation, failure on a
 * lost worker or failed task, restart and rescale. Its parts: what it is given (`job-master-contracts.ts`);
 * free slots, waiting for them and slot sharing (`slot-allocation.ts`); the `deploy` messages
 * (`attempt-deployment.ts`); the executions' records, metrics and earlier attempts (`subtask-execution.ts`);
 * the exception history for `/jobs/:id/exceptions` (`exception-history.ts`).
 *
 * Invariants: task reports of an older attempt are ignored; the job reaches exactly one terminal status;
 * every failure before that goes through the restart strategy, whatever the status (a worker lost while an
 * attempt deploys included).
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import { type JobGraph, taskNameWithSubtasks } from '../graph/job-graph.js';
import { fingerprint } from '../graph/plan.js';
import { type TaskKey, taskKey } from '../api/task-key.js';
import { JobStatusMachine, isGloballyTerminal, type JobStatus } from './job-status.js';
import type { RegisteredWorker, WorkerRegistry } from './worker-registry.js';
import type { TaskState } from '../task/stream-task.js';
import type { ToTaskWorkerMessage } from '../rpc/messages.js';
import type { JobSubmission, RecoveryHooks } from './job-master-contracts.js';
import { type ExceptionEntry, exceptionEntry } from './exception-history.js';
import { assignSlots, waitForSlots } from './slot-allocation.js';
import { deployToWorkers } from './attempt-deployment.js';
import {
  archiveExecutions,
  executionAccumulators,
  executionMetrics,
  isTerminalTask,
  type SubtaskInfo,
} from './subtask-execution.js';

export type { JobSubmission, RecoveryHooks, RestoreMap } from './job-master-contracts.js';
export type { ExceptionEntry } from './exception-history.js';
export type { SubtaskInfo } from './subtask-execution.js';

export class JobMaster {
  readonly status: JobStatusMachine;
  readonly startTime = platform.clock.nowMs();
  endTime = -1;
  attempt = 0;
  readonly subtasks = new Map<TaskKey, SubtaskInfo>();
  /** Executions of earlier attempts, per task, oldest first (frozen with their last metrics). */
  readonly priorAttempts = new Map<TaskKey, SubtaskInfo[]>();
  readonly exceptions: ExceptionEntry[] = [];
  private fingerprint: string;
  private terminalWaiters: Array<(s: JobStatus) => void> = [];

  numRestarts = 0;
  /** Until when a detached client said it is alive (`PATCH /jobs/:id/clientHeartbeat`); 0 = never. */
  clientExpiresAtMs = 0;
  private restartTimer: ReturnType<typeof platform.clock.setTimeout> | undefined;

  constructor(
    readonly sub: JobSubmission,
    private readonly registry: WorkerRegistry,
    private readonly log: (msg: string) => void,
    private readonly recovery?: RecoveryHooks,
  ) {
    this.fingerprint = fingerprint(sub.jobGraph);
    this.status = new JobStatusMachine(
      () => platform.clock.nowMs(),
      (from, to) => {
        this.log(`Job ${sub.jobName} (${sub.jobId}) switched from state ${from} to ${to}.`);
        if (isGloballyTerminal(to)) {
          this.endTime = platform.clock.nowMs();
          this.registry.releaseJob(sub.jobId);
          if (this.restartTimer) platform.clock.clear(this.restartTimer);
          this.recovery?.onStopped?.();
          this.log(`Job ${sub.jobId} reached globally terminal state ${to}.`);
          for (const w of this.terminalWaiters) w(to);
          this.terminalWaiters = [];
        }
      },
    );
  }

  get jobId(): string {
    return this.sub.jobId;
  }

  whenTerminal(): Promise<JobStatus> {
    if (isGloballyTerminal(this.status.status)) return Promise.resolve(this.status.status);
    return new Promise((r) => this.terminalWaiters.push(r));
  }

  slotsNeeded(): number {
    return Math.max(...this.sub.jobGraph.vertices.map((v) => v.parallelism));
  }

  async start(): Promise<void> {
    this.status.transition('CREATED');
    const attempt = this.attempt;
    try {
      await this.deploy();
    } catch (e) {
      if (attempt === this.attempt) this.fail(e as Error, null); // a newer attempt superseded this one
    }
  }

  /** Throws when `attempt` is no longer the one being deployed (a failure or a newer attempt superseded it). */
  private ensureDeploying(attempt: number): void {
    if (attempt !== this.attempt || this.status.status !== 'CREATED')
      throw new SluiceError('JOB_NOT_RUNNING', `job ${this.jobId}: deployment of attempt ${attempt} abandoned`);
  }

  private async deploy(): Promise<void> {
    const need = this.slotsNeeded();
    const attempt = this.attempt;
    const chosen = (
      await waitForSlots(this.registry, {
        jobId: this.jobId,
        need,
        timeoutMs: this.recovery?.slotRequestTimeoutMs ?? 300_000,
        log: this.log,
        ensureDeploying: () => this.ensureDeploying(attempt),
      })
    ).slice(0, need);
    const slots = assignSlots(this.sub.jobGraph, chosen, this.jobId, attempt, this.subtasks);
    const restore = await this.recovery?.restoreFor(this.sub.jobGraph);
    // a failure while the restore was read has cancelled this attempt on the workers: deploying it now would
    // start tasks nobody cancels any more (a zombie beside the next attempt)
    this.ensureDeploying(attempt);
    await deployToWorkers(this.registry, {
      sub: this.sub,
      fingerprint: this.fingerprint,
      attempt,
      slots,
      restore,
      recovery: this.recovery,
    });
    if (this.status.status === 'CREATED' && attempt === this.attempt) {
      this.status.transition('RUNNING');
      this.recovery?.onRunning?.(attempt);
      // A short job's subtasks may all have reported FINISHED before the last deploy reply arrived.
      this.finishIfAllFinished();
    }
  }

  /** RUNNING → FINISHED once every subtask of the attempt has finished (checked on each report and at RUNNING). */
  private finishIfAllFinished(): void {
    if (this.status.status === 'RUNNING' && [...this.subtasks.values()].every((s) => s.state === 'FINISHED'))
      this.status.transition('FINISHED');
  }

  /** A subtask's user counters: live from its worker's last heartbeat, or as it ended. */
  subtaskAccumulators(st: SubtaskInfo): Record<string, number> {
    return executionAccumulators(st, this.attempt, this.registry);
  }

  /** A subtask's metrics (Flink names, unprefixed): live from its worker's last heartbeat, or as it ended. */
  subtaskMetrics(st: SubtaskInfo): Record<string, number | string> {
    return executionMetrics(st, this.attempt, this.registry);
  }

  onTaskState(
    attempt: number,
    vertexId: string,
    subtaskIndex: number,
    state: TaskState,
    error?: string,
    metrics?: Record<string, number | string>,
    accumulators?: Record<string, number>,
  ): void {
    if (attempt !== this.attempt || isGloballyTerminal(this.status.status)) return;
    const st = this.subtasks.get(taskKey(vertexId, subtaskIndex));
    if (!st) return;
    st.state = state;
    st.timestamps[state] ??= platform.clock.nowMs();
    if (metrics) st.finalMetrics = metrics;
    if (accumulators) st.finalAccumulators = accumulators;
    if (state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED') st.endTime = platform.clock.nowMs();
    if (state === 'FAILED') {
      const v = this.sub.jobGraph.vertices.find((x) => x.id === vertexId);
      const taskName = v ? taskNameWithSubtasks(v, subtaskIndex) : `${vertexId} (${subtaskIndex + 1})`;
      this.fail(
        new SluiceError('TASK_FAILED', `${taskName} failed: ${error ?? 'no cause reported'}`),
        taskName,
        st.workerId,
      );
      return;
    }
    this.finishIfAllFinished();
    this.canceledIfAllStopped();
  }

  /** CANCELLING → CANCELED once no subtask of the attempt runs any more. */
  private canceledIfAllStopped(): void {
    if (this.status.status === 'CANCELLING' && [...this.subtasks.values()].every((s) => isTerminalTask(s.state)))
      this.status.transition('CANCELED');
  }

  onWorkerLost(w: RegisteredWorker, reason: string): void {
    if (isGloballyTerminal(this.status.status)) return;
    const affected = [...this.subtasks.values()].filter((s) => s.workerId === w.id);
    if (!affected.length) return;
    if (this.status.status === 'CANCELLING') {
      for (const s of affected) s.state = 'CANCELED';
      this.onTaskState(this.attempt, affected[0]!.vertexId, affected[0]!.subtaskIndex, 'CANCELED');
      return;
    }
    // The lost worker's executions failed with it; the entry names the first of them and where it ran.
    const now = platform.clock.nowMs();
    for (const s of affected) {
      const prefix = `${s.vertexId}.${s.subtaskIndex}.`;
      s.finalMetrics = Object.fromEntries(
        Object.entries(w.metrics)
          .filter(([k]) => k.startsWith(prefix))
          .map(([k, v]) => [k.slice(prefix.length), v]),
      );
      s.state = 'FAILED';
      s.timestamps.FAILED ??= now;
      s.endTime = now;
    }
    const first = affected[0]!;
    this.fail(new SluiceError('WORKER_LOST', reason), this.taskName(first.vertexId, first.subtaskIndex), w.id, w);
  }

  /** Flink's task name with subtask: `Name (i+1/parallelism)`. */
  taskName(vertexId: string, subtaskIndex: number): string {
    const v = this.sub.jobGraph.vertices.find((x) => x.id === vertexId);
    return `${v?.name ?? vertexId} (${subtaskIndex + 1}/${v?.parallelism ?? '?'})`;
  }

  /** Adds a failure to the exception history (`/jobs/:id/exceptions`). */
  recordException(err: Error, taskName: string | null, workerId?: string, worker?: RegisteredWorker): void {
    const w = worker ?? (workerId ? this.registry.workers.get(workerId) : undefined);
    this.exceptions.push(exceptionEntry(err, taskName, platform.clock.nowMs(), workerId, w));
  }

  fail(err: Error, taskName: string | null, workerId?: string, worker?: RegisteredWorker): void {
    if (isGloballyTerminal(this.status.status)) return;
    this.recordException(err, taskName, workerId, worker);
    this.log(`Job ${this.jobId} failed: ${err.message}`);
    const st = this.status.status;
    if (st === 'RESTARTING' || st === 'FAILING' || st === 'CANCELLING') return; // already being handled
    if (!this.status.canTransition('FAILING')) {
      this.status.transition('FAILED'); // INITIALIZING: the job never got as far as a deployment
      return;
    }
    this.status.transition('FAILING'); // from CREATED (deploying, waiting for slots) and RUNNING alike
    this.cancelTasks();
    const delayMs =
      this.status.status === 'FAILING' ? this.recovery?.restartStrategy.nextDelayMs(platform.clock.nowMs()) : undefined;
    if (delayMs === undefined) {
      this.status.transition('FAILED');
      return;
    }
    this.recovery?.onStopped?.();
    this.status.transition('RESTARTING');
    this.registry.releaseJob(this.jobId);
    this.log(
      `Restarting job ${this.jobId} in ${delayMs} ms (restart strategy ${this.recovery!.restartStrategy.name}, restart ${this.numRestarts + 1}).`,
    );
    this.restartTimer = platform.clock.setTimeout(() => void this.restart(), delayMs);
  }

  /**
   * Rescale (PUT /jobs/:id/resource-requirements): redeploys the running job with `jobGraph` (same program,
   * another parallelism) from the latest completed checkpoint, which the caller has just taken — keyed state
   * re-split by key groups, operator state redistributed, as a restore with another -p would.
   */
  async rescale(jobGraph: JobGraph, defaultParallelism: number): Promise<void> {
    if (this.status.status !== 'RUNNING')
      throw new SluiceError(
        'JOB_NOT_RUNNING',
        `job ${this.jobId} is ${this.status.status}; only a running job can be rescaled`,
      );
    this.log(
      `Rescaling job ${this.jobId} from parallelism ${this.slotsNeeded()} to ${Math.max(...jobGraph.vertices.map((v) => v.parallelism))}.`,
    );
    this.recovery?.onStopped?.();
    this.cancelTasks();
    this.status.transition('RESTARTING');
    this.registry.releaseJob(this.jobId);
    this.replaceGraph(jobGraph, defaultParallelism);
    this.numRestarts--; // restart() counts failures; a rescale is not one
    await this.restart();
  }

  /** The graph the next deployment uses (same program, another parallelism). */
  replaceGraph(jobGraph: JobGraph, defaultParallelism: number): void {
    this.sub.jobGraph = jobGraph;
    this.sub.defaultParallelism = defaultParallelism;
    this.fingerprint = fingerprint(jobGraph);
  }

  private async restart(): Promise<void> {
    if (this.status.status !== 'RESTARTING') return;
    archiveExecutions(this.subtasks, this.priorAttempts, this.attempt, this.registry);
    this.attempt++;
    this.numRestarts++;
    this.subtasks.clear();
    const attempt = this.attempt;
    try {
      this.status.transition('CREATED');
      await this.recovery?.beforeRestart?.();
      await this.deploy();
    } catch (e) {
      if (attempt === this.attempt) this.fail(e as Error, null); // a newer attempt superseded this one
    }
  }

  /** Tasks of the current attempt. */
  taskKeys(): TaskKey[] {
    return [...this.subtasks.keys()];
  }

  /** Sends a checkpoint message to every worker running a subtask of this job (or only a source subtask). */
  broadcastToWorkers(
    message: ToTaskWorkerMessage<'triggerCheckpoint' | 'notifyCheckpoint'>,
    onlySources = false,
  ): void {
    const sources = new Set(this.sub.jobGraph.vertices.filter((v) => v.isSource).map((v) => v.id));
    const workers = new Set(
      [...this.subtasks.values()].filter((s) => !onlySources || sources.has(s.vertexId)).map((s) => s.workerId),
    );
    for (const wid of workers)
      this.registry.workers
        .get(wid)
        ?.conn.call(message)
        .catch(() => {});
  }

  cancel(): void {
    if (isGloballyTerminal(this.status.status) || this.status.status === 'CANCELLING') return;
    if (this.status.status === 'RESTARTING') {
      if (this.restartTimer) platform.clock.clear(this.restartTimer);
      this.status.transition('CANCELED');
      return;
    }
    if (!this.status.canTransition('CANCELLING')) {
      this.status.transition('CANCELED');
      return;
    }
    this.status.transition('CANCELLING');
    const attempt = this.attempt;
    this.cancelTasks((workerId) => this.cancelledOn(workerId, attempt));
    const live = [...this.subtasks.values()].filter((s) => this.registry.workers.has(s.workerId));
    if (!live.length) this.status.transition('CANCELED');
  }

  /**
   * A worker confirmed the cancel of `attempt`: its tasks have reported (the reports precede the reply on the
   * connection) and none of the attempt starts there any more, so its subtasks that never reported — a cancel
   * during deployment stops tasks before they exist — are CANCELED too.
   */
  private cancelledOn(workerId: string, attempt: number): void {
    if (attempt !== this.attempt || this.status.status !== 'CANCELLING') return;
    const now = platform.clock.nowMs();
    for (const s of this.subtasks.values()) {
      if (s.workerId !== workerId || isTerminalTask(s.state)) continue;
      s.state = 'CANCELED';
      s.timestamps.CANCELED ??= now;
      s.endTime = now;
    }
    this.canceledIfAllStopped();
  }

  /** Asks every worker of the attempt to cancel it; `confirmed` hears each worker that did. */
  private cancelTasks(confirmed?: (workerId: string) => void): void {
    const workers = new Set([...this.subtasks.values()].map((s) => s.workerId));
    for (const wid of workers) {
      const w = this.registry.workers.get(wid);
      w?.conn.call({ kind: 'cancel', body: { jobId: this.jobId, attempt: this.attempt } }).then(
        (done) => done && confirmed?.(wid),
        () => {},
      );
    }
  }
}
