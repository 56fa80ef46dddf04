/**
 * Flink's client API on a 2-worker cluster, from programs run with `sluice run` (their code after
 * executeAsync runs in the client and reaches the job through REST): the JobClient's status, savepoint,
 * stop-with-savepoint and cancel; collectAsync() reading every result of a parallel job, and breaking
 * out of its loop cancelling the job (which then ends CANCELED, not blocked by the gone reader).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { runCli, sharedCluster, tempDirs } from '../support/cluster-harness.js';

const cluster = sharedCluster(t, { workers: 2, slots: 2 });
const [dir] = tempDirs(t, 'client-api-cluster') as [string];

const line = (stdout: string, key: string): string[] =>
  [...stdout.matchAll(new RegExp(`^${key} (.*)$`, 'gm'))].map((m) => m[1]!);
const metadataOf = (path: string) => join(path.replace(/^file:/, ''), '_metadata');

t.test('JobClient: status, savepoint, stop with savepoint, result', async (t) => {
  const c = await cluster();
  const r = await runCli(t, ['run', '-m', c.restUrl, 'test/fixtures/client/job-client-job.ts', '--savepoint-dir', dir]);
  t.equal(r.code, 0, r.code === 0 ? 'the program ran' : r.stderr.slice(-2000));
  const jobId = line(r.stdout, 'JOBID')[0]!;
  t.match(jobId, /^[0-9a-f]{32}$/);
  t.match(r.stdout, `Job has been submitted with JobID ${jobId}`);
  t.same(line(r.stdout, 'STATUS'), ['RUNNING', 'RUNNING', 'FINISHED']);
  const [savepoint] = line(r.stdout, 'SAVEPOINT');
  const [stopped] = line(r.stdout, 'STOPPED');
  for (const p of [savepoint!, stopped!]) {
    t.match(p, new RegExp(`savepoint-${jobId.slice(0, 6)}-[0-9a-f]{12}$`));
    t.ok(existsSync(metadataOf(p)), `${p} is a complete savepoint`);
  }
  t.not(savepoint, stopped);
  t.same(line(r.stdout, 'RESULT'), [`${jobId} job client`]);
  const details = await c.rest.call<{ state: string }>('GET', `/jobs/${jobId}`);
  t.equal(details.state, 'FINISHED', 'the cluster agrees: stop-with-savepoint ended the job FINISHED');
});

t.test('JobClient: cancel, and the execution result rejects with JOB_CANCELED', async (t) => {
  const c = await cluster();
  const args = ['test/fixtures/client/job-client-job.ts', '--savepoint-dir', dir, '--mode', 'cancel'];
  const r = await runCli(t, ['run', '-m', c.restUrl, ...args]);
  t.equal(r.code, 0, r.code === 0 ? 'the program ran' : r.stderr.slice(-2000));
  const jobId = line(r.stdout, 'JOBID')[0]!;
  t.same(line(r.stdout, 'RESULT'), ['rejected JOB_CANCELED']);
  t.same(line(r.stdout, 'STATUS'), ['RUNNING', 'RUNNING', 'CANCELED']);
  t.equal(await c.rest.waitForTerminal(jobId, 30_000), 'CANCELED');
});

t.test('collectAsync: every result of a parallelism-2 job, streamed to the client', async (t) => {
  const c = await cluster();
  const n = 30_000;
  const r = await runCli(t, ['run', '-m', c.restUrl, 'test/fixtures/client/collect-async-job.ts', '--records', `${n}`]);
  t.equal(r.code, 0, r.code === 0 ? 'the program ran' : r.stderr.slice(-2000));
  let sum = 0;
  for (let x = 1; x <= n; x++) sum += x * 2 + 1;
  t.same(line(r.stdout, 'COLLECTED'), [`${n} SUM ${sum}`]);
  t.same(line(r.stdout, 'OUTCOME'), ['FINISHED STATUS FINISHED']);
});

t.test('collectAsync: breaking out of the loop cancels the unbounded job', async (t) => {
  const c = await cluster();
  const args = ['test/fixtures/client/collect-async-job.ts', '--records', '0', '--take', '3000'];
  const r = await runCli(t, ['run', '-m', c.restUrl, ...args]);
  t.equal(r.code, 0, r.code === 0 ? 'the program ran' : r.stderr.slice(-2000));
  const [collected] = line(r.stdout, 'COLLECTED');
  t.match(collected, /^3000 SUM \d+$/, 'the loop took 3000 results and broke');
  t.same(line(r.stdout, 'OUTCOME'), ['rejected JOB_CANCELED STATUS CANCELED']);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  t.equal(await c.rest.waitForTerminal(jobId, 30_000), 'CANCELED');
});
