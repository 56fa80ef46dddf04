/**
 * Checkpoint failure handling on real processes: a corrupted latest
 * checkpoint makes recovery fall back to the previous retained one and say so on /jobs/:id/exceptions;
 * an unwritable checkpoint directory declines checkpoints while the job keeps running, the failures show
 * in the checkpoint statistics, and past the tolerable-failure limit the job fails loudly.
 */
import t from 'tap';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, startCluster, tempDirs, waitFor } from '../support/cluster-harness.js';

interface Stats {
  counts: { restored: number; total: number; in_progress: number; completed: number; failed: number };
  latest: { restored: { id: number } | null; failed: { failure_message: string } | null };
}

t.test('a corrupted latest checkpoint falls back to the previous one, loudly', async (t) => {
  const [out, ckpt] = tempDirs(t, 'cf', 'cf-ckpt') as [string, string];
  const c = await startCluster(t, {
    workers: 2,
    slots: 2,
    conf: {
      'execution.checkpointing.dir': ckpt,
      'execution.checkpointing.num-retained': '3',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.delay': '100 ms',
      'restart-strategy.fixed-delay.attempts': '5',
    },
  });
  const r = await runCli(t, [
    'run',
    '-d',
    '-m',
    c.restUrl,
    '-p',
    '2',
    'jobs/keyed-sequence-check.ts',
    out,
    '40000',
    '4000',
    '10',
    '200',
  ]);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  const stats = () => c.rest.call<Stats>('GET', `/jobs/${jobId}/checkpoints`);
  await waitFor('3 completed checkpoints', async () => (await stats()).counts.completed >= 3, 30_000);
  const tms = await c.rest.call<{ taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }> }>(
    'GET',
    '/taskmanagers',
  );
  const busy = new Set(tms.taskmanagers.filter((x) => x.freeSlots < x.slotsNumber).map((x) => x.id));
  const victim = c.mini.workers.find((w) => busy.has(String(w.ready.workerId)))!;
  // Between checkpoints (none in flight), corrupt the newest completed one (`_metadata` is written last, so a
  // chk-N directory without it is still being written) and kill a worker at once: no later checkpoint can
  // complete without that worker's acknowledgement, so recovery must meet the corrupted one.
  await waitFor('no checkpoint in flight', async () => (await stats()).counts.in_progress === 0, 30_000, 5);
  const jobDir = join(ckpt, jobId);
  const chks = readdirSync(jobDir)
    .filter((d) => /^chk-\d+$/.test(d) && existsSync(join(jobDir, d, '_metadata')))
    .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)));
  const latest = chks[chks.length - 1]!;
  for (const f of readdirSync(join(jobDir, latest)))
    if (f !== '_metadata') writeFileSync(join(jobDir, latest, f), 'garbage');
  victim.kill('SIGKILL');
  const ex = await waitFor(
    'the fallback reported on /exceptions',
    async () => {
      const e = await c.rest.call<{ exceptionHistory: { entries: Array<{ stacktrace: string }> } }>(
        'GET',
        `/jobs/${jobId}/exceptions`,
      );
      return e.exceptionHistory.entries.find((x) =>
        /falling back to the previous retained checkpoint/.test(x.stacktrace),
      );
    },
    30_000,
  );
  t.match(ex.stacktrace, new RegExp(`${latest}.*could not be restored`));
  const s = await stats();
  t.ok(
    s.latest.restored && s.latest.restored.id < Number(latest.slice(4)),
    `restored from an older checkpoint (${s.latest.restored?.id} < ${latest})`,
  );
  await c.rest.call('PATCH', `/jobs/${jobId}?mode=cancel`);
});

t.test('an unwritable checkpoint directory declines checkpoints; past the tolerable limit the job fails', async (t) => {
  const [base] = tempDirs(t, 'ro') as [string];
  writeFileSync(join(base, 'not-a-dir'), 'a regular file');
  const c = await startCluster(t, {
    workers: 2,
    extraArgs: [
      '-D',
      `execution.checkpointing.dir=${join(base, 'not-a-dir', 'ckpt')}`,
      '-D',
      'execution.checkpointing.interval=200 ms',
      '-D',
      'execution.checkpointing.tolerable-failed-checkpoints=3',
      '-D',
      'restart-strategy.type=none',
    ],
  });
  const r = await runCli(t, ['run', '-d', '-m', c.restUrl, '-p', '2', 'jobs/keyed-counts.ts', '1000000000', '10']);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  const snap = await waitFor(
    'a failed checkpoint while running',
    async () => {
      const s = await c.rest.call<Stats>('GET', `/jobs/${jobId}/checkpoints`);
      const st = (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status;
      return s.counts.failed >= 1 && st === 'RUNNING' && s;
    },
    30_000,
  );
  t.match(snap.latest.failed!.failure_message, /not-a-dir/);
  t.equal(snap.counts.completed, 0);
  await waitFor(
    'job FAILED after the tolerable limit',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'FAILED',
    30_000,
  );
  const ex = await c.rest.call<{ exceptionHistory: { entries: Array<{ stacktrace: string }> } }>(
    'GET',
    `/jobs/${jobId}/exceptions`,
  );
  t.match(ex.exceptionHistory.entries[0]!.stacktrace, /Exceeded checkpoint tolerable failure threshold \(3\)/);
});
