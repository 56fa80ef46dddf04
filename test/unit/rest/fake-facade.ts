/**
 * A fake ClusterFacade for REST tests: one running job with two vertices, two task managers, async
 * operations that complete when the test says so, and a record of every mutating call.
 */
import { readFileSync } from 'node:fs';
import type {
  ClusterFacade,
  JarData,
  JarRunRequest,
  ResourceRequirements,
  SavepointOperation,
  CheckpointOperation,
  MetricScope,
  ProcessTarget,
  LogFileRef,
} from '../../../runtime/rest/index.js';
import { SluiceError } from '../../../runtime/errors/catalogue.js';

export const JOB = 'cca7bc1061d61cf15238e92312c2fc20';
export const V1 = 'bc764cd8ddf7a0cff126f51c16239658';
export const V2 = '0a448493b4782967b150582570326227';
export const TRIGGER = '2fd3e7c1a9b04c5d8e6f7a1b2c3d4e5f';
export const TM = '127.0.0.1:40011-b1c2d3';

const res = (cpu: number) => ({
  cpuCores: cpu,
  taskHeapMemory: 0,
  taskOffHeapMemory: 0,
  managedMemory: 0,
  networkMemory: 0,
  extendedResources: {},
});
const tm = (id: string, free: number) => ({
  id,
  path: `sluice.tcp://${id}/taskworker`,
  dataPort: 40011,
  jmxPort: -1,
  timeSinceLastHeartbeat: 1_700_000_059_123,
  slotsNumber: 2,
  freeSlots: free,
  totalResource: res(2),
  freeResource: res(free),
  hardware: { cpuCores: 2, physicalMemory: 8e9, freeMemory: 4e9, managedMemory: 0 },
  memoryConfiguration: {
    frameworkHeap: 0,
    taskHeap: 0,
    frameworkOffHeap: 0,
    taskOffHeap: 0,
    networkMemory: 0,
    managedMemory: 0,
    jvmMetaspace: 0,
    jvmOverhead: 0,
    totalFlinkMemory: 0,
    totalProcessMemory: 0,
  },
});
const counts = (running: number) => ({
  CREATED: 0,
  SCHEDULED: 0,
  DEPLOYING: 0,
  RUNNING: running,
  FINISHED: 0,
  CANCELING: 0,
  CANCELED: 0,
  FAILED: 0,
  RECONCILING: 0,
  INITIALIZING: 0,
});
const stats = { min: 1, max: 9, avg: 5, p50: 5, p90: 8, p95: 9, p99: 9, p999: 9 };
const plan = {
  jid: JOB,
  name: 'model join',
  type: 'STREAMING',
  nodes: [
    {
      id: V2,
      parallelism: 2,
      operator: '',
      operator_strategy: '',
      description: 'KeyedCoProcess',
      optimizer_properties: {},
      inputs: [{ num: 0, id: V1, ship_strategy: 'HASH', exchange: 'pipelined_bounded' }],
    },
  ],
};
const completed = {
  className: 'completed',
  id: 3,
  status: 'COMPLETED',
  is_savepoint: false,
  savepointFormat: null,
  trigger_timestamp: 1,
  latest_ack_timestamp: 2,
  checkpointed_size: 10,
  state_size: 10,
  end_to_end_duration: 1,
  alignment_buffered: 0,
  processed_data: 0,
  persisted_data: 0,
  num_subtasks: 4,
  num_acknowledged_subtasks: 4,
  checkpoint_type: 'CHECKPOINT',
  tasks: {},
  external_path: `file:/ck/${JOB}/chk-3`,
  discarded: false,
};

function withoutPath(c: typeof completed) {
  const { external_path: _p, discarded: _d, ...rest } = c;
  return rest;
}

export class FakeFacade implements ClusterFacade {
  calls: { method: string; args: unknown[] }[] = [];
  jarList: JarData[] = [];
  savepointOps = new Map<string, SavepointOperation>();
  checkpointOps = new Map<string, CheckpointOperation>();
  jobMetrics: Record<string, number | string> = { numRestarts: 0, uptime: 1234, lastCheckpointExternalPath: 'file:/x' };
  shutdownCalled = false;
  failNext: Error | undefined;

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
  }
  private isJob = (id: string) => id === JOB;

  overview() {
    this.record('overview');
    return {
      taskManagers: 2,
      slotsTotal: 4,
      slotsAvailable: 2,
      jobsRunning: 1,
      jobsFinished: 0,
      jobsCancelled: 0,
      jobsFailed: 0,
      taskManagersBlocked: 0,
    };
  }
  taskManagers() {
    return [tm(TM, 1), tm('127.0.0.1:40012-a1a1a1', 1)];
  }
  taskManager(id: string) {
    return id === TM
      ? { ...tm(TM, 1), metrics: { heapUsed: 1 }, allocatedSlots: [{ jobId: JOB, resource: res(1) }] }
      : undefined;
  }
  jobs() {
    return [{ id: JOB, status: 'RUNNING' as const }];
  }
  jobsOverview() {
    return [
      {
        jid: JOB,
        name: 'model join',
        state: 'RUNNING' as const,
        startTime: 1000,
        endTime: -1,
        duration: 500,
        lastModification: 1200,
        tasks: { RUNNING: 4 },
      },
    ];
  }
  jobDetails(id: string) {
    if (!this.isJob(id)) return undefined;
    const vertex = (vid: string, name: string) => ({
      id: vid,
      name,
      maxParallelism: 128,
      parallelism: 2,
      status: 'RUNNING',
      'start-time': 1000,
      'end-time': -1,
      duration: 500,
      tasks: counts(2),
      metrics: {
        'read-bytes': 0,
        'read-bytes-complete': true,
        'write-bytes': 0,
        'write-bytes-complete': true,
        'read-records': 0,
        'read-records-complete': true,
        'write-records': 0,
        'write-records-complete': true,
        'accumulated-backpressured-time': 0,
        'accumulated-idle-time': 0,
        'accumulated-busy-time': 0.5,
      },
    });
    return {
      jid: JOB,
      name: 'model join',
      isStoppable: false,
      state: 'RUNNING',
      'job-type': 'STREAMING',
      'start-time': 1000,
      'end-time': -1,
      duration: 500,
      maxParallelism: 128,
      now: 1500,
      timestamps: {
        INITIALIZING: 1000,
        CREATED: 1001,
        RUNNING: 1100,
        FAILING: 0,
        FAILED: 0,
        CANCELLING: 0,
        CANCELED: 0,
        FINISHED: 0,
        RESTARTING: 0,
        SUSPENDED: 0,
        RECONCILING: 0,
      },
      vertices: [vertex(V1, 'Source: models'), vertex(V2, 'KeyedCoProcess')],
      'status-counts': counts(4),
      plan,
    };
  }
  jobStatus(id: string) {
    return this.isJob(id) ? ('RUNNING' as const) : undefined;
  }
  jobPlan(id: string) {
    return this.isJob(id) ? plan : undefined;
  }
  jobExceptions(id: string, opts: { maxExceptions: number; failureLabelFilter: Record<string, string> }) {
    this.record('jobExceptions', id, opts);
    if (!this.isJob(id)) return undefined;
    const entry = {
      exceptionName: 'java.lang.RuntimeException',
      stacktrace: 'RuntimeException: boom',
      timestamp: 1300,
      taskName: 'KeyedCoProcess (1/2)',
      location: '127.0.0.1:40011',
      taskManagerId: TM,
      failureLabels: {},
      concurrentExceptions: [],
    };
    return {
      'root-exception': entry.stacktrace,
      timestamp: 1300,
      'all-exceptions': [],
      truncated: false,
      exceptionHistory: { entries: [entry].slice(0, opts.maxExceptions), truncated: false },
    };
  }
  jobExecutionResult(id: string) {
    if (!this.isJob(id)) return undefined;
    return {
      status: 'COMPLETED' as const,
      result: { jobId: JOB, applicationStatus: 'SUCCEEDED' as const, netRuntimeMs: 500 },
    };
  }
  jobConfig(id: string) {
    return this.isJob(id)
      ? {
          jid: JOB,
          name: 'model join',
          'execution-config': {
            'execution-mode': 'PIPELINED',
            'restart-strategy': 'none',
            'job-parallelism': 2,
            'object-reuse-mode': false,
            'user-config': {},
          },
        }
      : undefined;
  }
  cancelJob(id: string) {
    this.record('cancelJob', id);
  }
  triggerSavepoint(id: string, req: unknown) {
    this.record('triggerSavepoint', id, req);
    const t = (req as { triggerId?: string }).triggerId ?? TRIGGER;
    this.savepointOps.set(t, { status: 'IN_PROGRESS' });
    return t;
  }
  triggerStop(id: string, req: unknown) {
    this.record('triggerStop', id, req);
    this.savepointOps.set(TRIGGER, { status: 'IN_PROGRESS' });
    return TRIGGER;
  }
  savepointStatus(_id: string, t: string) {
    return this.savepointOps.get(t);
  }
  triggerCheckpoint(id: string, req: unknown) {
    this.record('triggerCheckpoint', id, req);
    this.checkpointOps.set(TRIGGER, { status: 'IN_PROGRESS' });
    return TRIGGER;
  }
  checkpointStatus(_id: string, t: string) {
    return this.checkpointOps.get(t);
  }
  checkpointStats(id: string) {
    if (!this.isJob(id)) return undefined;
    return {
      counts: { restored: 0, total: 4, in_progress: 0, completed: 3, failed: 1 },
      summary: {
        checkpointed_size: stats,
        state_size: stats,
        end_to_end_duration: stats,
        alignment_buffered: stats,
        processed_data: stats,
        persisted_data: stats,
      },
      latest: { completed, savepoint: null, failed: null, restored: null },
      history: [
        completed,
        {
          ...withoutPath(completed),
          className: 'failed',
          id: 4,
          status: 'FAILED',
          failure_timestamp: 5,
          failure_message: 'declined',
        },
      ],
    };
  }
  checkpointConfig(id: string) {
    if (!this.isJob(id)) return undefined;
    return {
      mode: 'EXACTLY_ONCE',
      interval: 1000,
      timeout: 600000,
      min_pause: 0,
      max_concurrent: 1,
      externalization: { enabled: false, delete_on_cancellation: true },
      state_backend: 'HashMapStateBackend',
      checkpoint_storage: 'FileSystemCheckpointStorage',
      unaligned_checkpoints: false,
      tolerable_failed_checkpoints: 0,
      aligned_checkpoint_timeout: 0,
      checkpoints_after_tasks_finish: true,
      state_changelog_enabled: false,
      changelog_storage: 'memory',
      changelog_periodic_materialization_interval: 600000,
    };
  }
  checkpointDetails(id: string, cid: number) {
    return this.isJob(id) && cid === 3 ? completed : undefined;
  }
  vertexDetails(id: string, vid: string) {
    if (!this.isJob(id) || (vid !== V1 && vid !== V2)) return undefined;
    const sub = (i: number) => ({
      subtask: i,
      status: 'RUNNING',
      attempt: 0,
      host: '127.0.0.1',
      'start-time': 1000,
      'end-time': -1,
      duration: 500,
      metrics: this.jobDetails(id)!.vertices[0]!.metrics,
      'taskmanager-id': TM,
      'status-duration': {},
    });
    return {
      id: vid,
      name: 'KeyedCoProcess',
      parallelism: 2,
      maxParallelism: 128,
      now: 1500,
      subtasks: [sub(0), sub(1)],
    };
  }
  private vertex = (id: string, vid: string) => this.isJob(id) && (vid === V1 || vid === V2);
  private isTm = (tmid: string) => this.taskManagers().some((t) => t.id === tmid);
  /** Log files per process (name → content); the facade's own check keeps to these names. */
  logs: Record<string, Record<string, string>> = {
    jobmanager: { 'jobmanager-1.log': '{"msg":"jm started"}\n', 'jobmanager-1.out': 'printed\n' },
    [TM]: { 'taskworker-2.log': '{"msg":"tm started"}\n', 'taskworker-2.out': '' },
  };
  subtaskAttempt(id: string, vid: string, i: number, attempt?: number) {
    const v = this.vertexDetails(id, vid);
    const s = v?.subtasks[i];
    return s && (attempt === undefined || attempt === 0) ? s : undefined;
  }
  subtaskTimes(id: string, vid: string) {
    if (!this.vertex(id, vid)) return undefined;
    const sub = (i: number) => ({ subtask: i, host: '127.0.0.1', duration: 500, timestamps: { RUNNING: 1000 } });
    return { id: vid, name: 'KeyedCoProcess', now: 1500, subtasks: [sub(0), sub(1)] };
  }
  vertexTaskManagers(id: string, vid: string) {
    if (!this.vertex(id, vid)) return undefined;
    return { id: vid, name: 'KeyedCoProcess', now: 1500, taskmanagers: [] };
  }
  vertexBackPressure(id: string, vid: string) {
    if (!this.vertex(id, vid)) return undefined;
    const sub = (i: number, ratio: number) => ({
      subtask: i,
      'attempt-number': 0,
      backpressureLevel: ratio > 0.5 ? 'high' : ratio > 0.1 ? 'low' : 'ok',
      ratio,
      idleRatio: 0,
      busyRatio: 1 - ratio,
    });
    return { status: 'ok', backpressureLevel: 'high', 'end-timestamp': 1500, subtasks: [sub(0, 0.05), sub(1, 0.9)] };
  }
  vertexAccumulators(id: string, vid: string) {
    return this.vertex(id, vid)
      ? { id: vid, 'user-accumulators': [{ name: 'op.seen', type: 'LongCounter', value: '12' }] }
      : undefined;
  }
  subtasksAccumulators(id: string, vid: string) {
    return this.vertex(id, vid) ? { id: vid, parallelism: 2, subtasks: [] } : undefined;
  }
  attemptAccumulators(id: string, vid: string, i: number, attempt: number) {
    return this.vertex(id, vid) && i < 2 && attempt === 0
      ? { subtask: i, attempt, id: 'x', 'user-accumulators': [] }
      : undefined;
  }
  jobAccumulators(id: string) {
    return this.isJob(id)
      ? { 'job-accumulators': [], 'user-task-accumulators': [], 'serialized-user-task-accumulators': {} }
      : undefined;
  }
  vertexFlameGraph(id: string, vid: string, o: { type: string; subtaskIndex?: number }) {
    this.record('vertexFlameGraph', id, vid, o);
    return this.vertex(id, vid) && (o.subtaskIndex ?? 0) < 2 ? { endTimestamp: -2 } : undefined;
  }
  private files(t: ProcessTarget) {
    return t.kind === 'jobmanager'
      ? this.logs.jobmanager
      : this.isTm(t.taskManagerId)
        ? this.logs[t.taskManagerId]
        : undefined;
  }
  processEnvironment(t: ProcessTarget) {
    return this.files(t) ? { jvm: { version: 'Node.js', arch: 'x64', options: [] }, classpath: [] } : undefined;
  }
  processLogs(t: ProcessTarget) {
    const f = this.files(t);
    return f ? Object.entries(f).map(([name, c]) => ({ name, size: c.length, mtime: 1000 })) : undefined;
  }
  processLogFile(t: ProcessTarget, file: LogFileRef) {
    const f = this.files(t);
    if (!f) return undefined;
    const name =
      'name' in file ? file.name : Object.keys(f).find((n) => n.endsWith(file.main === 'log' ? '.log' : '.out'));
    const c = name === undefined ? undefined : f[name];
    return c === undefined ? undefined : Buffer.from(c);
  }
  processThreadDump(t: ProcessTarget) {
    return this.files(t) ? { threadInfos: [{ threadName: 'main', stringifiedThreadInfo: '"main"' }] } : undefined;
  }
  clientHeartbeat(id: string, ts: number) {
    this.record('clientHeartbeat', id, ts);
  }
  metrics(scope: MetricScope) {
    switch (scope.kind) {
      case 'jobmanager':
        return { 'Status.JVM.Memory.Heap.Used': 100 };
      case 'job':
        return this.isJob(scope.jobId) ? this.jobMetrics : undefined;
      case 'vertex':
        return this.vertexDetails(scope.jobId, scope.vertexId)
          ? {
              '0.numRecordsIn': 5,
              '1.numRecordsIn': 7,
              '10.currentInputWatermark': 99,
              '1.currentInputWatermark': 1700,
              '0.currentInputWatermark': -(2 ** 63),
            }
          : undefined;
      case 'subtask':
        return this.vertexDetails(scope.jobId, scope.vertexId) && scope.subtaskIndex < 2
          ? { numRecordsIn: scope.subtaskIndex === 0 ? 5 : 7 }
          : undefined;
      case 'taskmanager':
        return this.taskManagers().some((t) => t.id === scope.taskManagerId)
          ? { 'Status.JVM.CPU.Load': scope.taskManagerId === TM ? 0.5 : 0.25 }
          : undefined;
    }
  }
  storeJar(jar: { id: string; name: string; file: string; sizeBytes: number }) {
    this.record('storeJar', { ...jar, bytes: readFileSync(jar.file) });
    this.jarList.push({ id: jar.id, name: jar.name, uploaded: 1000 });
    return { path: `/tmp/sluice-web-upload/${jar.id}` };
  }
  jars() {
    return this.jarList;
  }
  deleteJar(id: string) {
    this.record('deleteJar', id);
    const n = this.jarList.length;
    this.jarList = this.jarList.filter((j) => j.id !== id);
    return this.jarList.length < n;
  }
  runJar(id: string, req: JarRunRequest) {
    this.record('runJar', id, req);
    if (!this.jarList.some((j) => j.id === id))
      throw new SluiceError('REST_NOT_FOUND', `Jar file ${id} does not exist.`);
    return req.jobId ?? JOB;
  }
  disposals = new Map<string, SavepointOperation>();
  triggerSavepointDisposal(path: string, triggerId?: string) {
    this.record('triggerSavepointDisposal', path, triggerId);
    const t = triggerId ?? TRIGGER;
    this.disposals.set(t, { status: 'COMPLETED' });
    return t;
  }
  savepointDisposalStatus(t: string) {
    return this.disposals.get(t);
  }
  jobModels(id: string) {
    if (!this.isJob(id)) return undefined;
    return [
      {
        name: 'wine',
        version: '2',
        sha256: 'ab'.repeat(32),
        since: 1000,
        usage: 42,
        failures: 0,
        durationMs: { total: 4, min: 0.01, max: 0.5, p50: 0.05, p95: 0.2, p99: 0.4 },
        batchSize: { min: 1, max: 64, avg: 20 },
      },
    ];
  }
  resourceRequirements(id: string) {
    return this.isJob(id) ? { [V1]: { parallelism: { lowerBound: 1, upperBound: 2 } } } : undefined;
  }
  updateResourceRequirements(id: string, req: ResourceRequirements) {
    this.record('updateResourceRequirements', id, req);
  }
  shutdown() {
    this.shutdownCalled = true;
  }
}
