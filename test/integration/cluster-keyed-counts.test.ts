/**
 * Engine core on real processes: a job manager and 2 task worker processes; the keyed-counts job runs
 * with a keyed shuffle across both workers and prints exact per-key counts, routed as Flink routes keys.
 * Also: cancel through the CLI, and a SIGKILLed worker failing the job with an exceptions entry.
 */
import t from 'tap';
import { assignKeyToParallelOperator } from '../../runtime/keygroups/index.js';
import { runCli, sharedCluster, startCluster, submitDetached, waitFor } from '../support/cluster-harness.js';

const JOB = 'jobs/keyed-counts.ts';
/** The first two tests share a cluster (the counts test reads the print output before the cancel test runs). */
const cluster = sharedCluster(t, { workers: 2 });

t.test('keyed running counts on 2 workers: exact output, Flink key routing', async (t) => {
  const c = await cluster();
  const r = await runCli(t, ['run', '-m', c.restUrl, '-p', '2', JOB, '1000', '10']);
  t.equal(r.code, 0, r.stderr);
  const m = /Job has been submitted with JobID ([0-9a-f]{32})/.exec(r.stdout);
  t.ok(m, 'Flink submit line');
  t.match(r.stdout, /Job with JobID [0-9a-f]{32} has finished\./);
  const out = await waitFor('1000 printed records', () => {
    const lines = c.lines.filter((l) => /^\d> key-\d+,\d+$/.test(l));
    return lines.length >= 1000 && lines;
  });
  t.equal(out.length, 1000);
  const perKey = new Map<string, { subtasks: Set<number>; counts: number[] }>();
  for (const l of out) {
    const [, sub, key, n] = /^(\d)> (key-\d+),(\d+)$/.exec(l)!;
    const e = perKey.get(key!) ?? { subtasks: new Set(), counts: [] };
    e.subtasks.add(Number(sub) - 1);
    e.counts.push(Number(n));
    perKey.set(key!, e);
  }
  t.equal(perKey.size, 10);
  const used = new Set<number>();
  for (const [key, e] of perKey) {
    t.same(
      e.counts.sort((a, b) => a - b),
      [...Array(100).keys()].map((i) => i + 1),
      `${key} counts 1..100 exactly once`,
    );
    t.same(
      [...e.subtasks],
      [assignKeyToParallelOperator(key, 128, 2)],
      `${key} processed on the subtask Flink assigns`,
    );
    used.add([...e.subtasks][0]!);
  }
  t.same([...used].sort(), [0, 1], 'the keyed shuffle spans both subtasks (both workers)');
  const overview = await c.rest.call<{ jobs: Array<{ jid: string; state: string }> }>('GET', '/jobs/overview');
  t.equal(overview.jobs.find((j) => j.jid === m![1])?.state, 'FINISHED');
});

t.test('cancel a running job through the CLI', async (t) => {
  const c = await cluster();
  const jobId = await submitDetached(t, c.restUrl, [JOB, '1000000000', '10']);
  await waitFor(
    'job RUNNING',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'RUNNING',
  );
  const list = await runCli(t, ['list', '-r', '-m', c.restUrl]);
  t.match(
    list.stdout,
    new RegExp(`\\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d:\\d\\d : ${jobId} : keyed running counts \\(RUNNING\\)`),
  );
  const cancel = await runCli(t, ['cancel', '-m', c.restUrl, jobId]);
  t.equal(cancel.code, 0, cancel.stderr);
  t.match(cancel.stdout, `Cancelling job ${jobId}.\nCancelled job ${jobId}.`);
  await waitFor(
    'job CANCELED',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'CANCELED',
  );
});

t.test('a killed worker fails the job with a clear exceptions entry; the cluster keeps serving', async (t) => {
  const c = await startCluster(t, { workers: 2 });
  const r = await runCli(t, ['run', '-d', '-m', c.restUrl, '-p', '2', JOB, '1000000000', '10']);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  await waitFor(
    'job RUNNING',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'RUNNING',
  );
  c.mini.workers[1]!.kill('SIGKILL');
  await waitFor(
    'job FAILED',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'FAILED',
    20_000,
  );
  const ex = await c.rest.call<{
    exceptionHistory: { entries: Array<{ stacktrace: string; taskManagerId: string | null }> };
  }>('GET', `/jobs/${jobId}/exceptions`);
  t.ok(ex.exceptionHistory.entries.length >= 1);
  t.match(ex.exceptionHistory.entries[0]!.stacktrace, /task worker .* (lost|closed|missed heartbeats)/);
  const tms = await c.rest.call<{ taskmanagers: unknown[] }>('GET', '/taskmanagers');
  t.equal(tms.taskmanagers.length, 1, 'the surviving worker is still registered');
});
