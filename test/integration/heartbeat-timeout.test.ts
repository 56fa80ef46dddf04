/**
 * A worker that stops answering (SIGSTOP: the TCP connection stays open) is declared lost after
 * heartbeat.timeout, not after Flink's 50 s; the job fails over with an exceptions entry that says so.
 */
import t from 'tap';
import { runCli, startCluster, waitFor } from '../support/cluster-harness.js';

t.test('a frozen worker is lost within heartbeat.timeout', async (t) => {
  const c = await startCluster(t, {
    workers: 2,
    conf: { 'heartbeat.interval': '200 ms', 'heartbeat.timeout': '1500 ms' },
  });
  const r = await runCli(t, ['run', '-d', '-m', c.restUrl, '-p', '2', 'jobs/keyed-counts.ts', '1000000000', '10']);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  await waitFor(
    'job RUNNING',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'RUNNING',
  );
  const frozen = c.mini.workers[0]!;
  t.teardown(() => {
    if (frozen.child.exitCode === null) frozen.child.kill('SIGKILL'); // SIGKILL also ends a stopped process
  });
  const frozenAt = Date.now();
  frozen.kill('SIGSTOP');
  await waitFor(
    'job FAILED',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'FAILED',
    15_000,
  );
  const detectedMs = Date.now() - frozenAt;
  t.ok(detectedMs < 10_000, `noticed after ${detectedMs} ms (heartbeat.timeout 1500 ms)`);
  const ex = await c.rest.call<{ exceptionHistory: { entries: Array<{ stacktrace: string }> } }>(
    'GET',
    `/jobs/${jobId}/exceptions`,
  );
  t.match(ex.exceptionHistory.entries[0]!.stacktrace, /missed heartbeats for \d+ ms \(heartbeat\.timeout 1500 ms\)/);
  const tms = await c.rest.call<{ taskmanagers: unknown[] }>('GET', '/taskmanagers');
  t.equal(tms.taskmanagers.length, 1, 'the frozen worker is deregistered');
});
