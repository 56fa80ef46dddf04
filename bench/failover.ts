/**
 * `--failover`: high-availability and checkpoint-storage costs.
 * - Job manager failover: two job managers on a throwaway ZooKeeper (Debian's `zookeeper` package), two task
 *   workers, the state job at a fixed rate with checkpoints every second; the leader is killed with SIGKILL
 *   and the measure is the time from the kill to the first output mark of the recovered job — the first one
 *   written after the standby logged that it leads, as no attempt can run before (the attempt that was
 *   running may go on for a moment until the workers see the connection drop; that is reported apart). It
 *   spans the standby's election after the ZooKeeper session expires, the workers' re-registration and the
 *   job's recovery from its latest checkpoint. HA and heartbeat timeouts are the defaults.
 * - Checkpoint duration of the same job and state with checkpoints on local disk and on S3 (an s3rver on
 *   loopback, as the tests use): the last completed checkpoint's end-to-end duration and size.
 *
 * Invariant: every process, the ZooKeeper server, the s3rver and temporary directories are gone when a
 * function returns or throws.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleJob } from '../runtime/bundle/job-bundle.js';
import { RestClient } from '../runtime/cli/rest-client.js';
import { waitFor } from './wait-for.js';
import { haCluster } from './ha-cluster.js';
import { startS3Server } from './stand-ins/s3-server.js';
import { startZooKeeper, zookeeperMissing } from './stand-ins/zookeeper-server.js';
import { runOnCluster } from './cluster-run.js';
import type { BenchResult } from './harness.js';
import { marks } from './fault-tolerance.js';

const JOB = 'bench/jobs/state-job.ts';

/** Teardown steps run in reverse order, as tap's `t.teardown` would. */
function teardowns(): { teardown(fn: () => unknown): void; run(): Promise<void> } {
  const fns: Array<() => unknown> = [];
  return {
    teardown: (fn) => void fns.push(fn),
    run: async () => {
      for (const fn of fns.reverse()) await Promise.resolve(fn()).catch(() => {});
    },
  };
}

export interface FailoverResult {
  /** Seconds from the leader's SIGKILL to the first output mark of the recovered job. */
  outputResumedS: number;
  /** Seconds from the kill to the last mark of the attempt that was running (until the workers cancel it). */
  outputStoppedS: number;
  /** Seconds from the kill until the standby logged that it leads. */
  newLeaderS: number;
}

export function failoverUnavailable(): string | undefined {
  return zookeeperMissing();
}

export async function jobManagerFailover(ratePerSecond: number, seconds: number): Promise<FailoverResult> {
  const td = teardowns();
  const [out, ckpt, storage] = ['out', 'ckpt', 'ha'].map((n) => mkdtempSync(join(tmpdir(), `sluice-bench-ha-${n}-`)));
  td.teardown(() => [out, ckpt, storage].forEach((d) => rmSync(d!, { recursive: true, force: true })));
  try {
    const zk = await startZooKeeper(td);
    const ha = haCluster(td, {
      'high-availability.type': 'zookeeper',
      'high-availability.zookeeper.quorum': zk.quorum,
      'high-availability.storageDir': storage!,
      'execution.checkpointing.dir': ckpt!,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '3',
      'restart-strategy.fixed-delay.delay': '100 ms',
    });
    const jm1 = await ha.jobManager('jm1');
    await ha.jobManager('jm2');
    await ha.worker(1);
    await ha.worker(1);
    const url1 = String(jm1.ready.restUrl);
    await ha.workersRegistered(url1, 2);
    const rest1 = new RestClient(url1);
    const jarId = await rest1.uploadBundle('bench.mjs', (await bundleJob(JOB)).code);
    const every = Math.max(10, Math.floor(ratePerSecond / 20)); // a mark every ~100 ms per subtask
    const { jobid } = await rest1.call<{ jobid: string }>('POST', `/jars/${encodeURIComponent(jarId)}/run`, {
      programArgsList: [out!, String(ratePerSecond * seconds), String(ratePerSecond), '10000', '1000', String(every)],
      parallelism: 2,
    });
    const completed = async () =>
      (await rest1.call<{ counts: { completed: number } }>('GET', `/jobs/${jobid}/checkpoints`)).counts.completed;
    await waitFor(
      'output and two completed checkpoints',
      async () => marks(out!).flat().length >= 3 && (await completed()) >= 2,
      60_000,
      50,
    );
    const killedAt = Date.now();
    jm1.kill('SIGKILL');
    const url2 = await ha.leadsAt('jm2', 120_000);
    const ledAt = Date.now();
    const first = await waitFor(
      'output of the recovered job',
      () =>
        marks(out!)
          .flat()
          .filter((t) => t > ledAt)
          .sort((a, b) => a - b)[0],
      120_000,
      20,
    );
    const rest2 = new RestClient(url2);
    await waitFor('the recovered job known to the new leader', () =>
      rest2.call('GET', `/jobs/${jobid}/status`).then(
        () => true,
        () => false,
      ),
    );
    const status = await rest2.waitForTerminal(jobid, 600_000);
    if (status !== 'FINISHED') throw new Error(`failover benchmark job ended ${status}`);
    const lastOld = Math.max(
      killedAt,
      ...marks(out!)
        .flat()
        .filter((t) => t < ledAt),
    );
    return {
      outputResumedS: (first - killedAt) / 1000,
      outputStoppedS: (lastOld - killedAt) / 1000,
      newLeaderS: (ledAt - killedAt) / 1000,
    };
  } finally {
    await td.run();
  }
}

export interface CheckpointStorageCost {
  durationMs: number;
  sizeBytes: number;
  completed: number;
}

interface CheckpointsOverview {
  counts: { completed: number };
  latest: { completed: { end_to_end_duration: number; state_size: number } | null };
}

/** The state job with checkpoints every second to `dir` (with `config`): the last completed checkpoint. */
async function checkpointTo(
  dir: string,
  config: string[],
  records: number,
  rate: number,
  keys: number,
): Promise<CheckpointStorageCost> {
  const out = mkdtempSync(join(tmpdir(), 'sluice-bench-ckpt-out-'));
  try {
    const r = await runOnCluster({
      job: JOB,
      args: [
        out,
        String(records),
        String(rate),
        String(keys),
        '1000',
        String(Math.max(100, Math.floor(records / 200))),
      ],
      workers: 2,
      parallelism: 2,
      config: [`execution.checkpointing.dir=${dir}`, ...config],
      after: ({ client, jobId }) => client.call<CheckpointsOverview>('GET', `/jobs/${jobId}/checkpoints`),
    });
    if (r.status !== 'FINISHED') throw new Error(`checkpoint storage benchmark ended ${r.status}`);
    const o = r.after as CheckpointsOverview;
    return {
      durationMs: o.latest.completed?.end_to_end_duration ?? NaN,
      sizeBytes: o.latest.completed?.state_size ?? NaN,
      completed: o.counts.completed,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The same job (`records` at `rate` per second over `keys` keys) checkpointing to local disk, then to S3. */
export async function checkpointStorageCost(
  records: number,
  rate: number,
  keys: number,
): Promise<{ local: CheckpointStorageCost; s3: CheckpointStorageCost }> {
  const local = mkdtempSync(join(tmpdir(), 'sluice-bench-ckpt-local-'));
  const s3 = await startS3Server(['sluice-bench']);
  try {
    return {
      local: await checkpointTo(local, [], records, rate, keys),
      s3: await checkpointTo(
        's3://sluice-bench/checkpoints',
        Object.entries(s3.config).map(([k, v]) => `${k}=${v}`),
        records,
        rate,
        keys,
      ),
    };
  } finally {
    rmSync(local, { recursive: true, force: true });
    await s3.close();
  }
}

/** The `--failover` rows: job manager failover (target ≤ 10 s to resumed output), then checkpoints local vs S3. */
export async function failoverRows(quick: boolean): Promise<BenchResult[]> {
  const rows: BenchResult[] = [];
  const why = failoverUnavailable();
  if (why) process.stderr.write(`job manager failover not measured: ${why}\n`);
  else {
    process.stderr.write('job manager failover (kill -9 of the leader)…\n');
    const f = await jobManagerFailover(quick ? 1000 : 4000, quick ? 20 : 40);
    rows.push({
      name: 'HA: kill -9 of the leading job manager → output resumes',
      value: f.outputResumedS,
      unit: 's',
      target: { op: '<=', value: 10 },
      note: `new leader after ${f.newLeaderS.toFixed(1)} s (the running attempt's output stopped ${f.outputStoppedS.toFixed(2)} s after the kill); default HA and heartbeat timeouts (ZooKeeper session 6 s)`,
    });
  }
  const keys = quick ? 20_000 : 1_000_000;
  process.stderr.write(`checkpoint duration, local disk vs S3 (${keys} keys)…\n`);
  // rate-limited so that several checkpoints (every 1 s) complete with every key in state
  const c = await checkpointStorageCost(quick ? 100_000 : 2_000_000, quick ? 20_000 : 50_000, keys);
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  rows.push(
    {
      name: `checkpoint duration, local disk (${keys.toLocaleString('en-US')} keys)`,
      value: c.local.durationMs,
      unit: 'ms',
      note: `last of ${c.local.completed} completed, ${mib(c.local.sizeBytes)}`,
    },
    {
      name: `checkpoint duration, S3 (s3rver on loopback, same state)`,
      value: c.s3.durationMs,
      unit: 'ms',
      note: `last of ${c.s3.completed} completed, ${mib(c.s3.sizeBytes)}; ${(c.s3.durationMs / c.local.durationMs).toFixed(2)}× local`,
    },
  );
  return rows;
}
