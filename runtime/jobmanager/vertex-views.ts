/**
 * Job vertex views in Flink's shapes (docs/flink-notes.md §1): `/jobs/:id/vertices/:vid` with per-subtask
 * IO metrics, state durations and the aggregated statistics, `/subtasks/:i[/attempts/:n]`, `/subtasktimes`,
 * `/taskmanagers` (executions grouped by worker), `/backpressure` (from each task's back-pressured, busy and
 * idle time per second, in Flink's levels) and the user accumulators (counters user functions register).
 *
 * Invariants: every function returns undefined for a vertex the job does not have (→ 404); the subtasks are
 * those of the current attempt, in subtask order; earlier attempts come from the job master's archive.
 */
import { platform } from '../platform/index.js';
import { taskKey } from '../api/task-key.js';
import type { JobMaster, SubtaskInfo } from './job-master.js';
import { aggregateVertexState } from './rest-views.js';
import { aggregatedDetails, attemptDetails, ioMetrics, sumIoMetrics } from './subtask-views.js';

function vertexOf(j: JobMaster, vid: string) {
  return j.sub.jobGraph.vertices.find((v) => v.id === vid);
}

function subtasksOf(j: JobMaster, vid: string): SubtaskInfo[] {
  return [...j.subtasks.values()].filter((s) => s.vertexId === vid).sort((a, b) => a.subtaskIndex - b.subtaskIndex);
}

/** `JobVertexDetailsInfo`. */
export function vertexDetails(j: JobMaster, vid: string): Record<string, unknown> | undefined {
  const v = vertexOf(j, vid);
  if (!v) return undefined;
  const now = platform.clock.nowMs();
  const subs = subtasksOf(j, vid);
  return {
    id: vid,
    name: v.name,
    parallelism: v.parallelism,
    maxParallelism: v.maxParallelism,
    now,
    subtasks: subs.map((s) => attemptDetails(j, s, now)),
    aggregated: aggregatedDetails(j, subs, now),
  };
}

/** One execution of subtask `index`: the current one, or attempt `attempt` (current or archived). */
export function subtaskAttempt(
  j: JobMaster,
  vid: string,
  index: number,
  attempt?: number,
): Record<string, unknown> | undefined {
  if (!vertexOf(j, vid)) return undefined;
  const current = j.subtasks.get(taskKey(vid, index));
  if (attempt === undefined || current?.attempt === attempt) return current ? attemptDetails(j, current) : undefined;
  const old = j.priorAttempts.get(taskKey(vid, index))?.find((s) => s.attempt === attempt);
  return old ? attemptDetails(j, old) : undefined;
}

/** `SubtasksTimesInfo`: when each subtask entered each state. */
export function subtaskTimes(j: JobMaster, vid: string): Record<string, unknown> | undefined {
  const v = vertexOf(j, vid);
  if (!v) return undefined;
  const now = platform.clock.nowMs();
  return {
    id: vid,
    name: v.name,
    now,
    subtasks: subtasksOf(j, vid).map((s) => ({
      subtask: s.subtaskIndex,
      host: s.endpoint.replace(/:\d+$/, ''),
      endpoint: s.endpoint,
      duration: Math.max(0, (s.endTime > 0 ? s.endTime : now) - s.startTime),
      timestamps: { ...s.timestamps },
    })),
  };
}

/** `JobVertexTaskManagersInfo`: the vertex's executions grouped by the worker they run on. */
export function vertexTaskManagers(j: JobMaster, vid: string): Record<string, unknown> | undefined {
  const v = vertexOf(j, vid);
  if (!v) return undefined;
  const now = platform.clock.nowMs();
  const byWorker = new Map<string, SubtaskInfo[]>();
  for (const s of subtasksOf(j, vid)) byWorker.set(s.workerId, [...(byWorker.get(s.workerId) ?? []), s]);
  const taskmanagers = [...byWorker.entries()].map(([workerId, subs]) => {
    const start = Math.min(...subs.map((s) => s.startTime));
    const ended = subs.every((s) => s.endTime > 0);
    const end = ended ? Math.max(...subs.map((s) => s.endTime)) : -1;
    const counts: Record<string, number> = {};
    for (const s of subs) counts[s.state] = (counts[s.state] ?? 0) + 1;
    return {
      endpoint: subs[0]!.endpoint,
      host: subs[0]!.endpoint.replace(/:\d+$/, ''),
      status: aggregateVertexState(
        subs.map((s) => s.state),
        subs.length,
      ),
      'start-time': start,
      'end-time': end,
      duration: Math.max(0, (end > 0 ? end : now) - start),
      metrics: sumIoMetrics(subs.map((s) => ioMetrics(j.subtaskMetrics(s)))),
      'status-counts': counts,
      'taskmanager-id': workerId,
      aggregated: aggregatedDetails(j, subs, now),
    };
  });
  return { id: vid, name: v.name, now, taskmanagers };
}

/** Flink's back-pressure levels of a ratio of time back-pressured: ≤ 10 % ok, ≤ 50 % low, above high. */
export function backPressureLevel(ratio: number): 'ok' | 'low' | 'high' {
  return ratio <= 0.1 ? 'ok' : ratio <= 0.5 ? 'low' : 'high';
}

/**
 * `JobVertexBackPressureInfo` from the tasks' time metrics (Flink ≥ 1.13 derives it the same way, no stack
 * sampling); `{"status":"deprecated"}` until every subtask has reported them, as Flink answers.
 */
export function vertexBackPressure(j: JobMaster, vid: string): Record<string, unknown> | undefined {
  if (!vertexOf(j, vid)) return undefined;
  const subs = subtasksOf(j, vid).map((s) => ({ s, m: j.subtaskMetrics(s) }));
  const ready = subs.length > 0 && subs.every(({ m }) => typeof m.backPressuredTimeMsPerSecond === 'number');
  if (!ready) return { status: 'deprecated' };
  const ratio = (m: Record<string, number | string>, k: string) => Math.min(1, Math.max(0, Number(m[k] ?? 0) / 1000));
  const subtasks = subs.map(({ s, m }) => {
    const r = ratio(m, 'backPressuredTimeMsPerSecond');
    return {
      subtask: s.subtaskIndex,
      'attempt-number': s.attempt,
      backpressureLevel: backPressureLevel(r),
      ratio: r,
      idleRatio: ratio(m, 'idleTimeMsPerSecond'),
      busyRatio: ratio(m, 'busyTimeMsPerSecond'),
    };
  });
  const max = Math.max(...subtasks.map((x) => x.ratio));
  return {
    status: 'ok',
    backpressureLevel: backPressureLevel(max),
    'end-timestamp': platform.clock.nowMs(),
    subtasks,
  };
}

/** Flink's `UserAccumulator` rows: `{name, type, value}` with the value as a string. */
export function userAccumulators(acc: Record<string, number>): Array<{ name: string; type: string; value: string }> {
  return Object.keys(acc)
    .sort()
    .map((name) => ({ name, type: 'LongCounter', value: String(acc[name]) }));
}

/** `JobVertexAccumulatorsInfo`: each user counter summed over the vertex's subtasks. */
export function vertexAccumulators(j: JobMaster, vid: string): Record<string, unknown> | undefined {
  if (!vertexOf(j, vid)) return undefined;
  const total: Record<string, number> = {};
  for (const s of subtasksOf(j, vid))
    for (const [k, n] of Object.entries(j.subtaskAccumulators(s))) total[k] = (total[k] ?? 0) + n;
  return { id: vid, 'user-accumulators': userAccumulators(total) };
}

/** `SubtasksAllAccumulatorsInfo`. */
export function subtasksAccumulators(j: JobMaster, vid: string): Record<string, unknown> | undefined {
  const v = vertexOf(j, vid);
  if (!v) return undefined;
  return {
    id: vid,
    parallelism: v.parallelism,
    subtasks: subtasksOf(j, vid).map((s) => ({
      subtask: s.subtaskIndex,
      attempt: s.attempt,
      endpoint: s.endpoint,
      host: s.endpoint.replace(/:\d+$/, ''),
      'user-accumulators': userAccumulators(j.subtaskAccumulators(s)),
    })),
  };
}

/** `SubtaskExecutionAttemptAccumulatorsInfo` of the current or an archived attempt. */
export function attemptAccumulators(
  j: JobMaster,
  vid: string,
  index: number,
  attempt: number,
): Record<string, unknown> | undefined {
  if (!vertexOf(j, vid)) return undefined;
  const current = j.subtasks.get(taskKey(vid, index));
  const st =
    current?.attempt === attempt
      ? current
      : j.priorAttempts.get(taskKey(vid, index))?.find((s) => s.attempt === attempt);
  if (!st) return undefined;
  return {
    subtask: index,
    attempt,
    id: `${j.jobId}_${vid}_${index}_${attempt}`,
    'user-accumulators': userAccumulators(j.subtaskAccumulators(st)),
  };
}

/** `/jobs/:id/accumulators`: user counters summed per name over the whole job (`UserTaskAccumulator`). */
export function jobAccumulators(j: JobMaster): Record<string, unknown> {
  const total: Record<string, number> = {};
  for (const s of j.subtasks.values())
    for (const [k, n] of Object.entries(j.subtaskAccumulators(s))) total[k] = (total[k] ?? 0) + n;
  return {
    'job-accumulators': [],
    'user-task-accumulators': userAccumulators(total),
    'serialized-user-task-accumulators': {},
  };
}
