/**
 * Per-execution views in Flink's shapes, built from one subtask's record on the job master: `IOMetricsInfo`
 * (records, bytes and accumulated times from the task's metrics), `status-duration` (time spent in each
 * execution state), `SubtaskExecutionAttemptDetailsInfo`, and statistics over several subtasks (Flink's
 * `AggregatedTaskDetailsInfo`: min, max, avg, sum, median, p25, p75).
 *
 * Invariants: a number a task never reported is 0 with its `*-complete` flag false; a state an execution
 * never entered has duration -1 (Flink's convention for "not reached"); durations never go negative.
 */
import { platform } from '../platform/index.js';
import type { JobMaster, SubtaskInfo } from './job-master.js';

/** The states Flink's `status-duration` reports, in order. */
const DURATION_STATES = ['CREATED', 'SCHEDULED', 'DEPLOYING', 'INITIALIZING', 'RUNNING'] as const;
const END_STATES = ['FINISHED', 'CANCELED', 'FAILED'] as const;

export type IoMetricsJson = {
  'read-bytes': number;
  'read-bytes-complete': boolean;
  'write-bytes': number;
  'write-bytes-complete': boolean;
  'read-records': number;
  'read-records-complete': boolean;
  'write-records': number;
  'write-records-complete': boolean;
  'accumulated-backpressured-time': number;
  'accumulated-idle-time': number;
  'accumulated-busy-time': number;
};

const num = (m: Record<string, number | string>, k: string) => (typeof m[k] === 'number' ? (m[k] as number) : 0);
const has = (m: Record<string, number | string>, k: string) => typeof m[k] === 'number';

/** Flink's IOMetricsInfo of one task from its metrics (numBytesIn/Out count the data plane's frames). */
export function ioMetrics(m: Record<string, number | string>): IoMetricsJson {
  return {
    'read-bytes': num(m, 'numBytesIn'),
    'read-bytes-complete': has(m, 'numBytesIn'),
    'write-bytes': num(m, 'numBytesOut'),
    'write-bytes-complete': has(m, 'numBytesOut'),
    'read-records': num(m, 'numRecordsIn'),
    'read-records-complete': has(m, 'numRecordsIn'),
    'write-records': num(m, 'numRecordsOut'),
    'write-records-complete': has(m, 'numRecordsOut'),
    'accumulated-backpressured-time': num(m, 'accumulatedBackPressuredTime'),
    'accumulated-idle-time': num(m, 'accumulatedIdleTime'),
    'accumulated-busy-time': num(m, 'accumulatedBusyTime'),
  };
}

/** Sums IOMetricsInfo over tasks; a flag is complete only when every task's is. */
export function sumIoMetrics(list: IoMetricsJson[]): IoMetricsJson {
  const out = ioMetrics({});
  for (const k of Object.keys(out) as Array<keyof IoMetricsJson>)
    (out as Record<string, number | boolean>)[k] = k.endsWith('-complete')
      ? list.every((x) => x[k])
      : list.reduce((n, x) => n + (x[k] as number), 0);
  return out;
}

/** Time the execution spent in each state (ms); -1 for a state it never entered. */
export function statusDuration(st: SubtaskInfo, nowMs = platform.clock.nowMs()): Record<string, number> {
  const ts = st.timestamps;
  const out: Record<string, number> = {};
  const later = [...DURATION_STATES, ...END_STATES];
  DURATION_STATES.forEach((s, i) => {
    const start = ts[s];
    if (start === undefined) return void (out[s] = -1);
    const next = later.slice(i + 1).find((x) => ts[x] !== undefined);
    out[s] = Math.max(0, (next !== undefined ? ts[next]! : nowMs) - start);
  });
  return out;
}

/** `SubtaskExecutionAttemptDetailsInfo` (Flink sends the deprecated `host` next to `endpoint`). */
export function attemptDetails(j: JobMaster, st: SubtaskInfo, nowMs = platform.clock.nowMs()): Record<string, unknown> {
  const end = st.endTime > 0 ? st.endTime : -1;
  return {
    subtask: st.subtaskIndex,
    status: st.state,
    attempt: st.attempt,
    endpoint: st.endpoint,
    host: st.endpoint.replace(/:\d+$/, ''),
    'start-time': st.startTime,
    'end-time': end,
    duration: Math.max(0, (end > 0 ? end : nowMs) - st.startTime),
    metrics: ioMetrics(j.subtaskMetrics(st)),
    'taskmanager-id': st.workerId,
    'status-duration': statusDuration(st, nowMs),
  };
}

/** Flink's StatsSummary fields over `values` (nearest-rank quantiles, integers rounded). */
export function stats(values: number[]): Record<string, number> {
  if (values.length === 0) return { min: 0, max: 0, avg: 0, sum: 0, median: 0, p25: 0, p75: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    avg: Math.round(sum / sorted.length),
    sum,
    median: q(0.5),
    p25: q(0.25),
    p75: q(0.75),
  };
}

/** `AggregatedTaskDetailsInfo` over executions: IO metrics and state durations, each as statistics. */
export function aggregatedDetails(j: JobMaster, subs: SubtaskInfo[], nowMs = platform.clock.nowMs()) {
  const io = subs.map((s) => ioMetrics(j.subtaskMetrics(s)));
  const durations = subs.map((s) => statusDuration(s, nowMs));
  const metricKeys = Object.keys(ioMetrics({})).filter((k) => !k.endsWith('-complete')) as Array<keyof IoMetricsJson>;
  return {
    metrics: Object.fromEntries(metricKeys.map((k) => [k, stats(io.map((x) => x[k] as number))])),
    'status-duration': Object.fromEntries(
      DURATION_STATES.map((s) => [s, stats(durations.map((d) => d[s]!).filter((x) => x >= 0))]),
    ),
  };
}
