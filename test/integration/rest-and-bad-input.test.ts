/**
 * REST paths, shapes and errors on a running cluster, and bad input that must be refused with a clear,
 * specific error while the cluster keeps running: job modules that throw, lack a uid or exceed max
 * parallelism; a worker speaking another protocol version or with the wrong secret. A task failure names its
 * operator chain and subtask.
 */
import t from 'tap';
import { connect } from 'node:net';
import { taskWorkerEnd } from '../../runtime/rpc/messages.js';
import { RPC_PROTOCOL_VERSION, RpcConnection, clientHandshake } from '../../runtime/rpc/rpc-connection.js';
import { assignKeyToParallelOperator } from '../../runtime/keygroups/key-group-assignment.js';
import { runCli, startCluster } from '../support/cluster-harness.js';

t.test('REST and bad input on one cluster', async (t) => {
  const c = await startCluster(t, { workers: 2 });
  const get = async (path: string, init?: RequestInit) => {
    const r = await fetch(c.restUrl + path, init);
    const text = await r.text();
    return { status: r.status, text, json: text ? JSON.parse(text) : undefined };
  };

  const ov = await get('/overview');
  t.equal(ov.status, 200);
  t.same(Object.keys(ov.json), [
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
  t.equal(ov.json.taskmanagers, 2);
  t.same((await get('/v1/overview')).json.taskmanagers, 2, '/v1 prefix is optional');
  const v9 = await get('/v9/overview');
  t.equal(v9.status, 404);
  t.ok(Array.isArray(v9.json.errors));

  const tms = await get('/taskmanagers');
  t.match(tms.text, /^\{"taskmanagers":\[.+\]\}$/, 'compact JSON with taskmanagers first (Flink e2e regex)');
  t.equal(tms.json.taskmanagers.length, 2);

  t.same((await get('/jobs/not-a-job-id')).status, 400);
  t.match((await get('/jobs/not-a-job-id')).json.errors[0], /invalid jobid/i);
  const unknown = await get(`/jobs/${'0'.repeat(32)}`);
  t.equal(unknown.status, 404);
  t.match(unknown.json.errors[0], /not found/);
  t.equal((await get('/no/such/route')).status, 404);

  const bad = await runCli(t, ['run', '-m', c.restUrl, 'test/fixtures/job-throws.ts']);
  t.not(bad.code, 0);
  t.match(bad.stderr, /job module threw while building its dataflow: fixture: bad configuration value/);
  const noUid = await runCli(t, ['run', '-m', c.restUrl, 'test/fixtures/job-no-uid.ts']);
  t.equal(noUid.code, 0, 'a stateful operator without a uid runs with one generated from the topology');
  const wide = await runCli(t, ['run', '-m', c.restUrl, 'test/fixtures/job-too-parallel.ts']);
  t.match(wide.stderr, /parallelism 4 above its max parallelism 2/);

  // a task failure names the operator chain and the subtask, in the CLI's error and on /exceptions
  const badKey = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((k) => assignKeyToParallelOperator(k, 128, 2) === 1)!;
  const failing = await runCli(t, ['run', '-m', c.restUrl, 'test/fixtures/job-fails-in-subtask.ts', String(badKey)]);
  t.equal(failing.code, 1);
  t.match(failing.stderr, /ended FAILED: SluiceError: score -> Print to Std\. Out \(2\/2\) failed: Error: boom at \d+/);
  const failedId = /JobID ([0-9a-f]{32})/.exec(failing.stdout)![1]!;
  const history = (await get(`/jobs/${failedId}/exceptions`)).json.exceptionHistory.entries;
  t.equal(history[0].taskName, 'score -> Print to Std. Out (2/2)');
  t.match(history[0].stacktrace, /score -> Print to Std\. Out \(2\/2\) failed: Error: boom at/);

  const ok = await runCli(t, ['run', '-d', '-m', c.restUrl, '-p', '2', 'jobs/keyed-counts.ts', '1000000000', '10']);
  const jobId = /JobID ([0-9a-f]{32})/.exec(ok.stdout)![1]!;
  const details = await get(`/jobs/${jobId}`);
  t.equal(details.status, 200);
  for (const k of [
    'jid',
    'name',
    'isStoppable',
    'state',
    'start-time',
    'end-time',
    'duration',
    'maxParallelism',
    'now',
    'timestamps',
    'vertices',
    'status-counts',
    'plan',
  ])
    t.ok(k in details.json, `job details has ${k}`);
  t.equal(details.json['end-time'], -1);
  t.same(Object.keys(details.json.timestamps), [
    'INITIALIZING',
    'CREATED',
    'RUNNING',
    'FAILING',
    'FAILED',
    'CANCELLING',
    'CANCELED',
    'FINISHED',
    'RESTARTING',
    'SUSPENDED',
    'RECONCILING',
  ]);
  const jo = await get('/jobs/overview');
  t.same(Object.keys(jo.json.jobs.find((j: { jid: string }) => j.jid === jobId).tasks), [
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
  const plan = await get(`/jobs/${jobId}/plan`);
  t.equal(plan.json.plan.nodes.length, 2);
  t.equal((await get(`/jobs/${jobId}?mode=stop`, { method: 'PATCH' })).status, 308);
  t.equal((await get(`/jobs/${jobId}/rescaling`, { method: 'PATCH' })).status, 503);
  t.equal((await get(`/jobs/${jobId}?mode=cancel`, { method: 'PATCH' })).status, 202);

  // control plane: wrong protocol version and wrong secret are refused with clear errors
  const tryJoin = async (secret: string, version: number) => {
    const socket = connect({ host: c.mini.rpc.host, port: c.mini.rpc.port });
    await new Promise((r) => socket.once('connect', r));
    const conn = new RpcConnection(socket, taskWorkerEnd);
    t.teardown(() => conn.close());
    return clientHandshake(conn, secret, 'taskworker', version);
  };
  await t.rejects(tryJoin('test-secret', 99), {
    code: 'RPC_PROTOCOL_VERSION',
    message: /protocol version 99 is not supported/,
  });
  await t.rejects(tryJoin('wrong-secret', RPC_PROTOCOL_VERSION), {
    code: 'RPC_AUTH_FAILED',
    message: /wrong shared secret/,
  });
  t.equal((await get('/overview')).json.taskmanagers, 2, 'the cluster keeps running with both workers');
});

t.test('sluice info prints the plan without running', async (t) => {
  const r = await runCli(t, ['info', '-p', '2', 'jobs/keyed-counts.ts', '100', '5']);
  t.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  t.equal(plan.type, 'STREAMING');
  t.equal(plan.name, 'keyed running counts');
  t.equal(plan.nodes.length, 2);
  t.equal(plan.nodes[1].inputs[0].ship_strategy, 'HASH');
});
