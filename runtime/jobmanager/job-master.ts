/**
 * JobMaster: one job's life on the job manager — scheduling subtasks onto worker slots (slot sharing:
 * subtask i of every vertex shares slot i), deployment to the workers, task state tracking, job status
 * through the checked transition table, cancellation, failure on a lost worker or failed task, and the
 * exception history for `/jobs/:id/exceptions`.
 *
 * Invariants: task reports of an older attempt are ignored; the job reaches exactly one terminal status;
 * every failure before that goes through the restart strategy, whatever the status (a worker lost while an
 * attempt deploys included); a deployment waits up to `slot.request.timeout` for free slots.
 */
import type { StateBackendSpec } from '../config/job-settings.js';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import { type JobGraph, taskNameWithSubtasks } from '../graph/job-graph.js';
import { fingerprint } from '../graph/plan.js';
import { type TaskKey, taskKey } from '../api/task-key.js';
import { JobStatusMachine, isGloballyTerminal, type JobStatus } from './job-status.js';
import type { RegisteredWorker, WorkerRegistry } from './worker-registry.js';
import type { TaskState } from '../task/stream-task.js';
import type { OperatorRestore } from '../task/operator-chain.js';
import type { RestartStrategy } from './restart-strategy.js';
import type { ToTaskWorkerMessage } from '../rpc/messages.js';

/** Restore data per task (task key → operator uid → restore), the shape deployments carry. */
export type RestoreMap = Partial<Record<TaskKey, Record<string, OperatorRestore>>>;

export interface RecoveryHooks {
  restartStrategy: RestartStrategy;
  /** Restore data per task for the latest completed checkpoint (or the initial savepoint), if any. */
  restoreFor(jobGraph: JobGraph): Promise<RestoreMap | undefined>;
  /** Called with the new status when the job starts running (attempt) or stops. */
  onRunning?(attempt: number): void;
  onStopped?(): void;
  /** Before a restart deploys (reactive mode fits the job to the slots there are). */
  beforeRestart?(): Promise<void>;
  checkpointMode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  /** Periodic checkpoints are on: finished tasks wait for the final checkpoint (see deploy's checkpointingEnabled). */
  checkpointingEnabled?: boolean;
  /** How long a deployment waits for enough free slots (Flink's `slot.request.timeout`); default 5 min. */
  slotRequestTimeoutMs?: number;
}

export interface ExceptionEntry {
  exceptionName: string;
  stacktrace: string;
  timestamp: number;
  taskName: string | null;
  endpoint: string | null;
  taskManagerId: string | null;
  failureLabels: Record<string, string>;
}

export interface SubtaskInfo {
  vertexId: string;
  subtaskIndex: number;
  workerId: string;
  /** `host:dataPort` of the worker it runs on (kept after the worker is gone). */
  endpoint: string;
  state: TaskState | 'SCHEDULED' | 'DEPLOYING';
  startTime: number;
  endTime: number;
  /** The job attempt this execution belongs to (Flink's attempt number of the subtask). */
  attempt: number;
  /** Epoch ms at which the execution first entered each state (Flink's `status-duration`, `subtasktimes`). */
  timestamps: Partial<Record<string, number>>;
  /** The task's metric values when it ended (its worker drops them then). */
  finalMetrics?: Record<string, number | string>;
  /** Its user counters when it ended. */
  finalAccumulators?: Record<string, number>;
}

/** Earlier executions kept per subtask for `/subtasks/:i/attempts/:n` (the newest ones). */
const MAX_PRIOR_ATTEMPTS = 8;

export interface JobSubmission {
  jobId: string;
  jobName: string;
  bundleCode: string;
  bundleSha256: string;
  args: string[];
  defaultParallelism: number;
  /** -1: derived per operator. Workers rebuild the graph with it, so it travels with every deployment. */
  defaultMaxParallelism: number;
  /** The job's effective pipeline.auto-watermark-interval (its own setting, else the configuration's). */
  autoWatermarkIntervalMs: number;
  /** The job's keyed state backend (state.backend.*), sent with every deployment; absent: hashmap. */
  stateBackend?: StateBackendSpec;
  jobGraph: JobGraph;
}

function isTerminalTask(s: SubtaskInfo['state']): boolean {
  return s === 'FINISHED' || s === 'CANCELED' || s === 'FAILED';
}

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

  /** Free slots, spread over the workers; polls until `need` are free, the timeout passes, or the attempt ends. */
  private async waitForSlots(need: number, attempt: number): Promise<Array<{ w: RegisteredWorker; slot: number }>> {
    const timeoutMs = this.recovery?.slotRequestTimeoutMs ?? 300_000;
    const deadline = platform.clock.nowMs() + timeoutMs;
    let logged = false;
    for (;;) {
      const free = this.freeSlots();
      if (free.length >= need) return free;
      this.ensureDeploying(attempt);
      if (platform.clock.nowMs() >= deadline)
        throw new SluiceError(
          'NOT_ENOUGH_SLOTS',
          `job ${this.jobId} needs ${need} slots but the cluster has ${free.length} free (${this.registry.totalSlots()} total) after waiting ${timeoutMs} ms (slot.request.timeout); add task workers or lower the parallelism`,
        );
      if (!logged) {
        this.log(`Job ${this.jobId} waits for ${need} free slots (${free.length} free).`);
        logged = true;
      }
      await new Promise<void>((r) => platform.clock.setTimeout(r, 50));
    }
  }

  /** Throws when `attempt` is no longer the one being deployed (a failure or a newer attempt superseded it). */
  private ensureDeploying(attempt: number): void {
    if (attempt !== this.attempt || this.status.status !== 'CREATED')
      throw new SluiceError('JOB_NOT_RUNNING', `job ${this.jobId}: deployment of attempt ${attempt} abandoned`);
  }

  private freeSlots(): Array<{ w: RegisteredWorker; slot: number }> {
    const free: Array<{ w: RegisteredWorker; slot: number }> = [];
    const workers = [...this.registry.workers.values()].sort(
      (a, b) => a.registeredAtMs - b.registeredAtMs || a.id.localeCompare(b.id),
    );
    // spread: take slot k of every worker before slot k+1 of any
    const maxSlots = Math.max(0, ...workers.map((w) => w.numSlots));
    for (let k = 0; k < maxSlots; k++)
      for (const w of workers) if (k < w.numSlots && !w.slots[k]) free.push({ w, slot: k });
    return free;
  }

  private async deploy(): Promise<void> {
    const need = this.slotsNeeded();
    const attempt = this.attempt;
    const chosen = (await this.waitForSlots(need, attempt)).slice(0, need);
    const placement: Record<string, Array<{ workerId: string; host: string; dataPort: number }>> = {};
    const perWorker = new Map<string, Array<{ vertexId: string; subtaskIndex: number }>>();
    for (const v of this.sub.jobGraph.vertices) {
      placement[v.id] = [];
      for (let s = 0; s < v.parallelism; s++) {
        const { w, slot } = chosen[s]!;
        w.slots[slot] = { jobId: this.jobId, vertexId: v.id, subtaskIndex: s };
        placement[v.id]!.push({ workerId: w.id, host: w.host, dataPort: w.dataPort });
        perWorker.set(w.id, [...(perWorker.get(w.id) ?? []), { vertexId: v.id, subtaskIndex: s }]);
        const now = platform.clock.nowMs();
        this.subtasks.set(taskKey(v.id, s), {
          vertexId: v.id,
          subtaskIndex: s,
          workerId: w.id,
          endpoint: `${w.host}:${w.dataPort}`,
          state: 'DEPLOYING',
          startTime: now,
          endTime: -1,
          attempt: this.attempt,
          timestamps: { CREATED: now, SCHEDULED: now, DEPLOYING: now },
        });
      }
    }
    const restore = await this.recovery?.restoreFor(this.sub.jobGraph);
    // a failure while the restore was read has cancelled this attempt on the workers: deploying it now would
    // start tasks nobody cancels any more (a zombie beside the next attempt)
    this.ensureDeploying(attempt);
    await Promise.all(
      [...perWorker.entries()].map(([wid, tasks]) =>
        this.workerFor(wid, attempt).conn.call({
          kind: 'deploy',
          body: {
            jobId: this.jobId,
            attempt,
            bundleCode: this.sub.bundleCode,
            bundleSha256: this.sub.bundleSha256,
            args: this.sub.args,
            defaultParallelism: this.sub.defaultParallelism,
            defaultMaxParallelism: this.sub.defaultMaxParallelism,
            autoWatermarkIntervalMs: this.sub.autoWatermarkIntervalMs,
            stateBackend: this.sub.stateBackend,
            fingerprint: this.fingerprint,
            tasks,
            placement,
            restore,
            checkpointMode: this.recovery?.checkpointMode,
            checkpointingEnabled: this.recovery?.checkpointingEnabled,
          },
        }),
      ),
    );
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

  /** The worker chosen for a deployment; lost since the slots were assigned: the attempt fails as WORKER_LOST. */
  private workerFor(workerId: string, attempt: number): RegisteredWorker {
    const w = this.registry.workers.get(workerId);
    if (!w)
      throw new SluiceError(
        'WORKER_LOST',
        `task worker ${workerId} was lost while attempt ${attempt} of job ${this.jobId} was being deployed`,
      );
    return w;
  }

  /** A subtask's user counters: live from its worker's last heartbeat, or as it ended. */
  subtaskAccumulators(st: SubtaskInfo): Record<string, number> {
    if (st.finalAccumulators && isTerminalTask(st.state)) return { ...st.finalAccumulators };
    const prefix = `${st.vertexId}.${st.subtaskIndex}.`;
    const live = st.attempt === this.attempt ? this.registry.workers.get(st.workerId)?.accumulators : undefined;
    const out: Record<string, number> = {};
    if (live) for (const [k, v] of Object.entries(live)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return Object.keys(out).length ? out : { ...(st.finalAccumulators ?? {}) };
  }

  /** A subtask's metrics (Flink names, unprefixed): live from its worker's last heartbeat, or as it ended. */
  subtaskMetrics(st: SubtaskInfo): Record<string, number | string> {
    if (st.finalMetrics && (isTerminalTask(st.state) || st.attempt !== this.attempt)) return { ...st.finalMetrics };
    const prefix = `${st.vertexId}.${st.subtaskIndex}.`;
    const live = this.registry.workers.get(st.workerId)?.metrics;
    const out: Record<string, number | string> = {};
    if (live) for (const [k, v] of Object.entries(live)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return Object.keys(out).length ? out : { ...(st.finalMetrics ?? {}) };
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
    if (
      this.status.status === 'CANCELLING' &&
      [...this.subtasks.values()].every((s) => s.state === 'CANCELED' || s.state === 'FINISHED' || s.state === 'FAILED')
    ) {
      this.status.transition('CANCELED');
    }
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

  recordException(err: Error, taskName: string | null, workerId?: string, worker?: RegisteredWorker): void {
    const w = worker ?? (workerId ? this.registry.workers.get(workerId) : undefined);
    this.exceptions.push({
      exceptionName: (err as SluiceError).code ? `SluiceError(${(err as SluiceError).code})` : err.name,
      stacktrace: `${err.name}: ${err.message}`,
      timestamp: platform.clock.nowMs(),
      taskName,
      endpoint: w ? `${w.host}:${w.dataPort}` : null,
      taskManagerId: workerId ?? null,
      failureLabels: {},
    });
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
    this.archiveAttempt();
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

  /** Keeps the current executions, frozen with their last metrics, before a new attempt replaces them. */
  private archiveAttempt(): void {
    for (const [k, st] of this.subtasks) {
      const frozen: SubtaskInfo = {
        ...st,
        timestamps: { ...st.timestamps },
        finalMetrics: this.subtaskMetrics(st),
        finalAccumulators: this.subtaskAccumulators(st),
      };
      const list = [...(this.priorAttempts.get(k) ?? []), frozen].slice(-MAX_PRIOR_ATTEMPTS);
      this.priorAttempts.set(k, list);
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
    this.cancelTasks();
    const live = [...this.subtasks.values()].filter((s) => this.registry.workers.has(s.workerId));
    if (!live.length) this.status.transition('CANCELED');
  }

  private cancelTasks(): void {
    const workers = new Set([...this.subtasks.values()].map((s) => s.workerId));
    for (const wid of workers) {
      const w = this.registry.workers.get(wid);
      w?.conn.call({ kind: 'cancel', body: { jobId: this.jobId, attempt: this.attempt } }).catch(() => {});
    }
  }
}
