/**
 * Test harness: a real mini cluster (job manager + task worker processes from dist/) on ephemeral
 * loopback ports, with captured process output and helpers to run the CLI and wait on conditions.
 * Every process started here is stopped in the test's teardown, also when the test fails.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MiniCluster } from '../../runtime/cli/mini-cluster.js';
import { RestClient } from '../../runtime/cli/rest-client.js';

/**
 * The repository root, also when this file runs compiled from dist/test/support (the chaos runner) or
 * dist/unit/test/support (the unit tier's build): the nearest folder above with a package.json.
 */
function repositoryRoot(): string {
  let dir = fileURLToPath(new URL('../..', import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const ROOT = repositoryRoot();
export const CLI = join(ROOT, 'dist/runtime/cli/main.js');

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** Flink-style `-D key=value` arguments for a cluster's processes. */
export type ClusterConf = Record<string, string | number>;

export interface ClusterOptions {
  workers: number;
  slots?: number;
  /** Configuration for every process, passed as `-D key=value`. */
  conf?: ClusterConf;
  extraArgs?: string[];
}

/** `{a: 1}` → `['-D', 'a=1']`, in the object's order. */
export function confArgs(conf: ClusterConf = {}): string[] {
  return Object.entries(conf).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
}

export interface TestCluster {
  mini: MiniCluster;
  rest: RestClient;
  restUrl: string;
  lines: string[];
}

export async function startCluster(t: Teardown, opts: ClusterOptions): Promise<TestCluster> {
  const lines: string[] = [];
  const mini = new MiniCluster({
    workers: opts.workers,
    slotsPerWorker: opts.slots ?? 1,
    secret: 'test-secret',
    extraArgs: [...confArgs(opts.conf), ...(opts.extraArgs ?? [])],
    onLog: (l: string) => void lines.push(l),
  });
  t.teardown(() => mini.stop());
  await mini.start();
  return { mini, rest: new RestClient(mini.restUrl), restUrl: mini.restUrl, lines };
}

/**
 * One cluster for the tests of a file that do not need their own, started by the first test that asks for it
 * and stopped when `root` (the file's tap root) ends. Each test must leave it as it found it (its jobs ended,
 * every worker alive); tests that kill workers or need another configuration start their own.
 */
export function sharedCluster(root: Teardown, opts: ClusterOptions): () => Promise<TestCluster> {
  let cluster: Promise<TestCluster> | undefined;
  return () => (cluster ??= startCluster(root, opts));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(t: Teardown, args: string[], timeoutMs = 120_000, cwd = ROOT): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, SLUICE_SECRET: 'test-secret' } });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      void jobStateFor(args, stdout).then((job) =>
        reject(
          new Error(
            `sluice ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout:${stdout}\nstderr:${stderr}${job}`,
          ),
        ),
      );
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * For a CLI call that hung: the job's state and each vertex's task counts from the cluster it talked to
 * (`-m <url>`, the JobID it printed), so a failure says whether the job or the client was stuck.
 */
async function jobStateFor(args: string[], stdout: string): Promise<string> {
  const m = args.indexOf('-m');
  const url = m >= 0 ? args[m + 1] : undefined;
  const id = JOB_ID.exec(stdout)?.[1];
  if (!url || !id) return '';
  try {
    const res = await fetch(`${url}/jobs/${id}`, { signal: AbortSignal.timeout(3000) });
    const job = (await res.json()) as { state?: string; vertices?: { name: string; status: string; tasks: object }[] };
    const vertices = (job.vertices ?? []).map((v) => `  ${v.name}: ${v.status} ${JSON.stringify(v.tasks)}`);
    return `\njob ${id} on the cluster: ${job.state ?? `HTTP ${res.status}`}\n${vertices.join('\n')}`;
  } catch (e) {
    return `\njob ${id}: its state could not be read (${(e as Error).message})`;
  }
}

/** How the CLI names a job it submitted (`Job has been submitted with JobID <32 hex>`). */
const JOB_ID = /JobID ([0-9a-f]{32})/;

/** The job id a detached `sluice run -d` prints (`Job has been submitted with JobID <32 hex>`). */
export function jobIdOf(stdout: string): string {
  const m = JOB_ID.exec(stdout);
  if (!m) throw new Error(`no JobID in the CLI's output:\n${stdout}`);
  return m[1]!;
}

/** How many checkpoints of the job have completed (`GET /jobs/:id/checkpoints`). */
export async function completedCheckpoints(c: { rest: RestClient }, jobId: string): Promise<number> {
  return (await c.rest.call<{ counts: { completed: number } }>('GET', `/jobs/${jobId}/checkpoints`)).counts.completed;
}

/**
 * Submits a job detached (`sluice run -d -m <restUrl> -p <parallelism> <args…>`), asserts the CLI exited 0
 * (its stderr is the message otherwise) and returns the job id.
 */
export async function submitDetached(
  t: Teardown & { equal(found: unknown, wanted: unknown, message: string): unknown },
  restUrl: string,
  args: string[],
  parallelism = 2,
): Promise<string> {
  const r = await runCli(t, ['run', '-d', '-m', restUrl, '-p', String(parallelism), ...args]);
  t.equal(r.code, 0, r.stderr);
  return jobIdOf(r.stdout);
}

export { waitFor } from '../../bench/wait-for.js';

/** Fresh temporary directories removed in the test's teardown. */
export function tempDirs(t: Teardown, ...prefixes: string[]): string[] {
  const dirs = prefixes.map((p) => mkdtempSync(join(tmpdir(), `sluice-${p}-`)));
  t.teardown(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  return dirs;
}

/** Committed FileSink output (`part-*` files, in name order) of the keyed-sequence-check job, per key. */
export function readSequenceOutput(dir: string): {
  total: number;
  perKey: Map<string, Array<{ seq: number; n: number }>>;
} {
  const perKey = new Map<string, Array<{ seq: number; n: number }>>();
  let total = 0;
  for (const f of readdirSync(dir)
    .filter((x) => x.startsWith('part-'))
    .sort()) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      const [key, seq, n] = line.split(',');
      const list = perKey.get(key!) ?? [];
      list.push({ seq: Number(seq), n: Number(n) });
      perKey.set(key!, list);
      total++;
    }
  }
  return { total, perKey };
}

/** Lines of a FileSink's committed `part-*` files (name order), empty lines dropped. */
export function readPartLines(dir: string): string[] {
  const lines: string[] = [];
  for (const f of readdirSync(dir)
    .filter((x) => x.startsWith('part-'))
    .sort())
    for (const l of readFileSync(join(dir, f), 'utf8').split('\n')) if (l) lines.push(l);
  return lines;
}

/** The keyed-sequence-check job's output is exact: per key, sequence numbers 0.. in order with counts 1... */
export function sequencesExact(perKey: Map<string, Array<{ seq: number; n: number }>>): boolean {
  for (const list of perKey.values()) {
    list.sort((a, b) => a.seq - b.seq);
    if (!list.every((e, i) => e.seq === i && e.n === i + 1)) return false;
  }
  return true;
}

/** Kills (SIGKILL) every process a `sluice cluster start` state file in `dir` still records. */
export function killRecordedCluster(dir: string): void {
  const stateFile = join(dir, '.sluice/cluster/cluster.json');
  if (!existsSync(stateFile)) return;
  const st = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    jobmanager: { pid: number };
    supervisor?: { pid: number };
    workers: Array<{ pid: number }>;
  };
  // the supervisor first: it would restart the workers killed next
  for (const p of [...(st.supervisor ? [st.supervisor] : []), ...st.workers, st.jobmanager]) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
