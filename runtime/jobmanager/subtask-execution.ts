/**
 * One subtask execution as the job master tracks it (`SubtaskInfo`: where it runs, its state and when it
 * entered each one), its metrics and user counters — live from its worker's last heartbeat, or as it ended —
 * and the executions of earlier attempts, kept frozen for `/subtasks/:i/attempts/:n`.
 *
 * Invariants: an ended execution (or one of an earlier attempt) reports the values it ended with, never a
 * newer attempt's live ones; at most MAX_PRIOR_ATTEMPTS earlier executions are kept per subtask (the newest).
 */
import type { TaskKey } from '../api/task-key.js';
import type { TaskState } from '../task/stream-task.js';
import type { WorkerRegistry } from './worker-registry.js';

export interface SubtaskInfo {
  vertexId: string;
  subtaskIndex: number;
  workerId: string;
  /** `host:dataPort` of the worker it runs on (kept after the worker is gone). */
  endpoint: string;
  state: TaskState | 'SCHEDULED' | 'DEPLOYING';
  startTime: number;
  endTime: number;
  /** The job attempt this execution belongs to (Flink's attempt number of the subtask). */
  attempt: number;
  /** Epoch ms at which the execution first entered each state (Flink's `status-duration`, `subtasktimes`). */
  timestamps: Partial<Record<string, number>>;
  /** The task's metric values when it ended (its worker drops them then). */
  finalMetrics?: Record<string, number | string>;
  /** Its user counters when it ended. */
  finalAccumulators?: Record<string, number>;
}

/** Earlier executions kept per subtask for `/subtasks/:i/attempts/:n` (the newest ones). */
const MAX_PRIOR_ATTEMPTS = 8;

/** Whether a subtask execution has ended (FINISHED, CANCELED or FAILED). */
export function isTerminalTask(s: SubtaskInfo['state']): boolean {
  return s === 'FINISHED' || s === 'CANCELED' || s === 'FAILED';
}

/** A subtask's user counters: live from its worker's last heartbeat, or as it ended. */
export function executionAccumulators(
  st: SubtaskInfo,
  currentAttempt: number,
  registry: Pick<WorkerRegistry, 'workers'>,
): Record<string, number> {
  if (st.finalAccumulators && isTerminalTask(st.state)) return { ...st.finalAccumulators };
  const prefix = `${st.vertexId}.${st.subtaskIndex}.`;
  const live = st.attempt === currentAttempt ? registry.workers.get(st.workerId)?.accumulators : undefined;
  const out: Record<string, number> = {};
  if (live) for (const [k, v] of Object.entries(live)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return Object.keys(out).length ? out : { ...(st.finalAccumulators ?? {}) };
}

/** A subtask's metrics (Flink names, unprefixed): live from its worker's last heartbeat, or as it ended. */
export function executionMetrics(
  st: SubtaskInfo,
  currentAttempt: number,
  registry: Pick<WorkerRegistry, 'workers'>,
): Record<string, number | string> {
  if (st.finalMetrics && (isTerminalTask(st.state) || st.attempt !== currentAttempt)) return { ...st.finalMetrics };
  const prefix = `${st.vertexId}.${st.subtaskIndex}.`;
  const live = registry.workers.get(st.workerId)?.metrics;
  const out: Record<string, number | string> = {};
  if (live) for (const [k, v] of Object.entries(live)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return Object.keys(out).length ? out : { ...(st.finalMetrics ?? {}) };
}

/**
 * Keeps the current executions (`current`, of attempt `currentAttempt`), frozen with their last metrics and
 * user counters, in `prior` before a new attempt replaces them.
 */
export function archiveExecutions(
  current: ReadonlyMap<TaskKey, SubtaskInfo>,
  prior: Map<TaskKey, SubtaskInfo[]>,
  currentAttempt: number,
  registry: Pick<WorkerRegistry, 'workers'>,
): void {
  for (const [k, st] of current) {
    const frozen: SubtaskInfo = {
      ...st,
      timestamps: { ...st.timestamps },
      finalMetrics: executionMetrics(st, currentAttempt, registry),
      finalAccumulators: executionAccumulators(st, currentAttempt, registry),
    };
    const list = [...(prior.get(k) ?? []), frozen].slice(-MAX_PRIOR_ATTEMPTS);
    prior.set(k, list);
  }
}
