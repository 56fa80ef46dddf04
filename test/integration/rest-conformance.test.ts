/**
 * REST conformance on a running cluster: every endpoint sluice serves, answered by the real job
 * manager for a real job (2 workers, checkpoints, a savepoint), is validated against Flink's
 * rest_v1_dispatcher.yml schemas with the documented server deviations (see spec-validator.ts), and carries
 * no field the schema does not declare beyond the ones real Flink servers send.
 */
import t from 'tap';
import { SpecValidator } from '../unit/rest/spec-validator.js';
import { runCli, startCluster, tempDirs, waitFor } from '../support/cluster-harness.js';

const spec = new SpecValidator();
const ALLOWED_EXTRAS = new Set(['$.job-type', '$.pending-operators']);

t.test('every served endpoint answers as the spec says, on a live cluster', async (t) => {
  const [out, sp] = tempDirs(t, 'conformance', 'conformance-sp') as [string, string];
  const c = await startCluster(t, { workers: 2 });
  const r = await runCli(t, [
    'run',
    '-d',
    '-m',
    c.restUrl,
    '-p',
    '2',
    'jobs/keyed-sequence-check.ts',
    out,
    '1000000',
    '2000',
    '20',
    '300',
  ]);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  const cps = await waitFor('a completed checkpoint', async () => {
    const s = await c.rest.call<{ counts: { completed: number }; latest: { completed: { id: number } | null } }>(
      'GET',
      `/jobs/${jobId}/checkpoints`,
    );
    return s.counts.completed > 0 && s.latest.completed && s;
  });
  const job = await c.rest.call<{ vertices: Array<{ id: string }> }>('GET', `/jobs/${jobId}`);
  const [v1, v2] = [job.vertices[0]!.id, job.vertices[job.vertices.length - 1]!.id];
  const tm = (await c.rest.call<{ taskmanagers: Array<{ id: string }> }>('GET', '/taskmanagers')).taskmanagers[0]!.id;
  const cid = cps!.latest.completed!.id;
  const savepoint = await c.rest.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/savepoints`, {
    'target-directory': sp,
    'cancel-job': false,
  });
  await waitFor(
    'savepoint completed',
    async () =>
      (await c.rest.call<{ status: { id: string } }>('GET', `/jobs/${jobId}/savepoints/${savepoint['request-id']}`))
        .status.id === 'COMPLETED',
  );

  const gets: Array<[string, string]> = [
    ['/overview', '/overview'],
    ['/config', '/config'],
    ['/jobmanager/config', '/jobmanager/config'],
    ['/jobmanager/metrics?get=numRegisteredTaskManagers', '/jobmanager/metrics'],
    ['/jobs', '/jobs'],
    ['/jobs/overview', '/jobs/overview'],
    ['/jobs/metrics?get=uptime', '/jobs/metrics'],
    [`/jobs/${jobId}`, '/jobs/{jobid}'],
    [`/jobs/${jobId}/status`, '/jobs/{jobid}/status'],
    [`/jobs/${jobId}/plan`, '/jobs/{jobid}/plan'],
    [`/jobs/${jobId}/config`, '/jobs/{jobid}/config'],
    [`/jobs/${jobId}/jobmanager/config`, '/jobs/{jobid}/jobmanager/config'],
    [`/jobs/${jobId}/exceptions?maxExceptions=5`, '/jobs/{jobid}/exceptions'],
    [`/jobs/${jobId}/checkpoints`, '/jobs/{jobid}/checkpoints'],
    [`/jobs/${jobId}/checkpoints/config`, '/jobs/{jobid}/checkpoints/config'],
    [`/jobs/${jobId}/checkpoints/details/${cid}`, '/jobs/{jobid}/checkpoints/details/{checkpointid}'],
    [`/jobs/${jobId}/savepoints/${savepoint['request-id']}`, '/jobs/{jobid}/savepoints/{triggerid}'],
    [`/jobs/${jobId}/vertices/${v1}`, '/jobs/{jobid}/vertices/{vertexid}'],
    [`/jobs/${jobId}/metrics?get=uptime,numRestarts,numberOfCompletedCheckpoints`, '/jobs/{jobid}/metrics'],
    [`/jobs/${jobId}/vertices/${v2}/metrics?get=0.numRecordsIn`, '/jobs/{jobid}/vertices/{vertexid}/metrics'],
    [
      `/jobs/${jobId}/vertices/${v2}/subtasks/metrics?get=numRecordsIn&agg=min,sum`,
      '/jobs/{jobid}/vertices/{vertexid}/subtasks/metrics',
    ],
    [
      `/jobs/${jobId}/vertices/${v2}/subtasks/0/metrics?get=numRecordsIn`,
      '/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/metrics',
    ],
    [`/jobs/${jobId}/vertices/${v2}/watermarks`, '/jobs/{jobid}/vertices/{vertexid}/watermarks'],
    [`/jobs/${jobId}/resource-requirements`, '/jobs/{jobid}/resource-requirements'],
    [`/jobs/${jobId}/accumulators`, '/jobs/{jobid}/accumulators'],
    ['/taskmanagers', '/taskmanagers'],
    [`/taskmanagers/${encodeURIComponent(tm)}`, '/taskmanagers/{taskmanagerid}'],
    [
      `/taskmanagers/${encodeURIComponent(tm)}/metrics?get=Status.JVM.CPU.Load`,
      '/taskmanagers/{taskmanagerid}/metrics',
    ],
    ['/taskmanagers/metrics?get=Status.JVM.CPU.Load', '/taskmanagers/metrics'],
    ['/jars', '/jars'],
  ];
  for (const [url, specPath] of gets) {
    const res = await fetch(c.restUrl + url);
    t.equal(res.status, 200, `GET ${url}`);
    const schema = spec.responseSchema('GET', specPath);
    t.ok(schema, `spec has GET ${specPath}`);
    const rep = spec.validate(await res.json(), schema!);
    t.same(rep.errors, [], `GET ${url}: valid against the spec`);
    t.same(
      rep.extras.filter((e) => !ALLOWED_EXTRAS.has(e)),
      [],
      `GET ${url}: no undeclared fields`,
    );
  }

  // mutations: asynchronous triggers answer {"request-id"} as the spec says; cancel answers 202
  const posts: Array<[string, string, unknown, number]> = [
    [`/jobs/${jobId}/checkpoints`, '/jobs/{jobid}/checkpoints', { checkpointType: 'FULL' }, 202],
    [`/jobs/${jobId}/savepoints`, '/jobs/{jobid}/savepoints', { 'target-directory': sp, 'cancel-job': false }, 202],
  ];
  for (const [url, specPath, body, status] of posts) {
    const res = await fetch(c.restUrl + url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    t.equal(res.status, status, `POST ${url}`);
    t.same(spec.validate(await res.json(), spec.responseSchema('POST', specPath)!).errors, [], `POST ${url}: valid`);
  }
  const cancel = await fetch(`${c.restUrl}/jobs/${jobId}?mode=cancel`, { method: 'PATCH' });
  t.equal(cancel.status, 202, 'PATCH cancel');
  await waitFor(
    'job CANCELED',
    async () => (await c.rest.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status === 'CANCELED',
  );
  const result = await fetch(`${c.restUrl}/jobs/${jobId}/execution-result`);
  t.same(
    spec.validate(await result.json(), spec.responseSchema('GET', '/jobs/{jobid}/execution-result')!).errors,
    [],
    'execution-result of the cancelled job',
  );
});
