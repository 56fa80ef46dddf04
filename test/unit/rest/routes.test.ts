import t from 'tap';
import { setup } from './helpers.js';
import { JOB, TM, TRIGGER, V1, V2 } from './fake-facade.js';
import { SpecValidator } from './spec-validator.js';

const spec = new SpecValidator();
/** Fields real Flink 1.19/1.20 servers send beyond the spec (docs/flink-notes.md §1.3–1.4). */
const ALLOWED_EXTRAS = new Set(['$.job-type', '$.pending-operators']);

interface Case {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  url: string;
  specPath?: string;
  status: number;
  body?: unknown;
}

const cases: Case[] = [
  { method: 'GET', url: '/overview', specPath: '/overview', status: 200 },
  { method: 'GET', url: '/config', specPath: '/config', status: 200 },
  { method: 'GET', url: '/jobmanager/config', specPath: '/jobmanager/config', status: 200 },
  {
    method: 'GET',
    url: '/jobmanager/metrics?get=Status.JVM.Memory.Heap.Used',
    specPath: '/jobmanager/metrics',
    status: 200,
  },
  { method: 'GET', url: '/jobs', specPath: '/jobs', status: 200 },
  { method: 'GET', url: '/jobs/overview', specPath: '/jobs/overview', status: 200 },
  { method: 'GET', url: '/jobs/metrics?get=uptime', specPath: '/jobs/metrics', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}`, specPath: '/jobs/{jobid}', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/status`, specPath: '/jobs/{jobid}/status', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/plan`, specPath: '/jobs/{jobid}/plan', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/config`, specPath: '/jobs/{jobid}/config', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/jobmanager/config`, specPath: '/jobs/{jobid}/jobmanager/config', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/exceptions?maxExceptions=5`, specPath: '/jobs/{jobid}/exceptions', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/execution-result`, specPath: '/jobs/{jobid}/execution-result', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/checkpoints`, specPath: '/jobs/{jobid}/checkpoints', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/checkpoints/config`, specPath: '/jobs/{jobid}/checkpoints/config', status: 200 },
  {
    method: 'GET',
    url: `/jobs/${JOB}/checkpoints/details/3`,
    specPath: '/jobs/{jobid}/checkpoints/details/{checkpointid}',
    status: 200,
  },
  { method: 'GET', url: `/jobs/${JOB}/vertices/${V1}`, specPath: '/jobs/{jobid}/vertices/{vertexid}', status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/metrics?get=uptime,numRestarts`, specPath: '/jobs/{jobid}/metrics', status: 200 },
  {
    method: 'GET',
    url: `/jobs/${JOB}/vertices/${V2}/metrics`,
    specPath: '/jobs/{jobid}/vertices/{vertexid}/metrics',
    status: 200,
  },
  {
    method: 'GET',
    url: `/jobs/${JOB}/vertices/${V2}/subtasks/metrics?get=numRecordsIn&agg=min,sum`,
    specPath: '/jobs/{jobid}/vertices/{vertexid}/subtasks/metrics',
    status: 200,
  },
  {
    method: 'GET',
    url: `/jobs/${JOB}/vertices/${V2}/subtasks/1/metrics?get=numRecordsIn`,
    specPath: '/jobs/{jobid}/vertices/{vertexid}/subtasks/{subtaskindex}/metrics',
    status: 200,
  },
  {
    method: 'GET',
    url: `/jobs/${JOB}/resource-requirements`,
    specPath: '/jobs/{jobid}/resource-requirements',
    status: 200,
  },
  { method: 'GET', url: '/taskmanagers', specPath: '/taskmanagers', status: 200 },
  {
    method: 'GET',
    url: `/taskmanagers/${encodeURIComponent(TM)}`,
    specPath: '/taskmanagers/{taskmanagerid}',
    status: 200,
  },
  {
    method: 'GET',
    url: `/taskmanagers/${encodeURIComponent(TM)}/metrics?get=Status.JVM.CPU.Load`,
    specPath: '/taskmanagers/{taskmanagerid}/metrics',
    status: 200,
  },
  {
    method: 'GET',
    url: '/taskmanagers/metrics?get=Status.JVM.CPU.Load',
    specPath: '/taskmanagers/metrics',
    status: 200,
  },
  { method: 'GET', url: '/jars', specPath: '/jars', status: 200 },
  {
    method: 'POST',
    url: `/jobs/${JOB}/savepoints`,
    specPath: '/jobs/{jobid}/savepoints',
    status: 202,
    body: { 'target-directory': 'file:///tmp/sp', 'cancel-job': false },
  },
  {
    method: 'POST',
    url: `/jobs/${JOB}/stop`,
    specPath: '/jobs/{jobid}/stop',
    status: 202,
    body: { targetDirectory: 'file:///tmp/sp', drain: true },
  },
  {
    method: 'POST',
    url: `/jobs/${JOB}/checkpoints`,
    specPath: '/jobs/{jobid}/checkpoints',
    status: 202,
    body: { checkpointType: 'FULL' },
  },
  { method: 'GET', url: `/jobs/${JOB}/models`, status: 200 },
  { method: 'GET', url: `/jobs/${JOB}/accumulators`, specPath: '/jobs/{jobid}/accumulators', status: 200 },
  {
    method: 'GET',
    url: `/jobs/${JOB}/vertices/${V2}/watermarks`,
    specPath: '/jobs/{jobid}/vertices/{vertexid}/watermarks',
    status: 200,
  },
  {
    method: 'POST',
    url: '/savepoint-disposal',
    specPath: '/savepoint-disposal',
    status: 200,
    body: { 'savepoint-path': '/sp/savepoint-cca7bc-bb1e257f0dab' },
  },
];

for (const c of cases) {
  t.test(`${c.method} ${c.url}`, async (t) => {
    const { app } = setup(t);
    const r = await app.inject({ method: c.method, url: c.url, payload: c.body as object | undefined });
    t.equal(r.statusCode, c.status, r.body);
    t.match(r.headers['content-type'], /application\/json/);
    const json = r.json();
    if (c.specPath) {
      const schema = spec.responseSchema(c.method, c.specPath);
      t.ok(schema, `spec has a response schema for ${c.method} ${c.specPath}`);
      const rep = spec.validate(json, schema!);
      t.same(rep.errors, [], 'valid against the spec');
      t.same(
        rep.extras.filter((e) => !ALLOWED_EXTRAS.has(e)),
        [],
        'no undeclared fields',
      );
    }
    // the same route answers under /v1
    const v1 = await app.inject({ method: c.method, url: `/v1${c.url}`, payload: c.body as object | undefined });
    t.equal(v1.statusCode, c.status, '/v1 prefix');
  });
}

t.test('shapes Flink scripts rely on', async (t) => {
  const { app } = setup(t);
  const ov = (await app.inject('/overview')).json();
  t.same(Object.keys(ov), [
    'taskmanagers',
    'slots-total',
    'slots-available',
    'jobs-running',
    'jobs-finished',
    'jobs-cancelled',
    'jobs-failed',
    'flink-version',
    'flink-commit',
  ]);
  t.notOk('taskmanagers-blocked' in ov, 'zero blocked count omitted');
  const tms = await app.inject('/taskmanagers');
  t.match(tms.body, /^\{"taskmanagers":\[.+\]\}$/, 'compact, key first');
  t.equal(tms.json().taskmanagers[0].timeSinceLastHeartbeat, 1_700_000_059_123);
  const jo = (await app.inject('/jobs/overview')).json().jobs[0];
  t.same(Object.keys(jo.tasks), [
    'total',
    'created',
    'scheduled',
    'deploying',
    'running',
    'finished',
    'canceling',
    'canceled',
    'failed',
    'reconciling',
    'initializing',
  ]);
  t.equal(jo.tasks.total, 4);
  t.equal(jo['end-time'], -1);
  const cfg = (await app.inject(`/jobs/${JOB}/checkpoints/config`)).json();
  t.equal(cfg.mode, 'exactly_once', 'mode lower-case');
  const counts = (await app.inject(`/jobs/${JOB}/checkpoints`)).body;
  t.equal(counts.split(':')[5]!.split(',')[0], '3', 'cut -d ":" -f 6 gives the completed count');
  const jmc = (await app.inject('/jobmanager/config')).json() as { key: string; value: string }[];
  t.equal(jmc.find((e) => e.key === 'sluice.security.secret')?.value, '******', 'secrets redacted');
  t.equal(jmc.find((e) => e.key === 'rest.port')?.value, '0');
  t.same((await app.inject(`/jobs/${JOB}/plan`)).json().plan.nodes[0].id, V2);
  t.equal((await app.inject(`/jobs/${JOB}/models`)).json().models[0].name, 'wine');
});

t.test('metrics: bare arrays, string values, ?get= selects, aggregation', async (t) => {
  const { app } = setup(t);
  t.same((await app.inject(`/jobs/${JOB}/metrics`)).json(), [
    { id: 'lastCheckpointExternalPath' },
    { id: 'numRestarts' },
    { id: 'uptime' },
  ]);
  t.same((await app.inject(`/jobs/${JOB}/metrics?get=uptime,missing,numRestarts`)).json(), [
    { id: 'uptime', value: '1234' },
    { id: 'numRestarts', value: '0' },
  ]);
  t.same((await app.inject(`/jobs/${JOB}/vertices/${V2}/subtasks/metrics?get=numRecordsIn`)).json(), [
    { id: 'numRecordsIn', min: 5, max: 7, avg: 6, sum: 12 },
  ]);
  t.same(
    (await app.inject(`/jobs/${JOB}/vertices/${V2}/subtasks/metrics?get=numRecordsIn&agg=max&subtasks=0`)).json(),
    [{ id: 'numRecordsIn', max: 5 }],
  );
  t.same(
    (
      await app.inject(`/taskmanagers/metrics?get=Status.JVM.CPU.Load&agg=sum&taskmanagers=${encodeURIComponent(TM)}`)
    ).json(),
    [{ id: 'Status.JVM.CPU.Load', sum: 0.5 }],
  );
  t.equal((await app.inject(`/jobs/${JOB}/vertices/${V2}/subtasks/metrics?agg=median`)).statusCode, 400);
});

t.test('cancel, stop mode, rescaling', async (t) => {
  const { app, facade } = setup(t);
  const c = await app.inject({ method: 'PATCH', url: `/jobs/${JOB}?mode=cancel` });
  t.equal(c.statusCode, 202);
  t.equal(c.body, '');
  const d = await app.inject({ method: 'PATCH', url: `/jobs/${JOB}` });
  t.equal(d.statusCode, 202, 'mode defaults to cancel');
  t.same(
    facade.calls.filter((x) => x.method === 'cancelJob').map((x) => x.args[0]),
    [JOB, JOB],
  );
  const s = await app.inject({ method: 'PATCH', url: `/jobs/${JOB}?mode=stop` });
  t.equal(s.statusCode, 308);
  t.match(s.json().errors[0], /The termination mode "stop" has been removed/);
  t.equal((await app.inject({ method: 'PATCH', url: `/jobs/${JOB}?mode=explode` })).statusCode, 400);
  const r = await app.inject({ method: 'PATCH', url: `/jobs/${JOB}/rescaling?parallelism=4` });
  t.equal(r.statusCode, 503);
  t.same(r.json(), { errors: ['Rescaling is temporarily disabled. See FLINK-12312.'] });
});

t.test('savepoint / stop / checkpoint: bodies reach the facade, polling follows the operation', async (t) => {
  const { app, facade } = setup(t);
  const clientTrigger = 'f'.repeat(32);
  const sp = await app.inject({
    method: 'POST',
    url: `/jobs/${JOB}/savepoints`,
    payload: { 'target-directory': '/sp', 'cancel-job': true, formatType: 'native', triggerId: clientTrigger },
  });
  t.same(sp.json(), { 'request-id': clientTrigger });
  t.same(facade.calls.at(-1)!.args[1], {
    targetDirectory: '/sp',
    cancelJob: true,
    formatType: 'NATIVE',
    triggerId: clientTrigger,
  });
  t.same((await app.inject(`/jobs/${JOB}/savepoints/${clientTrigger}`)).json(), {
    status: { id: 'IN_PROGRESS' },
    operation: null,
  });
  facade.savepointOps.set(clientTrigger, { status: 'COMPLETED', location: 'file:/sp/savepoint-cca7bc-bb1e257f0dab' });
  const done = (await app.inject(`/jobs/${JOB}/savepoints/${clientTrigger}`)).json();
  t.same(done, { status: { id: 'COMPLETED' }, operation: { location: 'file:/sp/savepoint-cca7bc-bb1e257f0dab' } });
  t.same(spec.validate(done, spec.responseSchema('GET', '/jobs/{jobid}/savepoints/{triggerid}')!).errors, []);
  facade.savepointOps.set(clientTrigger, {
    status: 'COMPLETED',
    failure: { className: 'CheckpointException', message: 'declined' },
  });
  const failed = (await app.inject(`/jobs/${JOB}/savepoints/${clientTrigger}`)).json();
  t.equal(failed.status.id, 'COMPLETED');
  t.equal(failed.operation['failure-cause'].class, 'CheckpointException');
  t.type(failed.operation['failure-cause']['serialized-throwable'], 'string');
  t.same(spec.validate(failed, spec.responseSchema('GET', '/jobs/{jobid}/savepoints/{triggerid}')!).errors, []);

  await app.inject({ method: 'POST', url: `/jobs/${JOB}/stop`, payload: { targetDirectory: '/sp', drain: true } });
  t.same(facade.calls.at(-1)!.args[1], {
    targetDirectory: '/sp',
    drain: true,
    formatType: 'CANONICAL',
    triggerId: undefined,
  });
  const empty = await app.inject({
    method: 'POST',
    url: `/jobs/${JOB}/stop`,
    headers: { 'content-type': 'application/json' },
    payload: '',
  });
  t.equal(empty.statusCode, 202, 'empty JSON body is {}');

  await app.inject({ method: 'POST', url: `/jobs/${JOB}/checkpoints` });
  t.same(facade.calls.at(-1)!.args[1], { checkpointType: 'CONFIGURED', triggerId: undefined });
  facade.checkpointOps.set(TRIGGER, { status: 'COMPLETED', checkpointId: 7 });
  const cp = (await app.inject(`/jobs/${JOB}/checkpoints/${TRIGGER}`)).json();
  t.same(cp, { status: { id: 'COMPLETED' }, operation: { checkpointId: 7 } });
  t.same(spec.validate(cp, spec.responseSchema('GET', '/jobs/{jobid}/checkpoints/{triggerid}')!).errors, []);
  t.equal((await app.inject(`/jobs/${JOB}/checkpoints/${'e'.repeat(32)}`)).statusCode, 404, 'unknown trigger');
  t.equal(
    (await app.inject({ method: 'POST', url: `/jobs/${JOB}/savepoints`, payload: { formatType: 'XML' } })).statusCode,
    400,
  );
  t.equal(
    (await app.inject({ method: 'POST', url: `/jobs/${JOB}/savepoints`, payload: { triggerId: 'nope' } })).statusCode,
    400,
  );
  t.equal(
    (await app.inject({ method: 'POST', url: `/jobs/${JOB}/stop`, payload: { drain: 'maybe' } })).statusCode,
    400,
  );
});

t.test('watermarks per subtask, savepoint disposal', async (t) => {
  const { app, facade } = setup(t);
  t.same((await app.inject(`/jobs/${JOB}/vertices/${V2}/watermarks`)).json(), [
    { id: '0.currentInputWatermark', value: '-9223372036854775808' },
    { id: '1.currentInputWatermark', value: '1700' },
    { id: '10.currentInputWatermark', value: '99' },
  ]);
  const trig = await app.inject({ method: 'POST', url: '/savepoint-disposal', payload: { 'savepoint-path': '/sp/x' } });
  t.equal(trig.statusCode, 200);
  t.same(facade.calls.at(-1), { method: 'triggerSavepointDisposal', args: ['/sp/x', undefined] });
  const poll = (await app.inject(`/savepoint-disposal/${trig.json()['request-id']}`)).json();
  t.same(poll, { status: { id: 'COMPLETED' }, operation: {} });
  t.same(spec.validate(poll, spec.responseSchema('GET', '/savepoint-disposal/{triggerid}')!).errors, []);
  t.equal((await app.inject({ method: 'POST', url: '/savepoint-disposal', payload: {} })).statusCode, 400);
  t.equal((await app.inject(`/savepoint-disposal/${'e'.repeat(32)}`)).statusCode, 404);
});

t.test('resource requirements: PUT validates and forwards', async (t) => {
  const { app, facade } = setup(t);
  const body = { [V1]: { parallelism: { lowerBound: 1, upperBound: 4 } } };
  const ok = await app.inject({ method: 'PUT', url: `/jobs/${JOB}/resource-requirements`, payload: body });
  t.equal(ok.statusCode, 200);
  t.same(facade.calls.at(-1), { method: 'updateResourceRequirements', args: [JOB, body] });
  t.equal(
    (
      await app.inject({
        method: 'PUT',
        url: `/jobs/${JOB}/resource-requirements`,
        payload: { [V1]: { parallelism: { lowerBound: 0, upperBound: 4 } } },
      })
    ).statusCode,
    400,
  );
  t.equal(
    (
      await app.inject({
        method: 'PUT',
        url: `/jobs/${JOB}/resource-requirements`,
        payload: { nope: { parallelism: { lowerBound: 1, upperBound: 4 } } },
      })
    ).statusCode,
    400,
  );
});

t.test('DELETE /cluster answers, then shuts down', async (t) => {
  const { app, facade } = setup(t);
  const r = await app.inject({ method: 'DELETE', url: '/cluster' });
  t.equal(r.statusCode, 200);
  const deadline = Date.now() + 2000;
  while (!facade.shutdownCalled && Date.now() < deadline) await new Promise((res) => setImmediate(res));
  t.ok(facade.shutdownCalled);
});
