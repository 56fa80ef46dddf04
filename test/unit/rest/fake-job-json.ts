/**
 * The job-level answers of FakeFacade (fake-facade.ts): JOB ('model join', RUNNING, two vertices V1 → V2 of
 * parallelism 2), its plan, exceptions, configuration, vertices and subtasks, back pressure, accumulators,
 * served models and resource requirements. Invariants: `plan` is one object (the job details embed the one
 * the plan route serves); every other answer is built fresh per call. Whether an id is known is the fake's
 * decision, not these builders'.
 */
import { JOB, TM, V1, V2 } from './fake-facade-ids.js';

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

export const plan = {
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

export const jobsOverviewJson = () => [
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

export function jobDetailsJson() {
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

/** One failure in the history, cut to `maxExceptions` entries. */
export function jobExceptionsJson(maxExceptions: number) {
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
    exceptionHistory: { entries: [entry].slice(0, maxExceptions), truncated: false },
  };
}

export const jobExecutionResultJson = () => ({
  status: 'COMPLETED' as const,
  result: { jobId: JOB, applicationStatus: 'SUCCEEDED' as const, netRuntimeMs: 500 },
});

export const jobConfigJson = () => ({
  jid: JOB,
  name: 'model join',
  'execution-config': {
    'execution-mode': 'PIPELINED',
    'restart-strategy': 'none',
    'job-parallelism': 2,
    'object-reuse-mode': false,
    'user-config': {},
  },
});

/** A vertex with its two subtasks, each showing `metrics()` (the fake passes a vertex's job-details metrics). */
export function vertexDetailsJson<M>(vid: string, metrics: () => M) {
  const sub = (i: number) => ({
    subtask: i,
    status: 'RUNNING',
    attempt: 0,
    host: '127.0.0.1',
    'start-time': 1000,
    'end-time': -1,
    duration: 500,
    metrics: metrics(),
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

export function subtaskTimesJson(vid: string) {
  const sub = (i: number) => ({ subtask: i, host: '127.0.0.1', duration: 500, timestamps: { RUNNING: 1000 } });
  return { id: vid, name: 'KeyedCoProcess', now: 1500, subtasks: [sub(0), sub(1)] };
}

export const vertexTaskManagersJson = (vid: string) => ({
  id: vid,
  name: 'KeyedCoProcess',
  now: 1500,
  taskmanagers: [],
});

/** Subtask 0 barely back-pressured ('ok'), subtask 1 'high'. */
export function vertexBackPressureJson() {
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

export const vertexAccumulatorsJson = (vid: string) => ({
  id: vid,
  'user-accumulators': [{ name: 'op.seen', type: 'LongCounter', value: '12' }],
});

export const subtasksAccumulatorsJson = (vid: string) => ({ id: vid, parallelism: 2, subtasks: [] });

export const attemptAccumulatorsJson = (i: number, attempt: number) => ({
  subtask: i,
  attempt,
  id: 'x',
  'user-accumulators': [],
});

export const jobAccumulatorsJson = () => ({
  'job-accumulators': [],
  'user-task-accumulators': [],
  'serialized-user-task-accumulators': {},
});

/** Per-subtask operator metrics of a vertex, with watermarks of several subtasks (one at Long.MIN_VALUE). */
export const vertexMetricsJson = () => ({
  '0.numRecordsIn': 5,
  '1.numRecordsIn': 7,
  '10.currentInputWatermark': 99,
  '1.currentInputWatermark': 1700,
  '0.currentInputWatermark': -(2 ** 63),
});

export const jobModelsJson = () => [
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

export const resourceRequirementsJson = () => ({ [V1]: { parallelism: { lowerBound: 1, upperBound: 2 } } });
