/**
 * `/jobs/:id/models`: the model-serving statistics the serving operators publish as the `modelStats` gauge
 * (a JSON ServingStats snapshot per subtask), read through each subtask's metrics — live from its worker's
 * latest heartbeat, or as the task ended — and returned one row per (vertex, subtask, model) in the
 * ModelStatsData shape. Rejected descriptors ride along on each row of their subtask (`rejected`).
 *
 * Invariant: only this job's subtasks are read.
 */
import type { ModelStatsData } from '../rest/cluster-facade.js';
import type { ServingStats } from '../../operators/ml/stats.js';

/** What the `modelStats` gauge carries: ServingStats.snapshot() as JSON. */
type Snapshot = ReturnType<ServingStats['snapshot']>;

export interface SubtaskMetricsSource {
  vertexId: string;
  subtaskIndex: number;
  workerId: string;
  /** Unprefixed metric names (`<operator uid>.modelStats`). */
  metrics: Record<string, number | string>;
}

export function jobModelStats(subtasks: Iterable<SubtaskMetricsSource>): ModelStatsData[] {
  const rows: ModelStatsData[] = [];
  for (const st of subtasks) {
    for (const [name, value] of Object.entries(st.metrics)) {
      if (!name.endsWith('.modelStats') || typeof value !== 'string') continue;
      const vertexId = st.vertexId;
      const subtask = st.subtaskIndex;
      const rest = name.split('.');
      let snap: Snapshot;
      try {
        snap = JSON.parse(value) as Snapshot;
      } catch {
        continue; // a torn or foreign value is not worth failing the request for
      }
      for (const m of snap.models) {
        rows.push({
          name: m.name,
          version: m.version,
          sha256: m.sha256,
          since: m.sinceMs,
          usage: m.usage,
          failures: m.failures,
          durationMs: {
            total: m.durationMs.total,
            min: m.durationMs.min,
            max: m.durationMs.max,
            p50: m.durationMs.p50,
            p95: m.durationMs.p95,
            p99: m.durationMs.p99,
          },
          batchSize: m.batchSize,
          modelType: m.modelType,
          backend: m.backend,
          batches: m.batches,
          wins: m.wins,
          batchSizes: m.batchSizes,
          vertexId,
          subtask: Number(subtask),
          operator: rest.slice(0, -1).join('.'),
          taskManagerId: st.workerId,
          rejected: snap.rejected,
          rejectedTotal: snap.rejectedTotal,
        });
      }
    }
  }
  return rows.sort((a, b) =>
    `${a.vertexId}.${a.subtask}.${a.name}@${a.version}`.localeCompare(
      `${b.vertexId}.${b.subtask}.${b.name}@${b.version}`,
    ),
  );
}
