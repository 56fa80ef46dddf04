/**
 * Savepoints and rescaling on real processes: run at parallelism 2 →
 * savepoint + cancel → restore at 3 → stop with savepoint (ends FINISHED) → restore at 1 to the end.
 * Keyed counts continue exactly across both rescales: every record once, per-key order, counts from state.
 * Also: restoring state that has no operator fails with Flink's message unless -n.
 */
import t from 'tap';
import {
  jobIdOf,
  readSequenceOutput,
  runCli,
  sequencesExact,
  startCluster,
  submitDetached,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';

/** At 2500 records/s the first two runs cannot finish before their savepoints, even on a loaded machine. */
const N = 100_000;
const KEYS = 50;

t.test('savepoint → cancel → restore 2 → 3 → stop → restore 1: counts continue exactly', async (t) => {
  const [out, sp] = tempDirs(t, 'sp', 'sp-dir') as [string, string];
  const c = await startCluster(t, { workers: 3, slots: 1 });
  // 2500 records/s keeps the first two runs going until their savepoints; the last run (the rate is not
  // state) finishes the rest at full speed
  const job = (rate = '2500') => ['jobs/keyed-sequence-check.ts', out, String(N), rate, String(KEYS), '0'];
  const status = async (id: string) => (await c.rest.call<{ status: string }>('GET', `/jobs/${id}/status`)).status;
  const running = async (id: string) =>
    waitFor(
      `job ${id} running`,
      async () =>
        (await status(id)) === 'RUNNING' &&
        (await c.rest.call<{ vertices: Array<{ status: string }> }>('GET', `/jobs/${id}`)).vertices.every(
          (v) => v.status === 'RUNNING',
        ),
    );

  const r1 = await runCli(t, ['run', '-d', '-m', c.restUrl, '-p', '2', ...job()]);
  const j1 = jobIdOf(r1.stdout);
  await running(j1);
  await new Promise((r) => setTimeout(r, 800));
  const s1 = await runCli(t, ['savepoint', '-m', c.restUrl, j1, sp]);
  t.equal(s1.code, 0, s1.stderr);
  t.match(s1.stdout, `Triggering savepoint for job ${j1}.\nWaiting for response...\nSavepoint completed. Path: file:`);
  const path1 = /Savepoint completed\. Path: file:(\S+)/.exec(s1.stdout)![1]!;
  t.match(path1, new RegExp(`savepoint-${j1.slice(0, 6)}-[0-9a-f]{12}$`));
  await runCli(t, ['cancel', '-m', c.restUrl, j1]);
  await waitFor('job 1 canceled', async () => (await status(j1)) === 'CANCELED');

  const j2 = await submitDetached(t, c.restUrl, ['-s', path1, ...job()], 3);
  await running(j2);
  await new Promise((r) => setTimeout(r, 800));
  const s2 = await runCli(t, ['stop', '-m', c.restUrl, '--savepointPath', sp, j2]);
  t.equal(s2.code, 0, s2.stderr);
  t.match(s2.stdout, `Suspending job "${j2}" with a savepoint.\nSavepoint completed. Path: file:`);
  const path2 = /Path: file:(\S+)/.exec(s2.stdout)![1]!;
  await waitFor('job 2 FINISHED', async () => (await status(j2)) === 'FINISHED');

  const r3 = await runCli(t, ['run', '-m', c.restUrl, '-p', '1', '-s', path2, ...job('0')]);
  t.equal(r3.code, 0, r3.stderr);
  t.match(r3.stdout, /has finished/);

  const { total, perKey } = readSequenceOutput(out);
  t.equal(total, N, 'every record exactly once over three runs');
  t.ok(sequencesExact(perKey), 'per-key counts continue exactly across 2 → 3 → 1');

  // state with no matching operator: Flink's message, and -n skips it
  const other = await runCli(t, ['run', '-m', c.restUrl, '-s', path2, 'jobs/keyed-counts.ts', '10', '2']);
  t.not(other.code, 0);
  t.match(
    other.stderr,
    /Cannot map checkpoint\/savepoint state for operator (generator|seq-count|file-sink) to the new program, because the operator is not available in the new program\. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI\./,
  );
  const skipped = await runCli(t, ['run', '-m', c.restUrl, '-n', '-s', path2, 'jobs/keyed-counts.ts', '10', '2']);
  t.equal(skipped.code, 0, skipped.stderr);
});
