/**
 * TaskWorker: a task manager process. Registers its slots and data port with the job manager
 * (job-manager-registration.ts), heartbeats, and on `deploy` evaluates the job bundle, rebuilds the job graph
 * (checking the fingerprint), wires the subtasks' channels through the shuffle service and runs them
 * (task-deployment.ts); reports task states and checkpoint acknowledgements back (task-reports.ts); cancels
 * and releases a job attempt on request (worker-handlers.ts: every message the job manager sends).
 *
 * Invariant: one event loop; a job attempt's tasks and channels are released together; no task of an
 * attempt cancelled (or superseded) while it was being deployed ever starts (attempt-fence.ts) — such a
 * zombie would run beside the next attempt, reading the same input and writing with the same
 * transactional ids.
 */
import { platform } from '../platform/index.js';
import type { LeaderRetrieval } from '../ha/ha-services.js';
import type { TimerHandle } from '../platform/clock.js';
import type { SluiceConfig } from '../config/sluice-config.js';
import { internalTls } from '../config/tls-material.js';
import { initializeS3FromConfig } from '../config/s3-settings.js';
import type { ConnectionToJobManager, DeployRequest, ToTaskWorker } from '../rpc/messages.js';
import type { Handlers } from '../rpc/protocol.js';
import { TcpShuffle } from '../network/tcp-shuffle.js';
import { AttemptFence } from './attempt-fence.js';
import { MetricRegistry } from '../task/task-metrics.js';
import { registerProcessMetrics } from '../diagnostics/process-metrics.js';
import type { ProcessLog } from '../diagnostics/process-log.js';
import { setCollectTransport } from '../api/collect-transport.js';
import { connectAndRegister, type JobManagerAddress, registerUntilDeadline } from './job-manager-registration.js';
import type { RunningJob } from './running-job.js';
import { deployJob } from './task-deployment.js';
import { workerHandlers } from './worker-handlers.js';

export { registrationPolicy } from './job-manager-registration.js';

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
  private leader: JobManagerAddress | undefined;
  private leaderChanged: (() => void) | undefined;
  private stopped = false;

  /** The job manager to register with: the fixed address, or (HA) the current leader, once one is known. */
  private async jobManagerAddress(untilMs: number): Promise<JobManagerAddress | undefined> {
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

  /** Registers (job-manager-registration.ts), retrying until taskmanager.registration.timeout. */
  private registerUntilDeadline(): Promise<void> {
    return registerUntilDeadline({
      config: this.o.config,
      log: (msg) => this.o.log(msg),
      stopped: () => this.stopped,
      jobManagerAddress: (untilMs) => this.jobManagerAddress(untilMs),
      register: async (addr) => {
        const { conn, workerId } = await connectAndRegister(addr, {
          config: this.o.config,
          secret: this.o.secret,
          log: (msg) => this.o.log(msg),
          dataAddress: this.dataAddress,
          handlers: this.handlers(),
        });
        this.id = workerId;
        this.registered(conn, addr);
      },
    });
  }

  /** Registered over `conn`: collect sinks announce through it, heartbeats start, and its loss is watched. */
  private registered(conn: ConnectionToJobManager, addr: JobManagerAddress): void {
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

  /** What the worker does with each message the job manager sends (worker-handlers.ts). */
  private handlers(): Handlers<ToTaskWorker> {
    return workerHandlers({
      jobs: this.jobs,
      fence: this.fence,
      processLog: this.o.processLog,
      deploy: (d) => this.deploy(d),
      cancelJob: (jobId) => this.cancelJob(jobId),
    });
  }

  /** Deploys one job attempt (task-deployment.ts). */
  private deploy(d: DeployRequest): Promise<void> {
    return deployJob(d, {
      workerId: () => this.id,
      connection: () => this.conn,
      shuffle: this.shuffle,
      metrics: this.metrics,
      fence: this.fence,
      jobs: this.jobs,
      cancelJob: (jobId) => this.cancelJob(jobId),
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
