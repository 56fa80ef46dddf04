/**
 * A frozen worker is ended, not only dropped: an operator stuck in `for (;;)` blocks the worker's event
 * loop; its heartbeats stop, the job manager declares it lost, and the worker's watchdog thread (off the
 * event loop) kills the process once the loop has been blocked for twice heartbeat.timeout (at least 10 s). Without the
 * watchdog the process spun at 100 % CPU forever and ignored SIGTERM.
 */
import t from 'tap';
import { runCli, startCluster, waitFor } from '../support/cluster-harness.js';

t.test('a worker whose event loop is blocked ends itself', async (t) => {
  const c = await startCluster(t, {
    workers: 1,
    conf: { 'heartbeat.interval': '200 ms', 'heartbeat.timeout': '1500 ms' },
  });
  const worker = c.mini.workers[0]!;
  const r = await runCli(t, ['run', '-d', '-m', c.restUrl, 'test/fixtures/job-spins.ts']);
  t.equal(r.code, 0, r.stderr);
  const exit = await waitFor(
    'the frozen worker process gone',
    () => (worker.child.exitCode !== null || worker.child.signalCode !== null) && worker.child.signalCode,
    30_000,
  );
  t.equal(exit, 'SIGKILL', 'the watchdog killed it');
  t.ok(
    c.lines.some((l) =>
      /event loop blocked for \d+ ms \(limit 10000 ms: twice heartbeat\.timeout, at least 10 s\)/.test(l),
    ),
    'and said why',
  );
});
