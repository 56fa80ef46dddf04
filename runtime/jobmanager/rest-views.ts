/**
 * Flink-shaped views of the job manager's state for the REST facade: `/jobs/overview` rows, `/jobs/:id`,
 * `/jobs/:id/exceptions` and task manager entries. Field names, key order and
 * case follow docs/flink-notes.md §1.3 (lower-case task states in overviews, upper-case in details, zero
 * `*-blocked` fields omitted, `timeSinceLastHeartbeat` an epoch timestamp).
 */
import { platform } from '../platform/index.js';
import { planJson } from '../graph/plan.js';
import type { JobManager } from './job-manager.js';
import type { JobMaster } from './job-master.js';
import type { JobOverviewData, JobStatus } from '../rest/cluster-facade.js';
import { EXECUTION_STATES } from '../rest/views.js';
import { ioMetrics, sumIoMetrics } from './subtask-views.js';

function taskState(s: string): (typeof EXECUTION_STATES)[number] {
  if (s === 'CANCELING') return 'CANCELING';
  return (EXECUTION_STATES as readonly string[]).includes(s) ? (s as (typeof EXECUTION_STATES)[number]) : 'CREATED';
}

function counts(j: JobMaster, vertexId?: string): Record<string, number> {
  const c = Object.fromEntries(EXECUTION_STATES.map((s) => [s, 0])) as Record<string, number>;
  for (const st of j.subtasks.values()) if (!vertexId || st.vertexId === vertexId) c[taskState(st.state)]!++;
  return c;
}

/** A `/jobs/overview` row in the REST facade's shape (the REST layer writes Flink's lower-case keys). */
export function jobOverview(j: JobMaster): JobOverviewData {
  const now = platform.clock.nowMs();
  return {
    jid: j.jobId,
    name: j.sub.jobName,
    state: j.status.status as JobStatus,
    startTime: j.startTime,
    endTime: j.endTime,
    duration: (j.endTime > 0 ? j.endTime : now) - j.startTime,
    lastModification: Math.max(...Object.values(j.status.timestamps)),
    tasks: counts(j) as JobOverviewData['tasks'],
  };
}

/** Flink's ExecutionJobVertex.getAggregateJobVertexState over the subtasks' states. */
export function aggregateVertexState(states: string[], parallelism: number): string {
  const has = (x: string) => states.includes(x);
  if (has('FAILED')) return 'FAILED';
  if (has('CANCELING')) return 'CANCELING';
  if (has('CANCELED')) return 'CANCELED';
  if (has('INITIALIZING')) return 'INITIALIZING';
  if (has('RUNNING')) return 'RUNNING';
  const finished = states.filter((x) => x === 'FINISHED').length;
  if (finished > 0) return finished === parallelism ? 'FINISHED' : 'RUNNING';
  if (has('DEPLOYING')) return 'DEPLOYING';
  if (has('SCHEDULED')) return 'SCHEDULED';
  return 'CREATED';
}

export function jobDetails(j: JobMaster): Record<string, unknown> {
  const now = platform.clock.nowMs();
  const vertices = j.sub.jobGraph.vertices.map((v) => {
    const subs = [...j.subtasks.values()].filter((s) => s.vertexId === v.id);
    const vc = counts(j, v.id);
    const finished = subs.length > 0 && subs.every((s) => s.state === 'FINISHED');
    const start = subs.length ? Math.min(...subs.map((s) => s.startTime)) : -1;
    const end = finished ? Math.max(...subs.map((s) => s.endTime)) : -1;
    return {
      id: v.id,
      name: v.name,
      maxParallelism: v.maxParallelism,
      parallelism: v.parallelism,
      status: aggregateVertexState(
        subs.map((s) => s.state),
        v.parallelism,
      ),
      'start-time': start,
      'end-time': end,
      duration: start < 0 ? -1 : (end > 0 ? end : now) - start,
      tasks: vc,
      // Records, bytes (data-plane frames) and accumulated times from each task's metrics.
      metrics: sumIoMetrics(subs.map((s) => ioMetrics(j.subtaskMetrics(s)))),
    };
  });
  return {
    jid: j.jobId,
    name: j.sub.jobName,
    isStoppable: false,
    state: j.status.status,
    'job-type': 'STREAMING',
    'start-time': j.startTime,
    'end-time': j.endTime,
    duration: (j.endTime > 0 ? j.endTime : now) - j.startTime,
    maxParallelism: Math.max(...j.sub.jobGraph.vertices.map((v) => v.maxParallelism)),
    now,
    timestamps: { ...j.status.timestamps },
    vertices,
    'status-counts': counts(j),
    plan: planJson(j.sub.jobGraph, j.jobId),
  };
}

export function jobExceptions(j: JobMaster, maxExceptions = 16): Record<string, unknown> {
  const entries = [...j.exceptions]
    .reverse()
    .slice(0, maxExceptions)
    .map((e) => ({ ...e, concurrentExceptions: [] }));
  const root = entries[0];
  return {
    'root-exception': root?.stacktrace ?? null,
    timestamp: root?.timestamp ?? null,
    'all-exceptions': [],
    truncated: j.exceptions.length > maxExceptions,
    exceptionHistory: { entries, truncated: j.exceptions.length > maxExceptions },
  };
}

export function taskManagerInfo(jm: JobManager, id: string): Record<string, unknown> | undefined {
  const w = jm.registry.workers.get(id);
  if (!w) return undefined;
  const free = w.slots.filter((s) => !s).length;
  // A worker's memory is its V8 heap limit, shared by its slots; the rest of Flink's budget has no Node
  // counterpart (no managed memory, no metaspace) and is 0. ResourceProfileInfo counts MiB.
  const heap = w.memory.heapLimitBytes;
  const res = (slots: number) => ({
    cpuCores: slots,
    taskHeapMemory: Math.floor((heap * slots) / Math.max(1, w.numSlots) / 1048576),
    taskOffHeapMemory: 0,
    managedMemory: 0,
    networkMemory: 0,
    extendedResources: {},
  });
  return {
    id: w.id,
    path: `sluice.tcp://${w.host}:${w.dataPort}/taskworker`,
    dataPort: w.dataPort,
    jmxPort: -1,
    timeSinceLastHeartbeat: w.lastHeartbeatMs,
    slotsNumber: w.numSlots,
    freeSlots: free,
    totalResource: res(w.numSlots),
    freeResource: res(free),
    hardware: {
      cpuCores: w.hardware.cpuCores,
      physicalMemory: w.hardware.physicalMemory,
      freeMemory: w.hardware.freeMemory,
      managedMemory: 0,
    },
    memoryConfiguration: {
      frameworkHeap: 0,
      taskHeap: heap,
      frameworkOffHeap: 0,
      taskOffHeap: 0,
      networkMemory: 0,
      managedMemory: 0,
      jvmMetaspace: 0,
      jvmOverhead: 0,
      totalFlinkMemory: heap,
      totalProcessMemory: heap,
    },
  };
}
