/**
 * Reactive mode: with `scheduler-mode: reactive` a running job follows the cluster's slots — a
 * third worker joins and the job rescales 2 → 3 from a checkpoint; a worker is killed and the job restarts
 * at the 2 slots left instead of failing for want of 3 — and the output stays exactly-once throughout.
 */
import t from 'tap';
import {
  completedCheckpoints,
  readSequenceOutput,
  runCli,
  sequencesExact,
  startCluster,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';

const N = 30_000;

t.test('a job follows the slots: 2 → 3 on a new worker, 3 → 2 after a lost one; exactly-once', async (t) => {
  const [out] = tempDirs(t, 'reactive') as [string];
  const c = await startCluster(t, {
    workers: 2,
    conf: {
      'scheduler-mode': 'reactive',
      'jobmanager.adaptive-scheduler.resource-stabilization-timeout': '300 ms',
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.delay': '200 ms',
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
    String(N),
    '2500',
    '40',
    '300',
  ]);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  type Details = { state: string; vertices: Array<{ parallelism: number; status: string }> };
  const details = () => c.rest.call<Details>('GET', `/jobs/${jobId}`);
  const runningAt = (p: number) => async () => {
    const d = await details();
    return (
      d.state === 'RUNNING' &&
      Math.max(...d.vertices.map((v) => v.parallelism)) === p &&
      d.vertices.every((v) => v.status === 'RUNNING')
    );
  };
  await waitFor(
    'running at 2 with a checkpoint',
    async () => (await runningAt(2)()) && (await completedCheckpoints(c, jobId)) > 0,
  );

  await c.mini.addWorker();
  await waitFor('rescaled to 3 after the third worker joined', runningAt(3), 30_000);
  t.pass('scaled up to the new slots');

  c.mini.workers[2]!.kill('SIGKILL');
  await waitFor('running again at 2 after the worker was lost', runningAt(2), 30_000);
  t.pass('restarted at the slots left');

  await waitFor('job FINISHED', async () => (await details()).state === 'FINISHED', 90_000);
  const { total, perKey } = readSequenceOutput(out);
  t.equal(total, N, 'every record exactly once across both rescales');
  t.ok(sequencesExact(perKey), 'per-key counts continue from restored state');
});
