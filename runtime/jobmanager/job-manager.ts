/**
 * JobManager: the control-plane server (worker registration, heartbeats, task reports: each connection's
 * handshake and messages are `control-plane-endpoint.ts`), the dispatcher (one JobMaster per job), and the
 * artifact store for uploaded job bundles ("jars"). With HA it writes submissions to the job store and
 * checkpoint pointers to the pointer store; the jobs an earlier job manager ran are recovered or reported
 * lost by `job-recovery.ts`. REST is a thin layer over it (cluster-facade-impl.ts).
 *
 * Invariants: a lost worker is reported to every job with subtasks on it; job ids are 32 lower-case hex.
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform, type Server } from '../platform/index.js';
import { evaluateBundle, storeBundle } from '../bundle/job-bundle.js';
import { buildJobGraph, type JobGraph } from '../graph/job-graph.js';
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
import type { HighAvailabilityServices, SubmittedJob } from '../ha/ha-services.js';
import { acceptTaskWorker } from './control-plane-endpoint.js';
import { type LostJob, recoverHaJobs, reportJobsLostWithoutHa } from './job-recovery.js';

export type { LostJob } from './job-recovery.js';

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
    this.server = platform.net.createServer((socket) => acceptTaskWorker(this, socket), {
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
  recoverJobs(): Promise<string[]> {
    return recoverHaJobs(this);
  }

  /** Jobs an earlier job manager ran that this one (without HA) did not recover, with their checkpoints. */
  readonly lostJobs: LostJob[] = [];

  /**
   * Without HA: the jobs an earlier job manager recorded as running are gone. Says so, loudly, with the
   * newest retained checkpoint of each (to resume with `sluice run -s`), and keeps the list for REST.
   */
  reportLostJobs(): Promise<LostJob[]> {
    return reportJobsLostWithoutHa(this);
  }

  async stop(): Promise<void> {
    for (const j of this.jobs.values()) j.cancel();
    if (this.collectWatch) platform.clock.clear(this.collectWatch);
    this.registry.stop();
    for (const w of [...this.registry.workers.values()]) w.conn.close();
    this.jarStore.close();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
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
