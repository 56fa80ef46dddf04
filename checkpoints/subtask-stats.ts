/**
 * `GET /jobs/:id/checkpoints/details/:cid/subtasks/:vid` (Flink's `TaskCheckpointStatisticsWithSubtaskDetails`):
 * one vertex's statistics in one checkpoint, each subtask acknowledged (`completed`) or not yet / never
 * (`pending_or_failed`), and a summary over the acknowledged ones.
 *
 * sluice measures per subtask when it acknowledged, the bytes of state it wrote and the durations of the
 * synchronous and asynchronous parts of its snapshot (`checkpoint.sync` / `checkpoint.async`; -1 when a
 * subtask did not report them, e.g. one that had finished and stood in with its final state). It does not
 * time the alignment per subtask, so that duration is -1 ("not measured", Flink's value for missing figures),
 * and in-flight data is 0 (aligned barriers persist none).
 */
import type { Entry, TaskStats } from './stats-entry.js';
import { taskCheckpointJson } from './stats-json.js';
import { StatsSummary } from './stats-summary.js';

/** Statistics over `values`; all zeros when there are none (no NaN quantiles in the JSON). */
const summaryOf = (values: number[]) => {
  if (values.length === 0) return { min: 0, max: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0 };
  const s = new StatsSummary();
  for (const v of values) s.add(v);
  return s.toDto();
};

export function subtaskCheckpointDetails(
  e: Readonly<Entry>,
  t: Readonly<TaskStats>,
  unaligned: boolean,
): Record<string, unknown> {
  const subtasks: Record<string, unknown>[] = [];
  const done: Array<{ e2e: number; state: number; checkpointed: number; sync: number; async: number }> = [];
  for (let index = 0; index < t.numSubtasks; index++) {
    const s = t.acked.get(index);
    if (!s) {
      subtasks.push({ className: 'pending', index, status: 'pending_or_failed' });
      continue;
    }
    const e2e = Math.max(0, s.ackMs - e.triggerMs);
    done.push({ e2e, state: s.state_size, checkpointed: s.checkpointed_size, sync: s.syncMs, async: s.asyncMs });
    subtasks.push({
      className: 'completed',
      index,
      status: 'completed',
      ack_timestamp: s.ackMs,
      end_to_end_duration: e2e,
      checkpointed_size: s.checkpointed_size,
      state_size: s.state_size,
      checkpoint: { sync: s.syncMs, async: s.asyncMs },
      alignment: { buffered: 0, processed: 0, persisted: 0, duration: -1 },
      start_delay: -1,
      unaligned_checkpoint: unaligned,
      aborted: e.status === 'FAILED',
    });
  }
  const none = summaryOf([]);
  return {
    ...taskCheckpointJson(e, t),
    summary: {
      checkpointed_size: summaryOf(done.map((d) => d.checkpointed)),
      state_size: summaryOf(done.map((d) => d.state)),
      end_to_end_duration: summaryOf(done.map((d) => d.e2e)),
      checkpoint_duration: {
        sync: summaryOf(done.filter((d) => d.sync >= 0).map((d) => d.sync)),
        async: summaryOf(done.filter((d) => d.async >= 0).map((d) => d.async)),
      },
      alignment: { buffered: none, processed: none, persisted: none, duration: none },
      start_delay: none,
    },
    subtasks,
  };
}
