/**
 * Falling back past a corrupt checkpoint keeps exactly-once output: the latest checkpoint has committed its
 * part files, one of its state files is then truncated and a worker killed; recovery skips it (loudly) and
 * restores the previous retained checkpoint, replaying the input the skipped one had already committed.
 * The committed output must still hold every record once, per key in order, with counts from state.
 */
import t from 'tap';
import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import {
  readSequenceOutput,
  sequencesExact,
  startCluster,
  submitDetached,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';

const N = 24_000;
const KEYS = 10;

t.test('a fallback past a corrupt, already committed checkpoint duplicates nothing', async (t) => {
  const [out, ckpt] = tempDirs(t, 'fb', 'fb-ckpt') as [string, string];
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
  // checkpoints every 1.5 s: time to see the latest one committed and corrupt it before the next completes
  const jobId = await submitDetached(t, c.restUrl, [
    'jobs/keyed-sequence-check.ts',
    out,
    String(N),
    '2000',
    String(KEYS),
    '1500',
  ]);
  const jobDir = join(ckpt, jobId);
  const completedIds = () =>
    readdirSync(jobDir)
      .filter((d) => /^chk-\d+$/.test(d) && readdirSync(join(jobDir, d)).includes('_metadata'))
      .map((d) => Number(d.slice(4)))
      .sort((a, b) => a - b);
  const ids = await waitFor('2 completed checkpoints', () => completedIds().length >= 2 && completedIds(), 30_000);
  const latest = ids[ids.length - 1]!;
  const cid = String(latest).padStart(6, '0');
  await waitFor(
    `parts of chk-${latest} committed`,
    () => readdirSync(out).some((f) => f.startsWith('part-') && f.split('-')[2] === cid),
    10_000,
    10,
  );
  const dir = join(jobDir, `chk-${latest}`);
  const stateFile = readdirSync(dir).find((f) => f !== '_metadata' && statSync(join(dir, f)).size > 60);
  t.ok(stateFile, 'the latest checkpoint has a state file');
  truncateSync(join(dir, stateFile!), 50);
  t.same(completedIds().at(-1), latest, 'no newer checkpoint completed before the corruption');
  const tms = await c.rest.call<{ taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }> }>(
    'GET',
    '/taskmanagers',
  );
  const busy = new Set(tms.taskmanagers.filter((x) => x.freeSlots < x.slotsNumber).map((x) => x.id));
  c.mini.workers.find((w) => busy.has(String(w.ready.workerId)))!.kill('SIGKILL');
  await c.mini.addWorker();

  t.equal(await c.rest.waitForTerminal(jobId, 120_000), 'FINISHED');
  const ex = await c.rest.call<{ exceptionHistory: { entries: Array<{ stacktrace: string }> } }>(
    'GET',
    `/jobs/${jobId}/exceptions`,
  );
  t.ok(
    ex.exceptionHistory.entries.some((e) =>
      new RegExp(`chk-${latest} could not be restored.*falling back`).test(e.stacktrace),
    ),
    'the fallback past the corrupt checkpoint is reported',
  );
  const { total, perKey } = readSequenceOutput(out);
  t.equal(total, N, 'every record exactly once');
  t.ok(sequencesExact(perKey), 'per-key order and counts exact');
});
