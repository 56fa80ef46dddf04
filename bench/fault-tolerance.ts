/**
 * Fault-tolerance benchmarks on mini clusters: the keyed-count job over many
 * keys with checkpointing off and on (throughput ratio, checkpoint duration and size, worker memory), and
 * recovery — output gap after SIGKILL of a worker under load, and the downtime of a savepoint-based
 * rescale 2 → 3. Output progress comes from the job's sink, which appends a wall-clock mark every N records.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleJob } from '../runtime/bundle/job-bundle.js';
import { MiniCluster } from '../runtime/cli/mini-cluster.js';
import { RestClient } from '../runtime/cli/rest-client.js';
import { runOnCluster } from './cluster-run.js';

const JOB = 'bench/jobs/state-job.ts';

/** Each subtask's output marks (wall-clock ms), from the progress files of `dir`. */
export function marks(dir: string): number[][] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('progress-'))
    .map((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map(Number));
}

/** Quantile q of the intervals (ms) between consecutive marks of each subtask: how long output stalled. */
function markGapQuantileMs(dir: string, q: number): number {
  const gaps = marks(dir)
    .flatMap((m) => m.slice(1).map((t, i) => t - m[i]!))
    .sort((a, b) => a - b);
  return gaps.length ? gaps[Math.min(gaps.length - 1, Math.floor(q * gaps.length))]! : NaN;
}

/** records/s from the marks: per subtask (marks − 1) × every / (last − first), summed. */
function throughputFromMarks(dir: string, every: number): number {
  return marks(dir).reduce(
    (sum, m) => (m.length > 1 ? sum + ((m.length - 1) * every * 1000) / (m[m.length - 1]! - m[0]!) : sum),
    0,
  );
}

export interface CheckpointCost {
  offRecordsPerSecond: number;
  onRecordsPerSecond: number;
  lastCheckpointDurationMs: number;
  lastCheckpointSizeBytes: number;
  completedCheckpoints: number;
  workerRssMb: number;
  /** Records between two output marks of one subtask. */
  recordsPerMark: number;
  /** p99 and largest interval between output marks, without and with checkpoints (ms). */
  offGapP99Ms: number;
  onGapP99Ms: number;
  onGapMaxMs: number;
  /** Largest synchronous / asynchronous part of any subtask in the last completed checkpoint (ms). */
  lastSyncMaxMs: number;
  lastAsyncMaxMs: number;
}

interface CheckpointsOverview {
  counts: { completed: number };
  latest: { completed: CheckpointSummary | null };
  history: Array<CheckpointSummary & { status: string }>;
}

interface CheckpointSummary {
  id: number;
  end_to_end_duration: number;
  state_size: number;
}

/** Largest sync and async duration over the subtasks of every vertex in checkpoint `id`. */
async function partDurations(client: RestClient, jobId: string, id: number): Promise<{ sync: number; async: number }> {
  const job = await client.call<{ vertices: Array<{ id: string }> }>('GET', `/jobs/${jobId}`);
  let sync = -1;
  let async = -1;
  for (const v of job.vertices) {
    const d = await client.call<{ subtasks: Array<{ checkpoint?: { sync: number; async: number } }> }>(
      'GET',
      `/jobs/${jobId}/checkpoints/details/${id}/subtasks/${v.id}`,
    );
    for (const s of d.subtasks) {
      sync = Math.max(sync, s.checkpoint?.sync ?? -1);
      async = Math.max(async, s.checkpoint?.async ?? -1);
    }
  }
  return { sync, async };
}

export async function checkpointCost(records: number, keys: number): Promise<CheckpointCost> {
  const every = Math.max(100, Math.floor(records / 200));
  const run = async (intervalMs: number) => {
    const out = mkdtempSync(join(tmpdir(), 'sluice-bench-state-'));
    try {
      const r = await runOnCluster({
        job: JOB,
        args: [out, String(records), '0', String(keys), String(intervalMs), String(every)],
        workers: 2,
        parallelism: 2,
        config: ['execution.checkpointing.mode=EXACTLY_ONCE'],
        after: async ({ client, jobId }) => {
          const overview = await client.call<CheckpointsOverview>('GET', `/jobs/${jobId}/checkpoints`);
          // The latest completed checkpoint is the final one (FLIP-147), taken after every task finished and
          // reported its state at end of input: no subtask ran a snapshot for it. Report the last checkpoint
          // taken while the job was processing, newest first.
          const completed = overview.history.filter((h) => h.status === 'COMPLETED').sort((a, b) => b.id - a.id);
          for (const c of completed) {
            const parts = await partDurations(client, jobId, c.id);
            if (parts.sync >= 0) return { overview, last: c, parts };
          }
          return { overview, last: undefined, parts: { sync: NaN, async: NaN } };
        },
      });
      if (r.status !== 'FINISHED') throw new Error(`state benchmark ended ${r.status}`);
      const after = r.after as {
        overview: CheckpointsOverview;
        last: CheckpointSummary | undefined;
        parts: { sync: number; async: number };
      };
      return {
        rate: throughputFromMarks(out, every),
        gapP99: markGapQuantileMs(out, 0.99),
        gapMax: markGapQuantileMs(out, 1),
        rss: Math.max(...r.workerRssMb),
        stats: after.overview,
        last: after.last,
        parts: after.parts,
      };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };
  const off = await run(0);
  const on = await run(1000);
  return {
    offRecordsPerSecond: off.rate,
    onRecordsPerSecond: on.rate,
    lastCheckpointDurationMs: on.last?.end_to_end_duration ?? NaN,
    lastCheckpointSizeBytes: on.last?.state_size ?? NaN,
    completedCheckpoints: on.stats.counts.completed,
    workerRssMb: Math.max(off.rss, on.rss),
    recordsPerMark: every,
    offGapP99Ms: off.gapP99,
    onGapP99Ms: on.gapP99,
    onGapMaxMs: on.gapMax,
    lastSyncMaxMs: on.parts.sync,
    lastAsyncMaxMs: on.parts.async,
  };
}

/** SIGKILL of a worker that runs a subtask, under load: seconds from the kill until output resumes. */
export async function recoveryAfterKill(ratePerSecond: number, seconds: number): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'sluice-bench-kill-'));
  const every = Math.max(10, Math.floor(ratePerSecond / 20)); // a mark every ~100 ms per subtask
  try {
    const r = await runOnCluster({
      job: JOB,
      args: [out, String(ratePerSecond * seconds), String(ratePerSecond), '10000', '500', String(every)],
      workers: 3,
      parallelism: 2,
      config: [
        'restart-strategy.type=fixed-delay',
        'restart-strategy.fixed-delay.attempts=3',
        'restart-strategy.fixed-delay.delay=100 ms',
      ],
      during: async ({ client, mini, jobId }) => {
        const started = performance.now();
        while (
          marks(out).flat().length < 3 ||
          (await client.call<{ counts: { completed: number } }>('GET', `/jobs/${jobId}/checkpoints`)).counts.completed <
            1
        ) {
          if (performance.now() - started > 30_000) throw new Error('no progress before the kill');
          await new Promise((res) => setTimeout(res, 50));
        }
        const job = await client.call<{ vertices: Array<{ id: string; name: string }> }>('GET', `/jobs/${jobId}`);
        const sinkVertex =
          job.vertices.find((v) => v.name.includes('count') || v.name.includes('Sink')) ??
          job.vertices[job.vertices.length - 1]!;
        const detail = await client.call<{ subtasks: Array<{ 'taskmanager-id': string }> }>(
          'GET',
          `/jobs/${jobId}/vertices/${sinkVertex.id}`,
        );
        const victimId = detail.subtasks[0]!['taskmanager-id'];
        const victim =
          mini.workers.find((w) => (w.ready as { workerId?: string }).workerId === victimId) ?? mini.workers[0]!;
        const killedAt = Date.now();
        victim.child.kill('SIGKILL');
        return killedAt;
      },
    });
    if (r.status !== 'FINISHED') throw new Error(`recovery benchmark ended ${r.status}`);
    const killedAt = r.during as number;
    const after = marks(out)
      .flat()
      .filter((t) => t > killedAt)
      .sort((a, b) => a - b);
    return after.length ? (after[0]! - killedAt) / 1000 : NaN;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface RescaleOptions {
  /** Distinct keys of the keyed count (default 10 000). */
  keys?: number;
  /** Records to run in all (default ratePerSecond × seconds). */
  records?: number;
  /** Cluster `-D` settings, e.g. the state backend. */
  config?: string[];
}

/**
 * Savepoint-based rescale 2 → 3: seconds between the last output before the stop and the first after. The
 * stop comes once every key holds state (output ≥ keys records) and at least 5 marks were written.
 * `ratePerSecond` 0 runs unthrottled.
 */
export async function rescaleDowntime(ratePerSecond: number, seconds = 20, o: RescaleOptions = {}): Promise<number> {
  const out = mkdtempSync(join(tmpdir(), 'sluice-bench-rescale-'));
  const sp = mkdtempSync(join(tmpdir(), 'sluice-bench-sp-'));
  const keys = o.keys ?? 10_000;
  const records = o.records ?? ratePerSecond * seconds;
  // a mark every ~100 ms per subtask when throttled, every keys/1000 records otherwise
  const every = Math.max(10, Math.floor(ratePerSecond > 0 ? ratePerSecond / 20 : keys / 1000));
  const bundle = await bundleJob(JOB);
  const mini = new MiniCluster({
    workers: 3,
    slotsPerWorker: 1,
    secret: 'bench',
    onLog: () => {},
    extraArgs: (o.config ?? []).flatMap((kv) => ['-D', kv]),
  });
  await mini.start();
  try {
    const client = new RestClient(mini.restUrl);
    const jar = await client.uploadBundle('state.mjs', bundle.code);
    const args = [out, String(records), String(ratePerSecond), String(keys), '500', String(every)];
    const { jobid } = await client.call<{ jobid: string }>('POST', `/jars/${jar}/run`, {
      programArgsList: args,
      parallelism: 2,
    });
    const t0 = performance.now();
    const deadlineMs = 30_000 + keys; // 1 ms per key: RocksDB at ~10⁴ records/s under load
    while (marks(out).flat().length < Math.max(5, keys / every)) {
      if (performance.now() - t0 > deadlineMs) throw new Error('no progress before the rescale');
      await new Promise((res) => setTimeout(res, 50));
    }
    const { 'request-id': req } = await client.call<{ 'request-id': string }>('POST', `/jobs/${jobid}/stop`, {
      targetDirectory: sp,
      drain: false,
    });
    let location: string | undefined;
    while (!location) {
      const st = await client.call<{
        status: { id: string };
        operation?: { location?: string; 'failure-cause'?: unknown };
      }>('GET', `/jobs/${jobid}/savepoints/${req}`);
      if (st.status.id === 'COMPLETED') {
        if (!st.operation?.location) throw new Error(`stop failed: ${JSON.stringify(st.operation)}`);
        location = st.operation.location;
      } else await new Promise((res) => setTimeout(res, 20));
    }
    await client.waitForTerminal(jobid);
    const lastBefore = Math.max(...marks(out).flat());
    const { jobid: j2 } = await client.call<{ jobid: string }>('POST', `/jars/${jar}/run`, {
      programArgsList: args,
      parallelism: 3,
      savepointPath: location.replace(/^file:/, ''),
    });
    await client.waitForTerminal(j2);
    const firstAfter = Math.min(
      ...marks(out)
        .flat()
        .filter((t) => t > lastBefore),
    );
    if (!Number.isFinite(firstAfter)) throw new Error('the input ended before the stop: no output after the rescale');
    return (firstAfter - lastBefore) / 1000;
  } finally {
    await mini.stop();
    rmSync(out, { recursive: true, force: true });
    rmSync(sp, { recursive: true, force: true });
  }
}
