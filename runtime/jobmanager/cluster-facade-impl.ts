/**
 * The job manager's implementation of the REST layer's ClusterFacade (runtime/rest/cluster-facade.ts):
 * cluster and job views from rest-views.ts, checkpoint statistics from the checkpoint subsystem, and the
 * asynchronous operations (savepoint, stop, checkpoint) tracked by trigger id.
 */
import { jobModelStats } from './model-stats-view.js';
import { jobMetrics } from './job-metrics-view.js';
import { confinePath, pathRoots } from '../config/path-roots.js';
import type {
  CheckpointOperation,
  ClusterFacade,
  JarRunRequest,
  JobStatus,
  ResourceRequirements,
  SavepointOperation,
  MetricScope,
} from '../rest/cluster-facade.js';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import { planJson } from '../graph/plan.js';
import type { JobManager } from './job-manager.js';
import { jobDetails, jobExceptions, jobOverview, taskManagerInfo } from './rest-views.js';
import { checkpointConfigView } from './checkpoint-views.js';

type Op =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED'; location?: string; checkpointId?: number; failure?: { className: string; message: string } };

export function createClusterFacade(jm: JobManager, shutdown: () => Promise<void>): ClusterFacade {
  const ops = new Map<string, Op>();
  const track = (p: Promise<{ location?: string; checkpointId?: number }>, triggerId?: string): string => {
    const id = triggerId ?? platform.random.id32();
    ops.set(id, { status: 'IN_PROGRESS' });
    p.then(
      (r) => ops.set(id, { status: 'COMPLETED', ...r }),
      (e: Error) =>
        ops.set(id, {
          status: 'COMPLETED',
          failure: { className: `sluice.${(e as SluiceError).code ?? e.name}`, message: e.message },
        }),
    );
    return id;
  };
  const roots = pathRoots(jm.o.config);
  const target = (dir: string | undefined): string => {
    const d = dir || jm.o.config['execution.checkpointing.savepoint-dir'] || jm.o.config['state.savepoints.dir'];
    if (!d)
      throw new SluiceError(
        'SAVEPOINT_NO_TARGET',
        'No savepoint directory given (target-directory) and none configured (execution.checkpointing.savepoint-dir)',
      );
    return confinePath(d, roots, 'savepoint target directory');
  };
  const known = (jobId: string) => jm.jobs.get(jobId);

  return {
    overview: () => {
      const states = [...jm.jobs.values()].map((j) => j.status.status);
      return {
        taskManagers: jm.registry.workers.size,
        slotsTotal: jm.registry.totalSlots(),
        slotsAvailable: jm.registry.freeSlots(),
        jobsRunning: states.filter((s) => !['FINISHED', 'CANCELED', 'FAILED'].includes(s)).length,
        jobsFinished: states.filter((s) => s === 'FINISHED').length,
        jobsCancelled: states.filter((s) => s === 'CANCELED').length,
        jobsFailed: states.filter((s) => s === 'FAILED').length,
      };
    },
    taskManagers: () => [...jm.registry.workers.keys()].map((id) => taskManagerInfo(jm, id) as never),
    taskManager: (id) => {
      const info = taskManagerInfo(jm, id);
      if (!info) return undefined;
      const w = jm.registry.workers.get(id)!;
      return {
        ...(info as Record<string, unknown>),
        metrics: taskManagerMetricsInfo(w.metrics),
        allocatedSlots: w.slots.filter(Boolean).map((a) => ({ jobId: a!.jobId, resource: {} })),
      } as never;
    },
    jobs: () => [...jm.jobs.values()].map((j) => ({ id: j.jobId, status: j.status.status as JobStatus })),
    jobsOverview: () => [...jm.jobs.values()].map(jobOverview),
    jobDetails: (id) => (known(id) ? jobDetails(known(id)!) : undefined),
    jobStatus: (id) => known(id)?.status.status as JobStatus | undefined,
    jobPlan: (id) => (known(id) ? (planJson(known(id)!.sub.jobGraph, id) as never) : undefined),
    jobExceptions: (id, o) => (known(id) ? jobExceptions(known(id)!, o.maxExceptions) : undefined),
    jobExecutionResult: (id) => {
      const j = known(id);
      if (!j) return undefined;
      const s = j.status.status;
      if (!['FINISHED', 'CANCELED', 'FAILED'].includes(s)) return { status: 'IN_PROGRESS' };
      const last = j.exceptions[j.exceptions.length - 1];
      return {
        status: 'COMPLETED',
        result: {
          jobId: id,
          applicationStatus: s === 'FINISHED' ? 'SUCCEEDED' : s === 'CANCELED' ? 'CANCELED' : 'FAILED',
          netRuntimeMs: j.endTime - j.startTime,
          ...(s === 'FAILED' && last ? { failure: { className: last.exceptionName, message: last.stacktrace } } : {}),
        },
      };
    },
    jobConfig: (id) =>
      known(id)
        ? {
            jid: id,
            name: known(id)!.sub.jobName,
            'execution-config': {
              'execution-mode': 'PIPELINED',
              'restart-strategy': 'see cluster configuration',
              'job-parallelism': known(id)!.sub.defaultParallelism,
              'object-reuse-mode': false,
              'user-config': {},
            },
          }
        : undefined,
    cancelJob: (id) => {
      const j = known(id);
      if (!j) throw new SluiceError('JOB_NOT_FOUND', `Job ${id} not found`);
      j.cancel();
    },
    triggerSavepoint: (id, req) => {
      const cp = jm.checkpointingOf(id);
      const dir = target(req.targetDirectory);
      return track(
        cp.savepoint(dir).then((info) => {
          if (req.cancelJob) jm.job(id).cancel();
          return { location: info.externalPath };
        }),
        req.triggerId,
      );
    },
    triggerStop: (id, req) =>
      track(
        jm
          .stopWithSavepoint(id, target(req.targetDirectory), req.drain)
          .then((info) => ({ location: info.externalPath })),
        req.triggerId,
      ),
    savepointStatus: (id, triggerId) =>
      known(id) ? (ops.get(triggerId) as SavepointOperation | undefined) : undefined,
    triggerCheckpoint: (id, req) =>
      track(
        jm
          .checkpointingOf(id)
          .checkpointNow()
          .then((info) => ({ checkpointId: info.id })),
        req.triggerId,
      ),
    checkpointStatus: (id, triggerId) =>
      known(id) ? (ops.get(triggerId) as CheckpointOperation | undefined) : undefined,
    checkpointStats: (id) => (known(id) ? (jm.checkpointingOf(id).stats.statistics() as never) : undefined),
    checkpointConfig: (id) => (known(id) ? (checkpointConfigView(jm.checkpointingOf(id)) as never) : undefined),
    checkpointDetails: (id, cid) => (known(id) ? (jm.checkpointingOf(id).stats.details(cid) as never) : undefined),
    vertexDetails: (id, vid) => {
      const j = known(id);
      const v = j ? (jobDetails(j).vertices as Array<Record<string, unknown>>).find((x) => x.id === vid) : undefined;
      if (!j || !v) return undefined;
      const subtasks = [...j.subtasks.values()]
        .filter((s) => s.vertexId === vid)
        .map((s) => ({
          subtask: s.subtaskIndex,
          status: s.state,
          attempt: j.attempt,
          'start-time': s.startTime,
          'end-time': s.endTime,
          duration: (s.endTime > 0 ? s.endTime : platform.clock.nowMs()) - s.startTime,
          'taskmanager-id': s.workerId,
        }));
      return {
        id: vid,
        name: v.name,
        parallelism: v.parallelism,
        maxParallelism: v.maxParallelism,
        now: platform.clock.nowMs(),
        subtasks,
      };
    },
    metrics: (scope: MetricScope) => {
      if (scope.kind === 'taskmanager') return jm.registry.workers.get(scope.taskManagerId)?.metrics;
      if (scope.kind === 'jobmanager')
        return {
          numRegisteredTaskManagers: jm.registry.workers.size,
          numRunningJobs: [...jm.jobs.values()].filter((j) => j.status.status === 'RUNNING').length,
          taskSlotsTotal: jm.registry.totalSlots(),
          taskSlotsAvailable: jm.registry.freeSlots(),
        };
      const j = known(scope.jobId);
      if (!j) return undefined;
      if (scope.kind === 'job') return jobMetrics(j, jm.checkpointing.get(scope.jobId));
      const subs = [...j.subtasks.values()].filter((s) => s.vertexId === scope.vertexId);
      if (scope.kind === 'subtask') {
        const st = subs.find((s) => s.subtaskIndex === scope.subtaskIndex);
        return st ? j.subtaskMetrics(st) : undefined;
      }
      // vertex scope: Flink names per subtask, "<subtask>.<metric>"
      const out: Record<string, number | string> = {};
      for (const s of subs) for (const [k, v] of Object.entries(j.subtaskMetrics(s))) out[`${s.subtaskIndex}.${k}`] = v;
      return out;
    },
    storeJar: (jar) => {
      const stored = jm.jarStore.add(jar.id, jar.name, jar.file, jar.sizeBytes);
      return { path: `/tmp/sluice-web-upload/${stored.id}` };
    },
    jars: () =>
      jm.jarStore.list().map((j) => ({
        id: j.id,
        name: j.name,
        uploaded: j.uploaded,
        entry: [{ name: 'main', description: null }],
      })),
    deleteJar: (id) => jm.jarStore.delete(id),
    runJar: (id, req: JarRunRequest) =>
      jm.runJar(id, {
        args: req.programArgs,
        parallelism: req.parallelism,
        jobId: req.jobId,
        savepointPath:
          req.savepointPath === undefined ? undefined : confinePath(req.savepointPath, roots, 'restore path'),
        allowNonRestoredState: req.allowNonRestoredState,
      }),
    jobModels: (id) => {
      const j = known(id);
      return j
        ? jobModelStats(
            [...j.subtasks.values()].map((s) => ({
              vertexId: s.vertexId,
              subtaskIndex: s.subtaskIndex,
              workerId: s.workerId,
              metrics: j.subtaskMetrics(s),
            })),
          )
        : undefined;
    },
    resourceRequirements: (id) => {
      const j = known(id);
      if (!j) return undefined;
      const r: ResourceRequirements = {};
      for (const v of j.sub.jobGraph.vertices) r[v.id] = { parallelism: { lowerBound: 1, upperBound: v.parallelism } };
      return r;
    },
    // Flink's adaptive scheduler reads the upper bounds; sluice rescales the job to the largest one.
    updateResourceRequirements: (id, req) =>
      jm.rescaleJob(id, Math.max(...Object.values(req).map((r) => r.parallelism.upperBound))),
    shutdown: () => {
      platform.clock.setImmediate(() => void shutdown());
    },
  };
}

/** Flink's TaskManagerMetricsInfo from a worker's Status.JVM.* gauges (fields a Node process lacks are 0). */
function taskManagerMetricsInfo(m: Record<string, number | string>): Record<string, unknown> {
  const n = (k: string) => (typeof m[k] === 'number' ? (m[k] as number) : 0);
  return {
    heapUsed: n('Status.JVM.Memory.Heap.Used'),
    heapCommitted: n('Status.JVM.Memory.Heap.Committed'),
    heapMax: n('Status.JVM.Memory.Heap.Max'),
    nonHeapUsed: n('Status.JVM.Memory.NonHeap.Used'),
    nonHeapCommitted: n('Status.JVM.Memory.NonHeap.Used'),
    nonHeapMax: -1,
    directCount: 0,
    directUsed: n('Status.JVM.Memory.Direct.MemoryUsed'),
    directMax: -1,
    mappedCount: 0,
    mappedUsed: 0,
    mappedMax: -1,
    memorySegmentsAvailable: 0,
    memorySegmentsTotal: 0,
    nettyShuffleMemorySegmentsAvailable: 0,
    nettyShuffleMemorySegmentsUsed: 0,
    nettyShuffleMemorySegmentsTotal: 0,
    nettyShuffleMemoryAvailable: 0,
    nettyShuffleMemoryUsed: 0,
    nettyShuffleMemoryTotal: 0,
    garbageCollectors: [],
  };
}
