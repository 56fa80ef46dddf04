/**
 * Checkpoints and savepoints on S3 (an s3rver started by the test) on real processes:
 * - a keyed exactly-once job with `execution.checkpointing.dir=s3://…` survives a worker SIGKILL and its
 *   committed output is exact (restored from a checkpoint read back from S3);
 * - a savepoint into `s3://…` and a restore from it at another parallelism continue the counts exactly;
 * - S3 throttling fails checkpoints with S3's error text (counted as failed checkpoints), not the job, and
 *   checkpoints complete again once S3 answers.
 */
import t from 'tap';
import { listCompletedCheckpoints } from '../../checkpoints/layout.js';
import { S3Store } from '../../checkpoints/store-s3.js';
import { platform } from '../../runtime/platform/index.js';
import {
  readSequenceOutput,
  runCli,
  sequencesExact,
  startCluster,
  submitDetached,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';
import { THROTTLED, startS3Server } from '../../bench/stand-ins/s3-server.js';

const BUCKET = 'sluice-cluster';
const KEYS = 20;

interface CheckpointsBody {
  counts: { restored: number; completed: number; failed: number };
  latest: {
    completed: { external_path: string } | null;
    failed: { failure_message: string } | null;
    restored: { external_path: string } | null;
  };
}

const dArgs = (kv: Record<string, string>) => Object.entries(kv).flatMap(([k, v]) => ['-D', `${k}=${v}`]);

t.test('checkpoints and savepoints on S3', async (t) => {
  const s3 = await startS3Server([BUCKET]);
  t.teardown(() => s3.close());
  const store = new S3Store(platform.s3.client(s3.settings));
  const cluster = (extra: Record<string, string> = {}) =>
    startCluster(t, {
      workers: 2,
      slots: 2,
      extraArgs: dArgs({
        ...s3.config,
        'execution.checkpointing.dir': `s3://${BUCKET}/checkpoints`,
        'execution.checkpointing.savepoint-dir': `s3://${BUCKET}/savepoints`,
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '20',
        'restart-strategy.fixed-delay.delay': '100 ms',
        ...extra,
      }),
    });

  t.test('exactly-once across a worker SIGKILL, restored from S3', async (t) => {
    const N = 20_000;
    const [out] = tempDirs(t, 's3-eo') as [string];
    const c = await cluster();
    const jobId = await submitDetached(t, c.restUrl, [
      'jobs/keyed-sequence-check.ts',
      out,
      String(N),
      '800',
      String(KEYS),
    ]);
    const stats = () => c.rest.call<CheckpointsBody>('GET', `/jobs/${jobId}/checkpoints`);
    const first = await waitFor(
      'a checkpoint completed on S3',
      async () => {
        const s = await stats();
        return s.counts.completed >= 1 && s.latest.completed ? s.latest.completed : undefined;
      },
      60_000,
    );
    t.match(first.external_path, new RegExp(`^s3://${BUCKET}/checkpoints/${jobId}/chk-\\d+$`));
    const onS3 = await listCompletedCheckpoints(`s3://${BUCKET}/checkpoints/${jobId}`, store);
    t.ok(onS3.length >= 1, 'a completed checkpoint (its _metadata) is in the bucket');
    const tms = await c.rest.call<{ taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }> }>(
      'GET',
      '/taskmanagers',
    );
    const busy = new Set(tms.taskmanagers.filter((tm) => tm.freeSlots < tm.slotsNumber).map((tm) => tm.id));
    const victim = c.mini.workers.find((w) => w.child.exitCode === null && busy.has(String(w.ready.workerId)));
    t.ok(victim, 'a worker runs tasks of the job');
    victim!.kill('SIGKILL');
    await c.mini.addWorker();
    t.equal(await c.rest.waitForTerminal(jobId, 180_000), 'FINISHED');
    const s = await stats();
    t.ok(s.counts.restored >= 1, 'restored from a checkpoint');
    t.match(s.latest.restored?.external_path, new RegExp(`^s3://${BUCKET}/checkpoints/${jobId}/chk-\\d+$`));
    const { total, perKey } = readSequenceOutput(out);
    t.equal(total, N, 'zero lost, zero duplicated records');
    t.equal(perKey.size, KEYS);
    t.ok(sequencesExact(perKey), 'per-key order and counts continue exactly from the restored state');
    // retention runs when the job has reached its terminal state
    await waitFor(
      'a finished job leaves no checkpoints in the bucket (NO_EXTERNALIZED_CHECKPOINTS)',
      async () => (await store.list(`s3://${BUCKET}/checkpoints/${jobId}`)).length === 0,
      30_000,
    );
    t.pass("the finished job's checkpoints were deleted from the bucket");
  });

  t.test('a savepoint to S3, restored at another parallelism', async (t) => {
    const N = 20_000;
    const [out] = tempDirs(t, 's3-sp') as [string];
    const c = await cluster();
    // 500 records/s keeps the first run going until the savepoint; the restored run (the rate is not state)
    // finishes the rest at full speed
    const job = (rate: string) => ['jobs/keyed-sequence-check.ts', out, String(N), rate, String(KEYS), '0'];
    const j1 = await submitDetached(t, c.restUrl, job('500'));
    // no periodic checkpoints ('0'): the savepoint carries all the state, taken once records flow
    await waitFor(
      'records flowing',
      async () =>
        (
          await c.rest.call<{ vertices: Array<{ metrics: Record<string, number> }> }>('GET', `/jobs/${j1}`)
        ).vertices.reduce((n, v) => n + Number(v.metrics['write-records'] ?? 0), 0) > 500,
      60_000,
    );
    const sp = await runCli(t, ['stop', '-m', c.restUrl, j1]);
    t.equal(sp.code, 0, sp.stderr);
    const path = /Savepoint completed\. Path: (\S+)/.exec(sp.stdout)?.[1];
    t.match(path, new RegExp(`^s3://${BUCKET}/savepoints/savepoint-${j1.slice(0, 6)}-[0-9a-f]{12}$`), sp.stdout);
    t.ok(await store.exists(`${path}/_metadata`), 'the savepoint is in the bucket');
    const r2 = await runCli(t, ['run', '-m', c.restUrl, '-p', '3', '-s', path!, ...job('0')]);
    t.equal(r2.code, 0, r2.stderr);
    const { total, perKey } = readSequenceOutput(out);
    t.equal(total, N, 'every record exactly once over both runs');
    t.ok(sequencesExact(perKey), 'per-key counts continue exactly across the S3 savepoint (2 → 3)');
    t.ok(await store.exists(`${path}/_metadata`), 'savepoints are never deleted');
  });

  t.test('S3 throttling fails checkpoints, not the job', async (t) => {
    const [out] = tempDirs(t, 's3-fail') as [string];
    const c = await cluster({ 'execution.checkpointing.tolerable-failed-checkpoints': '1000' });
    const jobId = await submitDetached(t, c.restUrl, [
      'jobs/keyed-sequence-check.ts',
      out,
      '200000',
      '2000',
      String(KEYS),
    ]);
    const stats = () => c.rest.call<CheckpointsBody>('GET', `/jobs/${jobId}/checkpoints`);
    let last: CheckpointsBody | undefined;
    await waitFor(
      'a checkpoint completed',
      async () => ((last = await stats()).counts.completed >= 1 ? last : undefined),
      60_000,
    ).catch((e: Error) =>
      Promise.reject(
        new Error(
          `${e.message}; requests ${s3.requests}; ${JSON.stringify(last?.counts)}\n${c.lines.slice(-60).join('\n')}`,
        ),
      ),
    );
    s3.fault = { ...THROTTLED, match: (req) => req.method === 'PUT' };
    const failed = await waitFor(
      'a checkpoint failed on S3',
      async () => {
        const s = await stats();
        return s.counts.failed >= 2 ? s : undefined;
      },
      60_000,
    );
    t.match(failed.latest.failed?.failure_message, /SlowDown: Please reduce your request rate\. \(HTTP 503\)/);
    t.equal(
      (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status,
      'RUNNING',
      'the job runs on',
    );
    s3.fault = undefined;
    const completedBefore = failed.counts.completed;
    await waitFor('checkpoints complete again', async () => (await stats()).counts.completed > completedBefore, 60_000);
    await c.rest.call('PATCH', `/jobs/${jobId}?mode=cancel`);
    await c.rest.waitForTerminal(jobId, 60_000);
  });
});
