/**
 * Runs a job on a fresh mini cluster (real job manager and worker processes on loopback), as `sluice run`
 * does: bundle, upload, run, wait. Returns the job id, its runtime and the workers' resident memory at the
 * end; `during` runs while the job is RUNNING (for kills, savepoints). Every process is stopped afterwards.
 */
import { readFileSync } from 'node:fs';
import { bundleJob } from '../runtime/bundle/job-bundle.js';
import { MiniCluster } from '../runtime/cli/mini-cluster.js';
import { RestClient } from '../runtime/cli/rest-client.js';

export interface ClusterRun {
  jobId: string;
  status: string;
  runtimeMs: number;
  workerRssMb: number[];
  during?: unknown;
  after?: unknown;
}

export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function runOnCluster(o: {
  job: string;
  args: string[];
  workers: number;
  slotsPerWorker?: number;
  parallelism: number;
  config?: string[];
  during?: (ctx: { client: RestClient; mini: MiniCluster; jobId: string }) => Promise<unknown>;
  /** Runs after the job ended, before the cluster stops (REST still answers). */
  after?: (ctx: { client: RestClient; mini: MiniCluster; jobId: string }) => Promise<unknown>;
  timeoutMs?: number;
}): Promise<ClusterRun> {
  const bundle = await bundleJob(o.job);
  const mini = new MiniCluster({
    workers: o.workers,
    slotsPerWorker: o.slotsPerWorker ?? 1,
    secret: 'bench',
    extraArgs: (o.config ?? []).flatMap((kv) => ['-D', kv]),
    onLog: (l) => {
      if (/error|exception|failed/i.test(l)) process.stderr.write(`cluster: ${l}\n`);
    },
  });
  await mini.start();
  try {
    const client = new RestClient(mini.restUrl);
    const jarId = await client.uploadBundle('bench.mjs', bundle.code);
    const started = performance.now();
    const { jobid } = await client.call<{ jobid: string }>('POST', `/jars/${encodeURIComponent(jarId)}/run`, {
      programArgsList: o.args,
      parallelism: o.parallelism,
    });
    let during: unknown;
    if (o.during) {
      const deadline = performance.now() + 30_000;
      while ((await client.call<{ status: string }>('GET', `/jobs/${jobid}/status`)).status !== 'RUNNING') {
        if (performance.now() > deadline) throw new Error('job did not start within 30 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      during = await o.during({ client, mini, jobId: jobid });
    }
    let peakRss = mini.workers.map((w) => rssMb(w.child.pid));
    const sampler = setInterval(
      () => (peakRss = mini.workers.map((w, i) => Math.max(peakRss[i] ?? 0, rssMb(w.child.pid)))),
      250,
    );
    const status = await client.waitForTerminal(jobid, o.timeoutMs ?? 600_000).finally(() => clearInterval(sampler));
    const runtimeMs = performance.now() - started;
    const after = o.after ? await o.after({ client, mini, jobId: jobid }) : undefined;
    return { jobId: jobid, status, runtimeMs, workerRssMb: peakRss, during, after };
  } finally {
    await mini.stop();
  }
}
