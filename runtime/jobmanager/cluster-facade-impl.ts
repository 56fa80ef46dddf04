/**
 * The job manager's implementation of the REST layer's ClusterFacade (runtime/rest/cluster-facade.ts):
 * cluster and job views from rest-views.ts, checkpoint statistics from the checkpoint subsystem, and the
 * asynchronous operations (savepoint, stop, checkpoint) tracked by trigger id, a completed one kept pollable
 * for rest.async.store-duration.
 */
import { jobModelStats } from './model-stats-view.js';
import { jobMetrics } from './job-metrics-view.js';
import { queryState } from './queryable-state-router.js';
import { collectFetch } from './collect-fetch.js';
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
import { buildJobGraph } from '../graph/job-graph.js';
import { evaluateBundle, storeBundle } from '../bundle/job-bundle.js';
import type { JobManager } from './job-manager.js';
import { jobDetails, jobExceptions, jobOverview, taskManagerInfo } from './rest-views.js';
import { checkpointConfigView } from './checkpoint-views.js';
import { subtaskCheckpointDetails } from '../../checkpoints/subtask-stats.js';
import { storeFor } from '../../checkpoints/store.js';
import type { ProcessLog } from '../diagnostics/process-log.js';
import { processMetricsReader } from '../diagnostics/process-metrics.js';
import { diagnosticsFacade } from './facade-diagnostics.js';
import { flameGraphOptions } from './flame-graphs.js';
import { vertexDetails } from './vertex-views.js';

type Op =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED'; location?: string; checkpointId?: number; failure?: { className: string; message: string } };

export interface FacadeOptions {
  /** This process's file log (served by `/jobmanager/logs`, `/log`, `/stdout`). */
  processLog?: ProcessLog;
}

export function createClusterFacade(
  jm: JobManager,
  shutdown: () => Promise<void>,
  options: FacadeOptions = {},
): ClusterFacade {
  const processMetrics = processMetricsReader();
  const ops = new Map<string, Op>();
  // A completed operation's result stays pollable for rest.async.store-duration, then its trigger id is unknown.
  const complete = (id: string, op: Op) => {
    ops.set(id, op);
    platform.clock.setTimeout(() => ops.delete(id), jm.o.config['rest.async.store-duration']).unref?.();
  };
  const track = (p: Promise<{ location?: string; checkpointId?: number }>, triggerId?: string): string => {
    const id = triggerId ?? platform.random.id32();
    ops.set(id, { status: 'IN_PROGRESS' });
    p.then(
      (r) => complete(id, { status: 'COMPLETED', ...r }),
      (e: Error) =>
        complete(id, {
          status: 'COMPLETED',
          failure: { className: `sluice.${(e as SluiceError).code ?? e.name}`, message: e.message },
        }),
    );
    return id;
  };
  const roots = pathRoots(jm.o.config);
  const target = (dir: string | undefined): string => {
    const d = dir || jm.o.config['execution.checkpointing.savepoint-dir'];
    if (!d)
      throw new SluiceError(
        'SAVEPOINT_NO_TARGET',
        'No savepoint directory given (target-directory) and none configured (execution.checkpointing.savepoint-dir)',
      );
    return confinePath(d, roots, 'savepoint target directory');
  };
  const known = (jobId: string) => jm.jobs.get(jobId);

  return {
    ...diagnosticsFacade(jm, {
      processLog: options.processLog,
      flameGraph: flameGraphOptions(jm.o.config),
    }),
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
    collectResults: (id, sinkId, request) => (known(id) ? collectFetch(jm, id, sinkId, request) : undefined),
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
    // Disposal deletes a savepoint directory (its `_metadata` must be there) inside the configured roots.
    triggerSavepointDisposal: (path, triggerId) => {
      const dir = confinePath(path, roots, 'savepoint path');
      return track(
        (async () => {
          const store = storeFor(dir);
          if (!(await store.exists(store.join(dir, '_metadata'))))
            throw new SluiceError('RESTORE_NOT_FOUND', `no savepoint at ${path} (no _metadata there)`);
          await store.deleteTree(dir);
          return {};
        })(),
        triggerId,
      );
    },
    savepointDisposalStatus: (triggerId) => ops.get(triggerId) as SavepointOperation | undefined,
    checkpointStats: (id) => (known(id) ? (jm.checkpointingOf(id).stats.statistics() as never) : undefined),
    checkpointConfig: (id) =>
      known(id)
        ? (checkpointConfigView(jm.checkpointingOf(id), known(id)!.sub.stateBackend?.type) as never)
        : undefined,
    checkpointDetails: (id, cid) => (known(id) ? (jm.checkpointingOf(id).stats.details(cid) as never) : undefined),
    vertexDetails: (id, vid) => (known(id) ? vertexDetails(known(id)!, vid) : undefined),
    checkpointSubtaskDetails: (id, cid, vid) => {
      const st = known(id) ? jm.checkpointingOf(id).stats.entry(cid) : undefined;
      const task = st?.tasks.get(vid);
      return st && task ? subtaskCheckpointDetails(st, task, false) : undefined;
    },
    metrics: (scope: MetricScope) => {
      if (scope.kind === 'taskmanager') return jm.registry.workers.get(scope.taskManagerId)?.metrics;
      if (scope.kind === 'jobmanager')
        return {
          ...processMetrics(),
          numRegisteredTaskManagers: jm.registry.workers.size,
          numRunningJobs: [...jm.jobs.values()].filter((j) => j.status.status === 'RUNNING').length,
          taskSlotsTotal: jm.registry.totalSlots(),
          taskSlotsAvailable: jm.registry.freeSlots(),
        };
      const j = known(scope.jobId);
      if (!j) return undefined;
      if (scope.kind === 'job') return jobMetrics(j, jm.checkpointing.get(scope.jobId), jm.collects.get(scope.jobId));
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
        // A claim mode travels like its configuration key, so a mode sluice does not implement is refused.
        flinkConfiguration: {
          ...req.flinkConfiguration,
          ...(req.claimMode ? { 'execution.state-recovery.claim-mode': req.claimMode } : {}),
        },
      }),
    // The plan the jar's program builds (evaluated as for a run, nothing deployed), with a fresh job id.
    planJar: async (id, req) => {
      const jar = jm.jarStore.get(id);
      if (!jar) throw new SluiceError('REST_NOT_FOUND', `jar ${id} not found`);
      const { env } = await evaluateBundle(storeBundle(jm.jarStore.code(jar)).path, req.programArgs);
      const parallelism =
        req.parallelism ?? (env.getParallelism() > 0 ? env.getParallelism() : jm.o.config['parallelism.default']);
      const jobGraph = buildJobGraph(env.graph, {
        defaultParallelism: parallelism,
        defaultMaxParallelism: env.getMaxParallelism(),
      });
      return planJson(jobGraph, platform.random.id32()) as never;
    },
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
    queryState: (id, name, key) => {
      const j = known(id);
      return j ? queryState(j, jm.registry, name, key) : undefined;
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
