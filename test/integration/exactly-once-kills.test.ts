/**
 * Exactly-once under SIGKILL: a keyed stateful job (per-key sequence numbers and
 * counts) on real worker processes, checkpoints every 300 ms, a worker killed three times at random
 * moments after a checkpoint completed; the committed output of the two-phase-commit file sink has no
 * lost and no duplicated record, per-key order intact, and counts restored from state.
 */
import t from 'tap';
import {
  completedCheckpoints,
  readSequenceOutput,
  startCluster,
  submitDetached,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';

const N = 24_000;
const KEYS = 20;

t.test('exactly-once output across three worker kills', async (t) => {
  const [out, ckpt] = tempDirs(t, 'eo', 'eo-ckpt');
  const c = await startCluster(t, {
    workers: 2,
    slots: 2,
    conf: {
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '20',
      'restart-strategy.fixed-delay.delay': '100 ms',
      'execution.checkpointing.dir': ckpt!,
    },
  });
  const jobId = await submitDetached(t, c.restUrl, [
    'jobs/keyed-sequence-check.ts',
    out!,
    String(N),
    '2000',
    String(KEYS),
  ]);
  const completed = () => completedCheckpoints(c, jobId);
  let kills = 0;
  for (let k = 0; k < 3; k++) {
    const before = await completed();
    await waitFor(
      'a new completed checkpoint while the job runs',
      async () => {
        const { status } = await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`);
        // A job that ended before the third kill can never satisfy the wait: say so instead of timing out.
        if (status !== 'RUNNING' && status !== 'RESTARTING' && status !== 'CREATED')
          throw new Error(`the job is ${status} after ${kills} kill(s); the input ended too early`);
        return (await completed()) > before && status === 'RUNNING';
      },
      45_000,
    );
    await new Promise((res) => setTimeout(res, Math.floor(Math.random() * 300))); // a random moment
    const tms = await c.rest.call<{ taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }> }>(
      'GET',
      '/taskmanagers',
    );
    const busy = new Set(tms.taskmanagers.filter((tm) => tm.freeSlots < tm.slotsNumber).map((tm) => tm.id));
    const victims = c.mini.workers.filter(
      (w) => w.child.exitCode === null && w.child.signalCode === null && busy.has(String(w.ready.workerId)),
    );
    t.ok(victims.length > 0, 'a worker runs tasks of the job');
    victims[Math.floor(Math.random() * victims.length)]!.kill('SIGKILL');
    kills++;
    await c.mini.addWorker(); // keep two workers for the next attempt
  }
  t.equal(kills, 3);
  const status = await c.rest.waitForTerminal(jobId, 120_000);
  t.equal(status, 'FINISHED');
  const ex = await c.rest.call<{ exceptionHistory: { entries: unknown[] } }>('GET', `/jobs/${jobId}/exceptions`);
  t.ok(
    ex.exceptionHistory.entries.length >= 3,
    `the job failed over at least 3 times (${ex.exceptionHistory.entries.length})`,
  );
  const stats = await c.rest.call<{ counts: { restored: number; completed: number } }>(
    'GET',
    `/jobs/${jobId}/checkpoints`,
  );
  t.ok(stats.counts.restored >= 1, 'restored from a checkpoint');

  // committed output only: visible part files, in commit order per subtask
  const { total, perKey } = readSequenceOutput(out!);
  t.equal(total, N, 'zero lost, zero duplicated records');
  t.equal(perKey.size, KEYS);
  let orderOk = true;
  let countsOk = true;
  for (const list of perKey.values()) {
    list.forEach((e, i) => {
      if (e.seq !== i) orderOk = false;
      if (e.n !== i + 1) countsOk = false;
    });
  }
  t.ok(orderOk, 'per-key order intact (sequence numbers 0..M-1 in commit order)');
  t.ok(countsOk, 'per-key counts continue exactly from restored state');
});
