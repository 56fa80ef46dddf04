/**
 * JobManager: the control-plane server (worker registration, heartbeats, task reports), the dispatcher
 * (one JobMaster per job), and the artifact store for uploaded job bundles ("jars"). REST is a thin layer
 * over it (rest-facade.ts).
 *
 * Invariants: the RPC server authenticates every connection before any other message; a lost worker is
 * reported to every job with subtasks on it; job ids are 32 lower-case hex.
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform, type Server, type Socket } from '../platform/index.js';
import { type ConnectionToTaskWorker, jobManagerEnd, type ToJobManager } from '../rpc/messages.js';
import type { Handlers } from '../rpc/protocol.js';
import { acceptHandshake, RpcConnection } from '../rpc/rpc-connection.js';
import { evaluateBundle, storeBundle } from '../bundle/job-bundle.js';
import { buildJobGraph, type JobGraph } from '../graph/job-graph.js';
import { taskKey } from '../api/task-key.js';
import { ReactiveScaler } from './reactive-scaler.js';
import { JobMaster } from './job-master.js';
import { WorkerRegistry } from './worker-registry.js';
import { JobCheckpointing } from './job-checkpointing.js';
import { checkpointingOptions } from './job-config.js';
import { createRestartStrategy } from './restart-strategy.js';
import { jobSettings } from '../config/job-settings.js';
import { initializeS3FromConfig } from '../config/s3-settings.js';
import { withJobOverrides } from '../config/job-overrides.js';
import type { SluiceConfig } from '../config/sluice-config.js';
import { internalTls } from '../config/tls-material.js';
import { JarStore } from './jar-store.js';
import { type CollectCoordinator, collectCoordinatorFor } from './collect-coordinator.js';
import { watchCollectClients } from './collect-client-watch.js';
import { sweepIncompleteCheckpoints } from '../../checkpoints/sweep.js';
import { CheckpointStorage } from '../../checkpoints/storage.js';
import type { HighAvailabilityServices, SubmittedJob } from '../ha/ha-services.js';

export interface JobManagerOptions {
  rpcHost: string;
  rpcPort: number;
  secret: string;
  /** The typed configuration: heartbeats, scheduler, job defaults, checkpointing, restart strategy, directories. */
  config: SluiceConfig;
  log: (msg: string) => void;
  /**
   * High availability: submitted jobs go into the job store and each completed checkpoint's path into the
   * pointer store, so a new leader can recover them (`recoverJobs`). Without it, jobs end with this process.
   */
  ha?: Pick<HighAvailabilityServices, 'jobStore' | 'checkpointPointers' | 'recoversJobs'>;
}

/** A job an earlier job manager (without HA) ran and nobody recovered. */
export interface LostJob {
  jobId: string;
  jobName: string;
  /** Its newest retained checkpoint that verifies, if any. */
  latestCheckpoint?: string;
}

/** What a job run needs besides its bundle code (REST run request, CLI, or a recovered submission). */
export interface RunOptions {
  args?: string[];
  parallelism?: number;
  jobId?: string;
  savepointPath?: string;
  allowNonRestoredState?: boolean;
  /** Job-level configuration over the cluster's (REST `flinkConfiguration`, `sluice run -D`). */
  flinkConfiguration?: Record<string, string>;
}

export class JobManager {
  readonly registry: WorkerRegistry;
  readonly jobs = new Map<string, JobMaster>();
  readonly jarStore: JarStore;
  readonly checkpointing = new Map<string, JobCheckpointing>();
  /** Per job: the coordinator of its collect sinks (routes clients' fetches, holds finished sinks' remainders). */
  readonly collects = new Map<string, CollectCoordinator>();
  private collectWatch: ReturnType<typeof platform.clock.setInterval> | undefined;
  private server: Server | undefined;
  readonly startedAtMs = platform.clock.nowMs();
  /** The control-plane address workers are told to use, and the one the server is bound to. */
  rpcAddress = { host: '', port: 0 };
  rpcBound = { host: '', port: 0 };
  /** scheduler-mode: reactive — jobs follow the slots the cluster has. */
  readonly reactive: ReactiveScaler | undefined;

  constructor(readonly o: JobManagerOptions) {
    // s3:// checkpoint, savepoint and storage locations use this process's client, configured by `s3.*`
    initializeS3FromConfig(o.config);
    this.registry = new WorkerRegistry(o.config['heartbeat.timeout'], (w, reason) => {
      o.log(`Task worker ${w.id} lost: ${reason}`);
      for (const j of this.jobs.values()) j.onWorkerLost(w, reason);
      this.reactive?.resourcesChanged();
    });
    this.jarStore = new JarStore({
      dir: o.config['sluice.rest.upload-dir'],
      maxCount: o.config['sluice.rest.upload-retained-count'],
      maxBytes: o.config['sluice.rest.upload-retained-size'],
      log: o.log,
    });
    if (o.config['scheduler-mode'] === 'reactive') this.reactive = new ReactiveScaler(this, o.config, o.log);
  }

  async start(): Promise<{ host: string; port: number }> {
    const tls = internalTls(this.o.config);
    this.server = platform.net.createServer((socket) => this.accept(socket), {
      tls,
      onRefused: (peer, e) => this.o.log(`Refused a control-plane connection from ${peer}: TLS: ${e.message}`),
    });
    // jobmanager.bind-host (e.g. 0.0.0.0) may differ from the address workers dial (jobmanager.rpc.address)
    const bindHost = this.o.config['jobmanager.bind-host'] ?? this.o.rpcHost;
    await new Promise<void>((res, rej) => {
      this.server!.once('error', rej);
      this.server!.listen(this.o.rpcPort, bindHost, () => res());
    });
    const a = this.server.address() as { address: string; port: number };
    this.rpcBound = { host: a.address, port: a.port };
    this.rpcAddress = { host: this.o.config['jobmanager.bind-host'] ? this.o.rpcHost : a.address, port: a.port };
    if (tls) this.o.log(`Control plane requires mutual TLS (security.ssl.internal.enabled).`);
    this.registry.start(Math.max(100, Math.floor(this.o.config['heartbeat.interval'] / 2)));
    this.collectWatch = platform.clock.setInterval(() => watchCollectClients(this, this.o.log), 500);
    void this.sweepCheckpointLeftovers();
    return this.rpcAddress;
  }

  /** Deletes incomplete chk-N directories older than the checkpoint timeout (a crashed job manager's). */
  private async sweepCheckpointLeftovers(): Promise<void> {
    const c = this.o.config;
    const r = await sweepIncompleteCheckpoints(
      c['execution.checkpointing.dir'],
      c['execution.checkpointing.timeout'],
      platform.clock.nowMs(),
    ).catch((e: Error) => ({ removed: [], warnings: [e.message] }));
    for (const d of r.removed) this.o.log(`Removed incomplete checkpoint directory ${d} (abandoned).`);
    for (const w of r.warnings) this.o.log(w);
  }

  /** Set by `suspend`: jobs stop without their terminal cleanup. */
  private suspended = false;

  /**
   * Leadership lost: stop every job without cleaning up after it (checkpoints, HA job store and pointers
   * stay for the next leader), drop the workers and close the control plane.
   */
  async suspend(): Promise<void> {
    this.suspended = true;
    await this.stop();
  }

  /**
   * A new leader recovers every job of the HA job store from its latest completed checkpoint (or, without
   * one, from the savepoint it was submitted with, else from the start).
   */
  async recoverJobs(): Promise<string[]> {
    const ha = this.o.ha;
    if (!ha?.recoversJobs) return [];
    const recovered: string[] = [];
    for (const jobId of await ha.jobStore.jobIds()) {
      if (this.jobs.has(jobId)) continue;
      try {
        const stored = await ha.jobStore.get(jobId);
        if (!stored) continue;
        const pointer = await ha.checkpointPointers.get(jobId);
        const { job, bundleCode } = stored;
        const from = pointer
          ? `checkpoint ${pointer.checkpointId} at ${pointer.externalPath}`
          : job.savepointPath
            ? `savepoint ${job.savepointPath}`
            : 'its start (no checkpoint completed)';
        this.o.log(`Recovering job ${jobId} (${job.jobName}) from ${from}.`);
        await this.submit(
          bundleCode,
          {
            args: job.args,
            parallelism: job.parallelism,
            jobId,
            savepointPath: pointer?.externalPath ?? job.savepointPath,
            allowNonRestoredState: job.allowNonRestoredState,
            flinkConfiguration: job.flinkConfiguration,
          },
          true,
        );
        recovered.push(jobId);
      } catch (e) {
        this.o.log(`Could not recover job ${jobId}: ${(e as Error).message}`);
      }
    }
    return recovered;
  }

  /** Jobs an earlier job manager ran that this one (without HA) did not recover, with their checkpoints. */
  readonly lostJobs: LostJob[] = [];

  /**
   * Without HA: the jobs an earlier job manager recorded as running are gone. Says so, loudly, with the
   * newest retained checkpoint of each (to resume with `sluice run -s`), and keeps the list for REST.
   */
  async reportLostJobs(): Promise<LostJob[]> {
    const ha = this.o.ha;
    if (!ha || ha.recoversJobs) return [];
    const storage = new CheckpointStorage({
      checkpointsDir: this.o.config['execution.checkpointing.dir'],
      numRetained: this.o.config['execution.checkpointing.num-retained'],
      retention: this.o.config['execution.checkpointing.externalized-checkpoint-retention'],
    });
    for (const jobId of await ha.jobStore.jobIds()) {
      const stored = await ha.jobStore.get(jobId).catch(() => undefined);
      const found = await storage.findRestorableCheckpoint(storage.jobDir(jobId)).catch(() => undefined);
      const lost: LostJob = {
        jobId,
        jobName: stored?.job.jobName ?? '',
        latestCheckpoint: found?.snapshot?.externalPath,
      };
      this.lostJobs.push(lost);
      this.o.log(
        `Job ${jobId}${lost.jobName ? ` (${lost.jobName})` : ''} was running when the previous job manager stopped; it is lost: ` +
          `without high availability (high-availability.type: zookeeper) jobs are not recovered. ` +
          (lost.latestCheckpoint
            ? `Its latest retained checkpoint is ${lost.latestCheckpoint}; resume it with: sluice run -s ${lost.latestCheckpoint} <job>`
            : 'It left no retained checkpoint.'),
      );
      await ha.jobStore.remove(jobId).catch(() => {});
    }
    return this.lostJobs;
  }

  async stop(): Promise<void> {
    for (const j of this.jobs.values()) j.cancel();
    if (this.collectWatch) platform.clock.clear(this.collectWatch);
    this.registry.stop();
    for (const w of [...this.registry.workers.values()]) w.conn.close();
    this.jarStore.close();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private accept(socket: Socket): void {
    const conn: ConnectionToTaskWorker = new RpcConnection(socket, jobManagerEnd);
    conn.onRefused = (e) =>
      this.o.log(`Refused a control-plane message from ${conn.peerId || 'a worker'}: ${e.message}`);
    acceptHandshake(conn, this.o.secret, 5000).then(
      () => conn.setHandlers(this.handlers(conn)),
      (e: Error) =>
        this.o.log(
          `Refused a control-plane connection from ${socket.remoteAddress}:${socket.remotePort}: ${e.message}`,
        ),
    );
  }

  /** What the job manager does with each message a task worker sends. */
  private handlers(conn: ConnectionToTaskWorker): Handlers<ToJobManager> {
    return {
      register: (b) => {
        const id = `${b.host}:${b.dataPort}-${platform.random.hex(6)}`;
        conn.peerId = id;
        this.registry.register({
          id,
          host: b.host,
          dataPort: b.dataPort,
          numSlots: b.numSlots,
          conn,
          hardware: b.hardware,
          memory: { heapLimitBytes: b.memory?.heapLimitBytes ?? 0 },
        });
        this.o.log(`Registered task worker ${id} with ${b.numSlots} slot(s).`);
        this.reactive?.resourcesChanged();
        return { workerId: id };
      },
      heartbeat: (b) => {
        this.registry.heartbeat(b.workerId, b.metrics, b.accumulators);
      },
      taskState: (b) => {
        this.jobs
          .get(b.jobId)
          ?.onTaskState(b.attempt, b.vertexId, b.subtaskIndex, b.state, b.error, b.metrics, b.accumulators);
      },
      ackCheckpoint: (b) => {
        if (this.jobs.get(b.jobId)?.attempt === b.attempt)
          this.checkpointing
            .get(b.jobId)
            ?.acknowledge(taskKey(b.vertexId, b.subtaskIndex), b.checkpointId, b.snapshots, b.timing);
      },
      finalState: (b) => {
        if (this.jobs.get(b.jobId)?.attempt === b.attempt)
          this.checkpointing
            .get(b.jobId)
            ?.taskFinished(taskKey(b.vertexId, b.subtaskIndex), b.snapshots, b.firstCheckpointId);
      },
      declineCheckpoint: (b) => {
        if (this.jobs.get(b.jobId)?.attempt === b.attempt)
          this.checkpointing.get(b.jobId)?.decline(taskKey(b.vertexId, b.subtaskIndex), b.checkpointId, b.reason);
      },
      collectSinkOpened: (b) => {
        const c = this.collects.get(b.jobId);
        if (c && this.jobs.get(b.jobId)?.attempt === b.attempt)
          c.opened(b.sinkId, { attempt: b.attempt, worker: conn });
        return { maxBatchBytes: c?.maxBatchBytes ?? this.o.config['collect-sink.batch-size.max'] };
      },
      collectSinkEnded: (b) => {
        const c = this.collects.get(b.jobId);
        if (!c || this.jobs.get(b.jobId)?.attempt !== b.attempt) return false; // a stale attempt's
        c.sinkEnded(b.sinkId, b.attempt, b.remaining);
        return true;
      },
    };
  }

  /** Evaluates the bundle, builds the job graph and starts the job; resolves with the job id. */
  async runJar(jarId: string, opts: RunOptions): Promise<string> {
    // A refused setting is reported before anything else about the request (even an unknown jar).
    withJobOverrides(this.o.config, opts.flinkConfiguration ?? {}, 'flinkConfiguration');
    const jar = this.jarStore.get(jarId);
    if (!jar) throw new SluiceError('REST_NOT_FOUND', `jar ${jarId} not found`);
    return this.submit(this.jarStore.code(jar), opts);
  }

  /**
   * Runs a job from its bundle code. With HA, a new submission is written to the job store before it is
   * accepted; a recovered one (`recovered`) is already there.
   */
  async submit(code: string, opts: RunOptions, recovered = false): Promise<string> {
    const config = withJobOverrides(this.o.config, opts.flinkConfiguration ?? {}, 'flinkConfiguration');
    const { path, sha256 } = storeBundle(code);
    const args = opts.args ?? [];
    const { env, jobName } = await evaluateBundle(path, args);
    const settings = jobSettings(config, env, opts.parallelism);
    const { defaultParallelism, defaultMaxParallelism, autoWatermarkIntervalMs } = settings;
    const jobGraph = buildJobGraph(env.graph, { defaultParallelism, defaultMaxParallelism });
    const jobId = opts.jobId ?? platform.random.id32();
    if (this.jobs.has(jobId)) throw new SluiceError('REST_BAD_REQUEST', `job ${jobId} already exists`);
    const cpOpts = checkpointingOptions(
      config,
      settings.checkpointing,
      opts.savepointPath,
      Boolean(opts.allowNonRestoredState),
    );
    const cp = new JobCheckpointing(cpOpts, () => master, this.o.log);
    this.checkpointing.set(jobId, cp);
    const master: JobMaster = new JobMaster(
      {
        jobId,
        jobName,
        bundleCode: code,
        bundleSha256: sha256,
        args,
        defaultParallelism,
        defaultMaxParallelism,
        autoWatermarkIntervalMs,
        stateBackend: settings.stateBackend,
        jobGraph,
      },
      this.registry,
      this.o.log,
      {
        restartStrategy: createRestartStrategy(config, cpOpts.intervalMs > 0),
        restoreFor: (jg) => cp.restoreFor(jg),
        onRunning: () => cp.startAttempt(),
        onStopped: () => cp.stop(),
        beforeRestart: () => this.reactive?.fitForRestart(master) ?? Promise.resolve(),
        checkpointMode: cpOpts.mode,
        checkpointingEnabled: cpOpts.intervalMs > 0,
        slotRequestTimeoutMs: this.o.config['slot.request.timeout'],
      },
    );
    if (opts.savepointPath) await cp.restoreFor(jobGraph); // validate the restore (uids, max parallelism) before accepting the job
    const ha = this.o.ha;
    if (ha && !recovered) {
      const submission: SubmittedJob = { ...opts, jobId, jobName, args, submittedAtMs: platform.clock.nowMs() };
      await ha.jobStore.put(submission, code).catch((e: Error) => {
        // Without HA the record only lets a restarted job manager name the lost job: never a reason to refuse it.
        if (!ha.recoversJobs)
          return this.o.log(
            `Could not record running job ${jobId} (a restarted job manager will not name it): ${e.message}`,
          );
        throw new SluiceError('HA_STORAGE', `job ${jobId} not accepted: the HA job store refused it: ${e.message}`);
      });
    }
    if (ha)
      cp.onCheckpointCompleted = (checkpointId, externalPath) =>
        void ha.checkpointPointers
          .put(jobId, { checkpointId, externalPath })
          .catch((e: Error) =>
            this.o.log(`Could not record checkpoint ${checkpointId} of job ${jobId} in the HA store: ${e.message}`),
          );
    this.jobs.set(jobId, master);
    this.collects.set(jobId, collectCoordinatorFor(config));
    void master.whenTerminal().then(async (status) => {
      await cp.settled(); // a checkpoint completing as the job ends is written in full before cleanup
      if (this.suspended) return; // leadership lost: the job, its checkpoints and HA entries stay for the next leader
      if (status !== 'FINISHED') this.collects.get(jobId)?.discard(); // no client reads a cancelled job's results
      if (ha) {
        await ha.jobStore.remove(jobId).catch((e: Error) => this.o.log(`HA job store: ${e.message}`));
        await ha.checkpointPointers.remove(jobId).catch((e: Error) => this.o.log(`HA pointer store: ${e.message}`));
      }
      const r = await cp.storage
        .onJobTerminated(jobId, status as 'FINISHED' | 'CANCELED' | 'FAILED')
        .catch((e: Error) => ({ warnings: [e.message] }));
      for (const w of r.warnings) this.o.log(w);
    });
    void master.start();
    return jobId;
  }

  /**
   * Changes a running job's default parallelism: checkpoint now, rebuild the graph from the job's bundle at
   * the new parallelism, redeploy from that checkpoint. Vertices whose parallelism the program fixes
   * (setParallelism) keep it.
   */
  async rescaleJob(jobId: string, parallelism: number): Promise<void> {
    const master = this.job(jobId);
    if (!(Number.isInteger(parallelism) && parallelism >= 1))
      throw new SluiceError('REST_BAD_REQUEST', `parallelism must be a positive integer (got ${parallelism})`);
    const jobGraph = await this.graphAt(master, parallelism);
    const need = Math.max(...jobGraph.vertices.map((v) => v.parallelism));
    const available = this.registry.freeSlots() + master.slotsNeeded();
    if (need > available)
      throw new SluiceError(
        'NOT_ENOUGH_SLOTS',
        `job ${jobId} at parallelism ${need} needs ${need} slots; the cluster can give it ${available}. Add task workers first.`,
      );
    await this.checkpointingOf(jobId).checkpointNow();
    await master.rescale(jobGraph, parallelism);
  }

  /** The job's graph rebuilt from its bundle at another default parallelism. */
  async graphAt(master: JobMaster, parallelism: number): Promise<JobGraph> {
    const { path } = storeBundle(master.sub.bundleCode);
    const { env } = await evaluateBundle(path, master.sub.args);
    return buildJobGraph(env.graph, {
      defaultParallelism: parallelism,
      defaultMaxParallelism: master.sub.defaultMaxParallelism,
    });
  }

  checkpointingOf(jobId: string): JobCheckpointing {
    this.job(jobId);
    return this.checkpointing.get(jobId)!;
  }

  /** Stop with savepoint: a synchronous savepoint after which the sources end (after MAX_WATERMARK when draining); the job ends FINISHED. */
  async stopWithSavepoint(jobId: string, targetDirectory: string, drain: boolean) {
    const job = this.job(jobId);
    if (job.status.status !== 'RUNNING')
      throw new SluiceError(
        'JOB_NOT_RUNNING',
        `job ${jobId} is ${job.status.status}; only a running job can be stopped with a savepoint`,
      );
    this.o.log(`Suspending job "${jobId}" with a savepoint${drain ? ' (drain)' : ''}.`);
    const info = await this.checkpointingOf(jobId).savepoint(targetDirectory, 'SYNC_SAVEPOINT', drain);
    await job.whenTerminal();
    return info;
  }

  job(jobId: string): JobMaster {
    const j = this.jobs.get(jobId);
    if (!j) throw new SluiceError('JOB_NOT_FOUND', `Job ${jobId} not found`);
    return j;
  }
}
