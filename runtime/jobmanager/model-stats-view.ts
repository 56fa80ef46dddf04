/**
 * `/jobs/:id/models`: the model-serving statistics the serving operators publish as the `modelStats` gauge
 * (a JSON ServingStats snapshot per subtask), collected from the task workers' latest heartbeats and
 * returned one row per (vertex, subtask, model) in the ModelStatsData shape. Rejected descriptors ride
 * along on each row of their subtask (`rejected`, bounded by the operator).
 *
 * Invariant: only metrics of this job's vertices are read (metric names start with the vertex id).
 */
import type { ModelStatsData } from '../rest/cluster-facade.js';

interface Snapshot {
  models: Array<{
    name: string;
    version: string;
    sha256: string;
    modelType: string;
    backend: string;
    sinceMs: number;
    usage: number;
    batches: number;
    failures: number;
    wins: number;
    durationMs: { total: number; min: number; max: number; mean: number; p50: number; p95: number; p99: number };
    batchSize: { min: number; max: number; avg: number };
    batchSizes: Record<string, number>;
  }>;
  rejected: Array<{ name: string; version: string; code: string; reason: string; atMs: number }>;
  rejectedTotal: number;
}

export function jobModelStats(vertexIds: string[], workers: Iterable<{ id: string; metrics: Record<string, number | string> }>): ModelStatsData[] {
  const rows: ModelStatsData[] = [];
  for (const w of workers) {
    for (const [name, value] of Object.entries(w.metrics)) {
      if (!name.endsWith('.modelStats') || typeof value !== 'string') continue;
      const [vertexId, subtask, ...rest] = name.split('.');
      if (!vertexIds.includes(vertexId!)) continue;
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
          durationMs: { total: m.durationMs.total, min: m.durationMs.min, max: m.durationMs.max, p50: m.durationMs.p50, p95: m.durationMs.p95, p99: m.durationMs.p99 },
          batchSize: m.batchSize,
          modelType: m.modelType,
          backend: m.backend,
          batches: m.batches,
          wins: m.wins,
          batchSizes: m.batchSizes,
          vertexId,
          subtask: Number(subtask),
          operator: rest.slice(0, -1).join('.'),
          taskManagerId: w.id,
          rejected: snap.rejected,
          rejectedTotal: snap.rejectedTotal,
        });
      }
    }
  }
  return rows.sort((a, b) => `${a.vertexId}.${a.subtask}.${a.name}@${a.version}`.localeCompare(`${b.vertexId}.${b.subtask}.${b.name}@${b.version}`));
}
