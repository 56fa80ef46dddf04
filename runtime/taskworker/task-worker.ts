/**
 * TaskWorker: a task manager process. Registers its slots and data port with the job manager, heartbeats,
 * and on `deploy` evaluates the job bundle, rebuilds the job graph (checking the fingerprint), wires the
 * subtasks' channels through the shuffle service and runs them; reports task states and checkpoint
 * acknowledgements back; cancels and releases a job attempt on request.
 *
 * Invariant: one event loop; a job attempt's tasks and channels are released together; no task of an
 * attempt cancelled (or superseded) while it was being deployed ever starts (attempt-fence.ts) — such a
 * zombie would run beside the next attempt, reading the same input and writing with the same
 * transactional ids.
 */
import { SluiceError } from '../errors/catalogue.js';
import { delay, platform } from '../platform/index.js';
import type { LeaderRetrieval } from '../ha/ha-services.js';
import type { TimerHandle } from '../platform/clock.js';
import type { SluiceConfig } from '../config/sluice-config.js';
import { internalTls } from '../config/tls-material.js';
import { initializeS3FromConfig } from '../config/s3-settings.js';
import { type ConnectionToJobManager, type DeployRequest, taskWorkerEnd, type ToTaskWorker } from '../rpc/messages.js';
import type { Handlers } from '../rpc/protocol.js';
import { clientHandshake, RpcConnection } from '../rpc/rpc-connection.js';
import { evaluateBundle, storeBundle } from '../bundle/job-bundle.js';
import { buildJobGraph, type JobGraph } from '../graph/job-graph.js';
import { fingerprint } from '../graph/plan.js';
import { type TaskKey, taskKey, taskKeyParts } from '../api/task-key.js';
import { TcpShuffle } from '../network/tcp-shuffle.js';
import { createTask } from '../task/task-factory.js';
import { encodeKeyGroup } from '../state/key-group-codec.js';
import type { InputSpec, StreamTask } from '../task/stream-task.js';
import { AttemptFence } from './attempt-fence.js';
import type { TaskOutputChannel } from '../task/channel.js';
import { MetricRegistry } from '../task/task-metrics.js';
import { heapLimitBytes, registerProcessMetrics } from '../diagnostics/process-metrics.js';
import { answerDiagnostics } from '../diagnostics/diagnostics-request.js';
import type { ProcessLog } from '../diagnostics/process-log.js';
import { ElementKind } from '../api/elements.js';
import { findCollectSink, setCollectTransport } from '../api/collect-transport.js';

export interface TaskWorkerOptions {
  jobManagerHost: string;
  jobManagerPort: number;
  dataPort: number;
  secret: string;
  /** Slots (taskmanager.numberOfTaskSlots), bind host (taskmanager.host), heartbeat.interval, network buffers. */
  config: SluiceConfig;
  log: (msg: string) => void;
  /** This process's file log, served to the job manager's log endpoints. */
  processLog?: ProcessLog;
  /** With high availability: where the leading job manager is (jobManagerHost/Port are then unused). */
  leaderRetrieval?: LeaderRetrieval;
}

/** How a worker (re-)registers: for taskmanager.registration.timeout, with a pause doubling up to 2 s. */
export function registrationPolicy(config: SluiceConfig) {
  return { timeoutMs: config['taskmanager.registration.timeout'], initialBackoffMs: 100, maxBackoffMs: 2000 };
}

interface RunningJob {
  jobId: string;
  attempt: number;
  tasks: Map<TaskKey, StreamTask>;
  graph: JobGraph;
}

export class TaskWorker {
  id = '';
  private conn!: ConnectionToJobManager;
  private shuffle!: TcpShuffle;
  private heartbeat: TimerHandle | undefined;
  private readonly jobs = new Map<string, RunningJob>();
  /** Attempts cancelled or superseded while their deployment was in progress (attempt-fence.ts). */
  private readonly fence = new AttemptFence();
  readonly metrics = new MetricRegistry();
  private closedCb: Array<() => void> = [];

  constructor(private readonly o: TaskWorkerOptions) {
    // s3:// model locations use this process's client, configured by `s3.*`
    initializeS3FromConfig(o.config);
  }

  async start(): Promise<void> {
    const tls = internalTls(this.o.config);
    this.shuffle = new TcpShuffle({
      host: this.o.config['taskmanager.bind-host'] ?? this.o.config['taskmanager.host'],
      port: this.o.dataPort,
      secret: this.o.secret,
      buffersPerChannel: this.o.config['sluice.network.buffers-per-channel'],
      tls,
    });
    this.shuffle.onError = (e) => this.o.log(e.message);
    // peers dial the advertised address (taskmanager.host), not the bind address, which may be 0.0.0.0
    this.dataAddress = { host: this.o.config['taskmanager.host'], port: (await this.shuffle.start()).port };
    registerProcessMetrics(this.metrics);
    if (this.o.leaderRetrieval)
      await this.o.leaderRetrieval.start((l) => {
        this.leader = l ? { host: l.rpcHost, port: l.rpcPort } : undefined;
        if (l) this.o.log(`The job manager leader is at ${l.rpcHost}:${l.rpcPort} (session ${l.sessionId}).`);
        this.leaderChanged?.();
      });
    await this.registerUntilDeadline();
  }

  private dataAddress = { host: '', port: 0 };
  private leader: { host: string; port: number } | undefined;
  private leaderChanged: (() => void) | undefined;
  private stopped = false;

  /** The job manager to register with: the fixed address, or (HA) the current leader, once one is known. */
  private async jobManagerAddress(untilMs: number): Promise<{ host: string; port: number } | undefined> {
    if (!this.o.leaderRetrieval) return { host: this.o.jobManagerHost, port: this.o.jobManagerPort };
    while (!this.leader && !this.stopped && platform.clock.nowMs() < untilMs)
      await new Promise<void>((resolve) => {
        const timer = platform.clock.setTimeout(resolve, untilMs - platform.clock.nowMs());
        this.leaderChanged = () => {
          platform.clock.clear(timer);
          resolve();
        };
      });
    this.leaderChanged = undefined;
    return this.leader;
  }

  /**
   * Registers with the job manager (the leader, with HA), retrying with a growing pause while it cannot be
   * reached, until taskmanager.registration.timeout; then fails with RPC_CONNECTION_LOST naming the address
   * and the key. A job manager that answers but refuses the worker (TLS, secret, protocol) fails it at once.
   */
  private async registerUntilDeadline(): Promise<void> {
    const { timeoutMs, initialBackoffMs, maxBackoffMs } = registrationPolicy(this.o.config);
    const deadline = platform.clock.nowMs() + timeoutMs;
    let backoffMs = initialBackoffMs;
    let lastProblem = '';
    for (let attempt = 1; !this.stopped; attempt++) {
      const addr = await this.jobManagerAddress(deadline);
      try {
        if (!addr) throw new Error('no job manager leads the cluster');
        await this.connectAndRegister(addr);
        return;
      } catch (e) {
        // a job manager that answers but refuses this worker (TLS, secret, protocol) will refuse it again
        if ((e as { refused?: boolean }).refused) throw e;
        const where = addr ? `the job manager at ${addr.host}:${addr.port}` : 'a job manager leader';
        const problem = `Could not register with ${where}: ${(e as Error).message}`;
        if (problem !== lastProblem) this.o.log(`${problem}; retrying (attempt ${attempt}).`);
        lastProblem = problem;
        if (platform.clock.nowMs() + backoffMs > deadline)
          throw new SluiceError(
            'RPC_CONNECTION_LOST',
            `cannot reach ${where} within taskmanager.registration.timeout (${timeoutMs} ms): ${(e as Error).message}`,
          );
        await delay(platform.clock, backoffMs);
        backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
      }
    }
  }

  private async connectAndRegister(addr: { host: string; port: number }): Promise<void> {
    const tls = internalTls(this.o.config);
    const socket = platform.net.connect(addr.host, addr.port, tls);
    await platform.net.connected(socket).catch((e: NodeJS.ErrnoException) => {
      const tlsRefused = tls !== undefined && e.syscall !== 'connect';
      throw Object.assign(
        new SluiceError(
          tlsRefused ? 'TLS_HANDSHAKE_FAILED' : 'RPC_CONNECTION_LOST',
          `cannot reach the job manager at ${addr.host}:${addr.port}${tls ? ' over TLS' : ''}: ${e.message}`,
        ),
        { refused: tlsRefused },
      );
    });
    const conn: ConnectionToJobManager = new RpcConnection(socket, taskWorkerEnd);
    conn.peerId = 'jobmanager';
    conn.onRefused = (e) => this.o.log(`Refused a control-plane message from the job manager: ${e.message}`);
    try {
      await clientHandshake(conn, this.o.secret, 'taskworker').catch((e: Error & { code?: string }) => {
        // under TLS 1.3 a job manager refusing this worker's certificate simply closes the connection
        if (!tls || e.code !== 'RPC_CONNECTION_LOST') throw e;
        throw new SluiceError(
          'TLS_HANDSHAKE_FAILED',
          `the job manager at ${addr.host}:${addr.port} closed the connection before the handshake finished; over TLS this is how a refused certificate looks (the job manager logs why): ${e.message}`,
        );
      });
      conn.setHandlers(this.handlers());
      const reg = await conn.call({
        kind: 'register',
        body: {
          host: this.dataAddress.host,
          dataPort: this.dataAddress.port,
          numSlots: this.o.config['taskmanager.numberOfTaskSlots'],
          hardware: {
            cpuCores: platform.host.cpuCount(),
            physicalMemory: platform.host.totalMemoryBytes(),
            freeMemory: platform.host.freeMemoryBytes(),
          },
          memory: { heapLimitBytes: heapLimitBytes() },
        },
      });
      this.id = reg.workerId;
    } catch (e) {
      conn.close();
      throw Object.assign(e as Error, { refused: true });
    }
    this.conn = conn;
    this.o.log(
      `Task worker ${this.id} registered at the job manager ${addr.host}:${addr.port} with ${this.o.config['taskmanager.numberOfTaskSlots']} slot(s), data port ${this.dataAddress.port}`,
    );
    // Collect sinks of this process announce themselves to the job manager, which forwards their clients' fetches.
    setCollectTransport({
      opened: (ref, version) => this.conn.call({ kind: 'collectSinkOpened', body: { ...ref, version } }),
      ended: async (ref, remaining) =>
        void (await this.conn.call({ kind: 'collectSinkEnded', body: { ...ref, remaining } })),
    });
    this.heartbeat = platform.clock.setInterval(
      () =>
        conn.notify({
          kind: 'heartbeat',
          body: { workerId: this.id, metrics: this.metrics.values(), accumulators: this.metrics.accumulators() },
        }),
      this.o.config['heartbeat.interval'],
    );
    conn.onClose(() => void this.jobManagerLost());
  }

  /**
   * The job manager went away (crashed, stepped down, or dropped this worker): the tasks it deployed are
   * cancelled (a job manager — this one restarted, or a new leader — redeploys them), and the worker
   * registers again; only when that fails for taskmanager.registration.timeout does it shut down.
   */
  private async jobManagerLost(): Promise<void> {
    if (this.stopped) return;
    if (this.heartbeat) platform.clock.clear(this.heartbeat);
    this.heartbeat = undefined;
    this.o.log('Lost the connection to the job manager; cancelling its tasks and registering again.');
    this.fence.reset(); // a deployment of the lost job manager still in progress stops at its next step
    for (const j of [...this.jobs.values()]) await this.cancelJob(j.jobId);
    try {
      await this.registerUntilDeadline();
    } catch (e) {
      this.o.log(`${(e as Error).message}; shutting down.`);
      await this.stop();
      for (const c of this.closedCb) c();
    }
  }

  onClosed(cb: () => void): void {
    this.closedCb.push(cb);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.leaderChanged?.();
    await this.o.leaderRetrieval?.stop();
    if (this.heartbeat) platform.clock.clear(this.heartbeat);
    for (const j of [...this.jobs.values()]) await this.cancelJob(j.jobId);
    this.conn?.close();
    await this.shuffle?.close();
  }

  /** What the worker does with each message the job manager sends. */
  private handlers(): Handlers<ToTaskWorker> {
    return {
      deploy: async (d) => {
        await this.deploy(d);
        return null;
      },
      diagnostics: (req) => answerDiagnostics(req, this.o.processLog),
      queryState: (q) => {
        const job = this.jobs.get(q.jobId);
        const task = job?.attempt === q.attempt ? job.tasks.get(taskKey(q.vertexId, q.subtaskIndex)) : undefined;
        if (!task?.queryableStates || task.state !== 'RUNNING') return { status: 'no-task' as const };
        return task.queryableStates.query(q.name, q.key);
      },
      collectFetch: (f) => {
        const sink = findCollectSink(f);
        return sink ? { status: 'ok' as const, ...sink.serve(f.version, f.offset) } : { status: 'no-sink' as const };
      },
      cancel: async (b) => {
        this.fence.cancel(b.jobId, b.attempt);
        const running = this.jobs.get(b.jobId);
        if (running && running.attempt > b.attempt) return false; // stale cancel of an older attempt
        await this.cancelJob(b.jobId);
        return true;
      },
      triggerCheckpoint: (b) => {
        const job = this.jobs.get(b.jobId);
        if (!job || job.attempt !== b.attempt) return false;
        for (const [k, t] of job.tasks) {
          const { vertexId } = taskKeyParts(k);
          if (job.graph.vertices.find((v) => v.id === vertexId)?.isSource)
            t.triggerCheckpoint({
              kind: ElementKind.Barrier,
              checkpointId: b.checkpointId,
              timestampMs: b.timestampMs,
              checkpointKind: b.kind,
              drain: b.drain,
            });
        }
        return true;
      },
      notifyCheckpoint: (b) => {
        const job = this.jobs.get(b.jobId);
        if (!job || job.attempt !== b.attempt) return false; // a stale attempt's checkpoint: not these tasks'
        for (const t of job.tasks.values())
          b.completed ? t.notifyCheckpointComplete(b.checkpointId) : t.notifyCheckpointAborted(b.checkpointId);
        return true;
      },
    };
  }

  private async deploy(d: DeployRequest): Promise<void> {
    const stopped = this.fence.begin(d.jobId, d.attempt);
    const created: StreamTask[] = [];
    // checked after every await: a cancel of this attempt, a newer deployment or the loss of the job manager
    // stops this one here, cancelling the tasks it created (none of them has started)
    const stopIfSuperseded = async (): Promise<void> => {
      const why = stopped();
      if (!why) return;
      if (this.jobs.get(d.jobId)?.attempt === d.attempt) this.jobs.delete(d.jobId);
      await Promise.all(created.map((t) => t.cancel().catch(() => {})));
      this.shuffle.releaseJob(d.jobId, d.attempt);
      throw new SluiceError(
        'JOB_NOT_RUNNING',
        `attempt ${d.attempt} of job ${d.jobId} was ${why} while task worker ${this.id} deployed it`,
      );
    };
    await stopIfSuperseded();
    if (this.jobs.has(d.jobId)) await this.cancelJob(d.jobId);
    const { path } = storeBundle(d.bundleCode);
    const { env } = await evaluateBundle(path, d.args);
    await stopIfSuperseded();
    const graph = buildJobGraph(env.graph, {
      defaultParallelism: d.defaultParallelism,
      defaultMaxParallelism: d.defaultMaxParallelism ?? env.getMaxParallelism(),
    });
    const fp = fingerprint(graph);
    if (fp !== d.fingerprint) {
      throw new SluiceError(
        'JOB_FINGERPRINT_MISMATCH',
        `the job bundle built a different graph on task worker ${this.id} (fingerprint ${fp.slice(0, 12)} vs ${d.fingerprint.slice(0, 12)}); graph construction must be deterministic`,
      );
    }
    const job: RunningJob = { jobId: d.jobId, attempt: d.attempt, tasks: new Map(), graph };
    this.jobs.set(d.jobId, job);
    const chan = (edgeId: string, p: number, c: number) => `${d.jobId}/${d.attempt}/${edgeId}/${p}/${c}`;
    const byId = new Map(graph.vertices.map((v) => [v.id, v]));
    for (const t of d.tasks) {
      const v = byId.get(t.vertexId)!;
      const inputs: InputSpec[] = [];
      for (const e of v.inputs) {
        const src = byId.get(e.sourceVertexId)!;
        for (let p = 0; p < src.parallelism; p++) {
          if (e.partitioner === 'forward' && p !== t.subtaskIndex) continue;
          inputs.push({
            channel: this.shuffle.createInputChannel(
              chan(e.id, p, t.subtaskIndex),
              d.placement[src.id]![p]!.workerId === this.id,
            ),
            logicalInput: e.inputIndex,
          });
        }
      }
      const outputs = new Map<string, TaskOutputChannel[]>();
      for (const e of v.outputs) {
        const target = byId.get(e.targetVertexId)!;
        const consumers = e.partitioner === 'forward' ? [t.subtaskIndex] : [...Array(target.parallelism).keys()];
        outputs.set(
          e.id,
          consumers.map((c) => {
            const pl = d.placement[target.id]![c]!;
            return this.shuffle.createOutputChannel(
              chan(e.id, t.subtaskIndex, c),
              pl.workerId === this.id ? 'local' : { host: pl.host, port: pl.dataPort },
            );
          }),
        );
      }
      const key = taskKey(t.vertexId, t.subtaskIndex);
      const restoreMap = d.restore?.[key];
      const subtask = { jobId: d.jobId, attempt: d.attempt, vertexId: t.vertexId, subtaskIndex: t.subtaskIndex };
      const task = await createTask({
        jobGraph: graph,
        vertex: v,
        subtaskIndex: t.subtaskIndex,
        attemptNumber: d.attempt,
        jobConfig: { ...env.getConfig().getGlobalJobParameters(), $jobId: d.jobId },
        inputs,
        outputs,
        restore: restoreMap ? new Map(Object.entries(restoreMap)) : undefined,
        clock: platform.clock,
        checkpointMode: d.checkpointMode ?? env.checkpointConfig.mode,
        checkpointingEnabled: d.checkpointingEnabled,
        autoWatermarkIntervalMs: d.autoWatermarkIntervalMs ?? env.getConfig().getAutoWatermarkInterval(),
        stateBackend: d.stateBackend,
        metrics: this.metrics,
        listener: {
          onStateChange: (state, err) => {
            const terminal = state === 'FINISHED' || state === 'FAILED' || state === 'CANCELED';
            const scope = `${t.vertexId}.${t.subtaskIndex}`;
            const metrics = terminal ? this.metrics.valuesOf(scope) : undefined;
            const accumulators = terminal ? this.metrics.accumulators(scope) : undefined;
            if (terminal) this.metrics.removeScope(scope); // a later attempt or job may reuse the vertex id
            this.conn.notify({
              kind: 'taskState',
              body: {
                jobId: d.jobId,
                attempt: d.attempt,
                vertexId: t.vertexId,
                subtaskIndex: t.subtaskIndex,
                state,
                error: err ? `${err.name}: ${err.message}` : undefined,
                metrics,
                accumulators,
              },
            });
          },
          acknowledgeCheckpoint: (checkpointId, snapshots, timing) =>
            this.conn.notify({ kind: 'ackCheckpoint', body: { ...subtask, checkpointId, snapshots, timing } }),
          // Key groups are encoded in the asynchronous part's slices, not in one block when the ack is sent.
          encodeKeyGroup,
          reportFinalState: (snapshots, firstCheckpointId) =>
            this.conn.notify({ kind: 'finalState', body: { ...subtask, snapshots, firstCheckpointId } }),
          declineCheckpoint: (checkpointId, reason) =>
            this.conn.notify({
              kind: 'declineCheckpoint',
              body: { ...subtask, checkpointId, reason: reason.message },
            }),
        },
      });
      job.tasks.set(key, task);
      created.push(task);
      await stopIfSuperseded();
    }
    // Start after the deploy reply so the job manager knows the placement before the first state report;
    // a cancel in between has removed the job (cancelJob), and then nothing starts.
    platform.clock.setImmediate(() => {
      if (this.jobs.get(d.jobId) !== job) return;
      for (const [k, task] of job.tasks) void task.start(Boolean(d.restore?.[k]));
    });
  }

  private async cancelJob(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job) return;
    this.jobs.delete(jobId);
    await Promise.all([...job.tasks.values()].map((t) => t.cancel().catch(() => {})));
    this.shuffle.releaseJob(jobId, job.attempt);
  }
}
