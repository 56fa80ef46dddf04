/**
 * Progress lines while `sluice run` waits for a job (attached mode): every few seconds, records/s sent by the
 * sources, checkpoints completed, the model versions serving, and the uptime — read from the REST API, so
 * they show what any client would see. Errors while polling are ignored (the job may be ending).
 */
import { platform } from '../platform/index.js';
import type { RestClient } from './rest-client.js';

interface Vertex {
  name: string;
  metrics: Record<string, number | boolean>;
}

export function startJobProgress(
  client: RestClient,
  jobId: string,
  write: (line: string) => void,
  intervalMs = 5000,
): () => void {
  const startedMs = platform.clock.monotonicMs();
  let last: { records: number; atMs: number } | undefined;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const job = await client.call<{ state: string; vertices: Vertex[] }>('GET', `/jobs/${jobId}`);
      if (job.state !== 'RUNNING') return;
      const records = job.vertices
        .filter((v) => v.name.startsWith('Source'))
        .reduce((n, v) => n + Number(v.metrics['write-records'] ?? 0), 0);
      const now = platform.clock.monotonicMs();
      const rate = last && now > last.atMs ? ((records - last.records) * 1000) / (now - last.atMs) : undefined;
      last = { records, atMs: now };
      const cps = await client
        .call<{ counts: { completed: number } }>('GET', `/jobs/${jobId}/checkpoints`)
        .catch(() => undefined);
      const models = await client
        .call<{ models: Array<{ name: string; version: string; usage: number }> }>('GET', `/jobs/${jobId}/models`)
        .catch(() => undefined);
      const serving = [
        ...new Set((models?.models ?? []).filter((m) => m.usage > 0).map((m) => `${m.name}@${m.version}`)),
      ];
      const parts = [
        rate === undefined
          ? `${records} records from sources`
          : `${formatRate(rate)} records/s from sources (${records} total)`,
        `${cps?.counts.completed ?? 0} checkpoints completed`,
        ...(serving.length ? [`models serving: ${serving.slice(-3).join(', ')}`] : []),
        `running ${Math.round((now - startedMs) / 1000)} s`,
      ];
      write(`[progress] ${parts.join(' · ')}`);
    } catch {
      /* the job may be ending; the next tick or the final status tells */
    } finally {
      busy = false;
    }
  };
  const handle = platform.clock.setInterval(() => void tick(), intervalMs);
  return () => platform.clock.clear(handle);
}

function formatRate(r: number): string {
  return r >= 10_000 ? `${(r / 1000).toFixed(1)}k` : r.toFixed(0);
}
