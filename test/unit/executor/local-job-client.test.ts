/**
 * executeAsync() without a cluster: the JobClient of a job run in this process — its id and status, a
 * savepoint written to disk while it runs, stop-with-savepoint ending it FINISHED with its result, and
 * cancel() ending it CANCELED with a rejected result; execute() still resolves with the result.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DataGeneratorSource, StreamExecutionEnvironment } from '../../../runtime/exports/index.js';

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An unbounded keyed job whose processed records land in `seen`. */
function unboundedJob(seen: number[]): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env
    .fromSource(
      new DataGeneratorSource((i: number) => i, Infinity, { recordsPerSecond: 2000, batchSize: 10 }),
      undefined,
      'gen',
    )
    .uid('gen')
    .keyBy((v: number) => v % 7)
    .map((v: number) => {
      seen.push(v);
      return v;
    })
    .uid('seen');
  return env;
}

t.test('savepoint, then stop with savepoint: two savepoint directories, the job FINISHED', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'local-job-client-'));
  const seen: number[] = [];
  const client = await unboundedJob(seen).executeAsync('job client');
  t.teardown(async () => {
    await client.cancel();
    rmSync(dir, { recursive: true, force: true });
  });
  t.match(client.getJobID(), /^[0-9a-f]{32}$/);
  t.equal(await client.getJobStatus(), 'RUNNING');
  await until('records', () => seen.length >= 20);
  const savepoint = await client.triggerSavepoint(dir);
  t.match(savepoint, /savepoint-[0-9a-f]{6}-[0-9a-f]{12}/);
  t.ok(existsSync(join(savepoint.replace(/^file:/, ''), '_metadata')), 'the savepoint has its _metadata');
  t.equal(await client.getJobStatus(), 'RUNNING', 'a savepoint leaves the job running');

  const stopped = await client.stopWithSavepoint(false, dir);
  t.not(stopped, savepoint);
  t.ok(existsSync(join(stopped.replace(/^file:/, ''), '_metadata')));
  const result = await client.getJobExecutionResult();
  t.equal(result.jobId, client.getJobID());
  t.equal(result.jobName, 'job client');
  t.equal(await client.getJobStatus(), 'FINISHED');
  await t.rejects(client.triggerSavepoint(dir), { code: 'JOB_NOT_RUNNING' });
});

t.test('cancel(): CANCELLING, then CANCELED; the execution result rejects with JOB_CANCELED', async (t) => {
  const seen: number[] = [];
  const client = await unboundedJob(seen).executeAsync('cancelled');
  await until('records', () => seen.length >= 20);
  await client.cancel();
  t.ok(['CANCELLING', 'CANCELED'].includes(await client.getJobStatus()));
  await t.rejects(client.getJobExecutionResult(), { code: 'JOB_CANCELED' });
  t.equal(await client.getJobStatus(), 'CANCELED');
  const after = seen.length;
  await new Promise((r) => setImmediate(r));
  t.equal(seen.length, after, 'no record is processed after the job was cancelled');
});

t.test('execute() stays attached: it resolves with the result of the finished job', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const out: number[] = [];
  env.fromSequence(1, 100).map((v: number) => {
    out.push(v);
    return v;
  });
  const result = await env.execute('attached');
  t.equal(result.jobName, 'attached');
  t.equal(out.length, 100, 'every record was processed when execute() resolved');
});
