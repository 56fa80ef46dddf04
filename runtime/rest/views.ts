/**
 * Renders facade data in Flink's exact JSON: key order and case (lower-case task states in overviews),
 * zero `*-blocked` fields omitted, metric values as strings in bare arrays, async results with
 * `status.id` and `operation`, failures as `failure-cause`. docs/flink-notes.md §1.3–1.4.
 */
import type {
  ClusterOverviewData,
  ExecutionResultData,
  FailureCause,
  JobOverviewData,
  TaskManagerData,
  CheckpointOperation,
  SavepointOperation,
} from './cluster-facade.js';

export const FLINK_VERSION = '1.19.1';
export const FLINK_COMMIT = 'sluice-0.1.0';
export const EXECUTION_STATES = [
  'CREATED',
  'SCHEDULED',
  'DEPLOYING',
  'RUNNING',
  'FINISHED',
  'CANCELING',
  'CANCELED',
  'FAILED',
  'RECONCILING',
  'INITIALIZING',
] as const;

export function overviewJson(d: ClusterOverviewData): Record<string, unknown> {
  const o: Record<string, unknown> = { taskmanagers: d.taskManagers };
  if (d.taskManagersBlocked) o['taskmanagers-blocked'] = d.taskManagersBlocked;
  o['slots-total'] = d.slotsTotal;
  o['slots-available'] = d.slotsAvailable;
  if (d.slotsFreeAndBlocked) o['slots-free-and-blocked'] = d.slotsFreeAndBlocked;
  Object.assign(o, {
    'jobs-running': d.jobsRunning,
    'jobs-finished': d.jobsFinished,
    'jobs-cancelled': d.jobsCancelled,
    'jobs-failed': d.jobsFailed,
    'flink-version': FLINK_VERSION,
    'flink-commit': FLINK_COMMIT,
  });
  return o;
}

export function taskManagerJson(t: TaskManagerData): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: t.id,
    path: t.path,
    dataPort: t.dataPort,
    jmxPort: t.jmxPort,
    timeSinceLastHeartbeat: t.timeSinceLastHeartbeat,
    slotsNumber: t.slotsNumber,
    freeSlots: t.freeSlots,
    totalResource: t.totalResource,
    freeResource: t.freeResource,
    hardware: t.hardware,
    memoryConfiguration: t.memoryConfiguration,
  };
  if (t.blocked !== undefined) o.blocked = t.blocked;
  return o;
}

function taskCounts(tasks: Partial<Record<string, number>>, upper: boolean): Record<string, number> {
  const byUpper = new Map(Object.entries(tasks).map(([k, v]) => [k.toUpperCase(), v ?? 0]));
  return Object.fromEntries(EXECUTION_STATES.map((s) => [upper ? s : s.toLowerCase(), byUpper.get(s) ?? 0]));
}

export function jobOverviewJson(j: JobOverviewData): Record<string, unknown> {
  const counts = taskCounts(j.tasks, false);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const o: Record<string, unknown> = {
    jid: j.jid,
    name: j.name,
    state: j.state,
    'start-time': j.startTime,
    'end-time': j.endTime,
    duration: j.duration,
    'last-modification': j.lastModification,
    tasks: { total, ...counts },
  };
  if (j.pendingOperators !== undefined) o['pending-operators'] = j.pendingOperators;
  return o;
}

export function failureCauseJson(f: FailureCause): Record<string, unknown> {
  const stack = f.stackTrace ?? `${f.className}: ${f.message}`;
  return {
    class: f.className,
    'stack-trace': stack,
    'serialized-throwable': Buffer.from(JSON.stringify({ class: f.className, message: f.message }), 'utf8').toString(
      'base64',
    ),
    message: f.message,
  };
}

export function savepointResultJson(op: SavepointOperation): Record<string, unknown> {
  if (op.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' }, operation: null };
  return {
    status: { id: 'COMPLETED' },
    operation: op.failure ? { 'failure-cause': failureCauseJson(op.failure) } : { location: op.location ?? null },
  };
}

export function checkpointResultJson(op: CheckpointOperation): Record<string, unknown> {
  if (op.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' }, operation: null };
  return {
    status: { id: 'COMPLETED' },
    operation: op.failure ? { failureCause: failureCauseJson(op.failure) } : { checkpointId: op.checkpointId ?? null },
  };
}

/** Flink's `JobResultSerializer` names (the server's, not the spec's camelCase `JobResult`). */
export function executionResultJson(r: ExecutionResultData): Record<string, unknown> {
  if (r.status === 'IN_PROGRESS') return { status: { id: 'IN_PROGRESS' } };
  const res: Record<string, unknown> = {
    id: r.result.jobId,
    'application-status': r.result.applicationStatus,
    'accumulator-results': r.result.accumulatorResults ?? {},
    'net-runtime': r.result.netRuntimeMs,
  };
  if (r.result.failure) res['failure-cause'] = failureCauseJson(r.result.failure);
  return { status: { id: 'COMPLETED' }, 'job-execution-result': res };
}

/** A metric value as Flink prints it; Long.MIN/MAX sentinels (watermarks) keep their exact digits. */
export function metricValueString(v: number | string): string {
  if (typeof v === 'number') {
    if (v <= -(2 ** 63)) return '-9223372036854775808';
    if (v >= 2 ** 63) return '9223372036854775807';
  }
  return String(v);
}

/** Without `get`: the metric ids. With `get`: the requested metrics that exist, values as strings. */
export function metricsJson(all: Record<string, number | string>, get: string[]): Record<string, string>[] {
  if (get.length === 0)
    return Object.keys(all)
      .sort()
      .map((id) => ({ id }));
  return get
    .filter((id) => all[id] !== undefined && all[id] !== null)
    .map((id) => ({ id, value: metricValueString(all[id]!) }));
}

export const AGGREGATIONS = ['min', 'max', 'avg', 'sum'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Aggregates numeric metrics over several entities: `[{id, min, max, avg, sum}]` (only requested aggs). */
export function aggregatedMetricsJson(
  perEntity: Record<string, number | string>[],
  get: string[],
  aggs: Aggregation[],
): Record<string, unknown>[] {
  const ids = get.length > 0 ? get : [...new Set(perEntity.flatMap((m) => Object.keys(m)))].sort();
  if (get.length === 0) return ids.map((id) => ({ id }));
  const out: Record<string, unknown>[] = [];
  for (const id of ids) {
    const vals = perEntity
      .map((m) => Number(m[id]))
      .filter((v, i) => perEntity[i]![id] !== undefined && Number.isFinite(v));
    if (vals.length === 0) continue;
    const sum = vals.reduce((a, b) => a + b, 0);
    const all: Record<Aggregation, number> = {
      min: Math.min(...vals),
      max: Math.max(...vals),
      avg: sum / vals.length,
      sum,
    };
    const o: Record<string, unknown> = { id };
    for (const a of AGGREGATIONS) if (aggs.includes(a)) o[a] = all[a];
    out.push(o);
  }
  return out;
}
