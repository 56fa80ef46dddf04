/**
 * Nexmark on sluice: each query (jobs/nexmark/job.ts, a discarding sink as Nexmark's blackhole) on a fresh
 * mini cluster with 1 worker at parallelism 1 and with 2 workers at parallelism 2. Throughput is events over
 * the time from RUNNING to the job's end; "per core" divides the events by the CPU seconds the worker processes
 * spent in that span (user + system, from /proc), as Nexmark's CPU collector measures the task managers. Flink's
 * published per-core figure is shown beside each row as a target, cited, not measured.
 */
import { readFileSync } from 'node:fs';
import type { BenchResult } from './harness.js';
import { runOnCluster } from './cluster-run.js';
import { FLINK_PUBLISHED_EVENTS_PER_CORE, FLINK_PUBLISHED_SOURCE } from './nexmark-published.js';

const CLK_TCK = 100; // Linux USER_HZ

function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
  } catch {
    return 0;
  }
}

export interface NexmarkRun {
  query: string;
  workers: number;
  eventsPerSecond: number;
  eventsPerCoreSecond: number;
  cores: number;
}

export async function nexmarkQuery(query: string, events: number, workers: number): Promise<NexmarkRun> {
  let t0 = 0;
  let cpu0 = 0;
  const run = await runOnCluster({
    job: 'jobs/nexmark/job.ts',
    args: [query, String(events)],
    workers,
    parallelism: workers,
    during: async ({ mini }) => {
      t0 = performance.now();
      cpu0 = mini.workers.reduce((s, w) => s + cpuSeconds(w.child.pid), 0);
    },
    after: async ({ mini }) => ({
      seconds: (performance.now() - t0) / 1000,
      cpu: mini.workers.reduce((s, w) => s + cpuSeconds(w.child.pid), 0) - cpu0,
    }),
  });
  if (run.status !== 'FINISHED') throw new Error(`Nexmark ${query} ended ${run.status}`);
  const { seconds, cpu } = run.after as { seconds: number; cpu: number };
  return {
    query,
    workers,
    eventsPerSecond: events / seconds,
    eventsPerCoreSecond: events / Math.max(cpu, 1e-3),
    cores: cpu / seconds,
  };
}

export const NEXMARK_FOOTNOTE = `¹ ${FLINK_PUBLISHED_SOURCE}; cited for comparison, not measured here. Targets: q0 ≥ 1 M events/s per core, the others ≥ Flink's published figure.`;

export async function nexmarkBench(
  queries: readonly string[],
  events: number,
  step: (s: string) => void,
): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const q of queries) {
    for (const workers of [1, 2]) {
      step(`Nexmark ${q}, ${workers} worker(s), ${events.toLocaleString('en-US')} events`);
      const r = await nexmarkQuery(q, events, workers);
      const flink = FLINK_PUBLISHED_EVENTS_PER_CORE[q];
      const target = q === 'q0' ? Math.max(1_000_000, flink ?? 0) : flink;
      results.push({
        name: `Nexmark ${q}, ${workers} worker${workers > 1 ? 's' : ''} (p = ${workers}): events/s per core`,
        value: r.eventsPerCoreSecond,
        unit: 'events/s/core',
        ...(target ? { target: { op: '>=' as const, value: target } } : {}),
        note: `${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s on ${r.cores.toFixed(2)} cores; Flink published ${flink ? flink.toLocaleString('en-US') : '–'}/core¹`,
      });
    }
  }
  return results;
}
