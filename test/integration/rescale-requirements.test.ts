/**
 * PUT /jobs/:id/resource-requirements rescales a running job: checkpoint, redeploy at the new
 * parallelism from it; keyed counts continue exactly (every record once, per-key counts from state), and a
 * request the cluster cannot give slots for is refused with Flink's error shape while the job keeps running.
 */
import t from 'tap';
import {
  readSequenceOutput,
  runCli,
  sequencesExact,
  startCluster,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';

const N = 24_000;

t.test('rescale 2 → 3 through resource requirements; exactly-once output', async (t) => {
  const [out] = tempDirs(t, 'rescale-req') as [string];
  const c = await startCluster(t, { workers: 3 });
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
    '3000',
    '40',
    '300',
  ]);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  type Details = { state: string; vertices: Array<{ name: string; parallelism: number; status: string }> };
  const details = () => c.rest.call<Details>('GET', `/jobs/${jobId}`);
  await waitFor('job running with a completed checkpoint', async () => {
    const d = await details();
    const cps = await c.rest.call<{ counts: { completed: number } }>('GET', `/jobs/${jobId}/checkpoints`);
    return d.state === 'RUNNING' && d.vertices.every((v) => v.status === 'RUNNING') && cps.counts.completed > 0;
  });
  const reqs = await c.rest.call<Record<string, { parallelism: { lowerBound: number; upperBound: number } }>>(
    'GET',
    `/jobs/${jobId}/resource-requirements`,
  );
  const keyedVertex = Object.entries(reqs).find(([, v]) => v.parallelism.upperBound === 2)![0];

  const tooMany = await fetch(`${c.restUrl}/jobs/${jobId}/resource-requirements`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ [keyedVertex]: { parallelism: { lowerBound: 1, upperBound: 5 } } }),
  });
  t.equal(tooMany.status, 503);
  t.match(((await tooMany.json()) as { errors: string[] }).errors[0], /needs 5 slots; the cluster can give it 3/);
  t.equal((await details()).state, 'RUNNING', 'a refused rescale leaves the job running');

  await c.rest.call('PUT', `/jobs/${jobId}/resource-requirements`, {
    [keyedVertex]: { parallelism: { lowerBound: 1, upperBound: 3 } },
  });
  await waitFor(
    'running at parallelism 3',
    async () => {
      const d = await details();
      return (
        d.state === 'RUNNING' &&
        d.vertices.some((v) => v.parallelism === 3) &&
        d.vertices.every((v) => v.status === 'RUNNING')
      );
    },
    30_000,
  );
  const after = await c.rest.call<typeof reqs>('GET', `/jobs/${jobId}/resource-requirements`);
  t.ok(
    Object.values(after).some((v) => v.parallelism.upperBound === 3),
    'the requirements report the new parallelism',
  );

  await waitFor('job FINISHED', async () => (await details()).state === 'FINISHED', 60_000);
  const { total, perKey } = readSequenceOutput(out);
  t.equal(total, N, 'every record exactly once across the rescale');
  t.ok(sequencesExact(perKey), 'per-key counts continue from the restored state');
});
