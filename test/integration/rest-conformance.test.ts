/**
 * REST conformance on a live cluster: every operation of Flink's rest_v1_dispatcher.yml (and the log
 * endpoints Flink's dashboard calls beyond it) is sent to a real job manager with a running job — before and
 * after a worker is killed and the job restarts, and after the job is cancelled — and each reply is
 * validated against the spec (errors as `{"errors":[…]}`). The figures behind the new views are checked
 * too (bytes measured, back-pressure levels, subtask times, flame graph samples, logs, memory), and bad input
 * (log names with `..` or absolute paths, unknown vertices, a lost worker) gets Flink's error shape while the
 * cluster goes on.
 */
import t, { type Test } from 'tap';
import { bundleJob } from '../../runtime/bundle/job-bundle.js';
import { SpecValidator } from '../unit/rest/spec-validator.js';
import { runCli, startCluster, tempDirs, waitFor } from '../support/cluster-harness.js';
import {
  clusterOperations,
  jobOperations,
  specOperations,
  walk,
  type Op,
  type Seen,
} from '../support/rest-operations.js';

const spec = new SpecValidator();
type Json = Record<string, any>;

function checkAll(t: Test, seen: Seen[], label: string): void {
  for (const s of seen) {
    t.equal(s.status, s.op.status, `${label}: ${s.op.method} ${s.op.url} → ${s.op.status}`);
    t.same(s.errors, [], `${label}: ${s.op.method} ${s.op.url} valid`);
    t.same(s.extras, [], `${label}: ${s.op.method} ${s.op.url} no undeclared fields`);
  }
}

t.test('every operation of the REST spec answers as the spec says, on a live cluster', async (t) => {
  const [out, sp, logDir] = tempDirs(t, 'conformance', 'conformance-sp', 'conformance-log') as [string, string, string];
  const c = await startCluster(t, {
    workers: 3,
    slots: 2,
    conf: {
      'env.log.dir': logDir,
      'rest.flamegraph.enabled': 'true',
      'rest.flamegraph.num-samples': '10',
      'rest.flamegraph.refresh-interval': '1 s',
    },
  });
  const base = c.restUrl;
  const call = <T = Json>(m: string, u: string, b?: unknown) => c.rest.call<T>(m, u, b);
  const args = ['jobs/keyed-sequence-check.ts', out, '100000000', '2000', '20', '2000'];
  const r = await runCli(t, ['run', '-d', '-m', base, '-p', '2', ...args]);
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  const walked: Op[] = [];
  const run = async (ops: Op[], label: string) => {
    walked.push(...ops);
    const seen = await walk(base, ops, spec);
    checkAll(t, seen, label);
    return seen;
  };
  const latestCompleted = () =>
    waitFor(
      'a completed checkpoint',
      async () => (await call(`GET`, `/jobs/${jobId}/checkpoints`)).latest.completed?.id,
    );

  const job = await call('GET', `/jobs/${jobId}`);
  const [src, sink] = [job.vertices[0].id as string, job.vertices[job.vertices.length - 1].id as string];
  const sub0Worker = () => call('GET', `/jobs/${jobId}/vertices/${sink}/subtasks/0`).then((s) => s['taskmanager-id']);
  let cid = await latestCompleted();
  let tm: string = await sub0Worker();

  // Bytes are measured: the keyed edge crosses workers, so the sink vertex reads bytes.
  await waitFor('bytes read by the keyed vertex', async () => {
    const v = (await call('GET', `/jobs/${jobId}`)).vertices.find((x: Json) => x.id === sink);
    return v.metrics['read-bytes'] > 0 && v.metrics['read-bytes-complete'] === true;
  });
  const details = await call('GET', `/jobs/${jobId}/vertices/${sink}`);
  t.equal(details.subtasks.length, 2, 'one row per subtask');
  t.ok(details.subtasks[0].metrics['read-records'] > 0, 'subtask metrics carry records');
  t.ok(details.subtasks[0]['status-duration'].RUNNING >= 0, 'status-duration has the RUNNING time');
  t.ok(details.aggregated.metrics['read-bytes'].sum > 0, 'aggregated bytes');
  const srcDetails = await call('GET', `/jobs/${jobId}/vertices/${src}`);
  t.ok(srcDetails.aggregated.metrics['write-bytes'].sum > 0, 'the source vertex wrote bytes');

  // Phase 1: a running job.
  await run(clusterOperations(tm), 'running');
  await run(jobOperations({ jobId, vertexId: sink, tm, checkpointId: cid, attempt: 0 }), 'running');
  const bp = await call('GET', `/jobs/${jobId}/vertices/${src}/backpressure`);
  t.equal(bp.status, 'ok', 'back pressure from the time metrics');
  t.match(bp.backpressureLevel, /^(ok|low|high)$/);
  t.equal(bp.subtasks.length, srcDetails.parallelism, 'one row per subtask');
  const times = await call('GET', `/jobs/${jobId}/vertices/${sink}/subtasktimes`);
  t.ok(times.subtasks[0].timestamps.RUNNING >= times.subtasks[0].timestamps.DEPLOYING, 'state timestamps in order');
  cid = await latestCompleted();
  const ckSub = await call('GET', `/jobs/${jobId}/checkpoints/details/${cid}/subtasks/${sink}`);
  t.equal(ckSub.num_acknowledged_subtasks, 2);
  t.ok(ckSub.state_size > 0, 'the keyed vertex has state in the checkpoint');
  const ckDetails = await call('GET', `/jobs/${jobId}/checkpoints/details/${cid}`);
  t.equal(ckDetails.tasks[sink].state_size, ckSub.state_size, 'per-vertex size in the checkpoint details');
  // A sampling window can fall on a moment the sink is idle (no on-CPU samples): ask again until one has.
  const fg = await waitFor('a sampled flame graph with samples', async () => {
    const f = await call('GET', `/jobs/${jobId}/vertices/${sink}/flamegraph?type=ON_CPU`);
    return f.endTimestamp > 0 && f.data?.value > 0 && f;
  });
  t.same(spec.validate(fg, spec.responseSchema('GET', '/jobs/{jobid}/vertices/{vertexid}/flamegraph')!).errors, []);
  t.equal(fg.data.name, 'root');
  t.ok(fg.data.value > 0 && fg.data.children.length > 0, 'the flame graph has samples');
  const jmMetrics = await call<Json[]>(
    'GET',
    '/jobmanager/metrics?get=Status.JVM.Memory.Heap.Used,Status.JVM.Memory.Heap.Max',
  );
  t.equal(jmMetrics.length, 2, 'job manager memory figures');
  t.ok(Number(jmMetrics[0]!.value) > 0);
  const tmInfo = await call('GET', `/taskmanagers/${encodeURIComponent(tm)}`);
  t.ok(tmInfo.memoryConfiguration.taskHeap > 0 && tmInfo.totalResource.taskHeapMemory > 0, 'worker memory');
  const jmLog = await (await fetch(`${base}/jobmanager/log`)).text();
  t.match(jmLog, /"msg":"Registered task worker/, 'the job manager log is pino JSON');
  const tmLogs = await call('GET', `/taskmanagers/${encodeURIComponent(tm)}/logs`);
  const tmLogName = tmLogs.logs.find((l: Json) => l.name.endsWith('.log')).name;
  const byName = await fetch(`${base}/taskmanagers/${encodeURIComponent(tm)}/logs/${tmLogName}`);
  t.equal(byName.status, 200, 'a worker log file by name');
  t.match(await byName.text(), /registered at the job manager/);

  // Bad input: Flink's error shape, nothing outside the log directory, the cluster unaffected.
  const bad: Op[] = [
    { method: 'GET', specPath: '', url: '/jobmanager/logs/..%2F..%2Fetc%2Fpasswd', status: 400 },
    { method: 'GET', specPath: '', url: '/jobmanager/logs/%2Fetc%2Fpasswd', status: 400 },
    {
      method: 'GET',
      specPath: '',
      url: `/taskmanagers/${encodeURIComponent(tm)}/logs/..%2F..%2Fetc%2Fhostname`,
      status: 400,
    },
    { method: 'GET', specPath: '', url: '/jobmanager/logs/no-such.log', status: 404 },
    { method: 'GET', specPath: '', url: `/jobs/${jobId}/vertices/${'0'.repeat(32)}/flamegraph`, status: 404 },
    { method: 'GET', specPath: '', url: `/jobs/${jobId}/vertices/${sink}/flamegraph?subtaskindex=9`, status: 404 },
    { method: 'GET', specPath: '', url: `/jobs/${jobId}/vertices/${sink}/flamegraph?type=HOT`, status: 400 },
    { method: 'POST', specPath: '/jobs', url: '/jobs', body: {}, status: 400 },
  ];
  for (const s of await walk(base, bad, spec)) {
    t.equal(s.status, s.op.status, `bad input ${s.op.url} → ${s.op.status}`);
    t.same(s.errors, [], `bad input ${s.op.url}: Flink's error shape`);
    t.notMatch(JSON.stringify(s.json), /root:x:0:0/, 'nothing outside the log directory');
  }
  walked.push(bad[bad.length - 1]!);
  t.equal((await call('GET', `/jobs/${jobId}/status`)).status, 'RUNNING', 'the job runs on');

  // Phase 2: the worker running subtask 0 of the sink dies; the job restarts on the others.
  const beforeKill = await latestCompleted();
  const victim = c.mini.workers.find((w) => w.ready.workerId === tm)!;
  victim.kill('SIGKILL');
  await waitFor(
    'the job running again after the restart',
    async () => {
      const s = await call('GET', `/jobs/${jobId}/vertices/${sink}/subtasks/0`);
      const status = (await call('GET', `/jobs/${jobId}/status`)).status;
      return s.attempt === 1 && s.status === 'RUNNING' && status === 'RUNNING';
    },
    90_000,
  );
  const lost = await walk(
    base,
    [{ method: 'GET', specPath: '', url: `/taskmanagers/${encodeURIComponent(tm)}/thread-dump`, status: 404 }],
    spec,
  );
  t.equal(lost[0]!.status, 404, 'thread dump of a lost worker: 404');
  t.same(lost[0]!.errors, [], "Flink's error shape");
  const exc = await call('GET', `/jobs/${jobId}/exceptions`);
  const entry = exc.exceptionHistory.entries.find((e: Json) => /WORKER_LOST/.test(e.exceptionName));
  t.ok(entry, 'the lost worker is in the exception history');
  t.match(entry.taskName, /\(\d+\/\d+\)$/, 'with the task it ran');
  t.match(entry.endpoint, /^127\.0\.0\.1:\d+$/, 'and its endpoint');
  cid = await waitFor(
    'a checkpoint of the new attempt',
    async () => {
      const id = await latestCompleted();
      return id > beforeKill && id;
    },
    60_000,
  );
  tm = await sub0Worker();
  await run(jobOperations({ jobId, vertexId: sink, tm, checkpointId: cid, attempt: 1 }), 'restarted');
  const prior = await call('GET', `/jobs/${jobId}/vertices/${sink}/subtasks/0/attempts/0`);
  t.equal(prior.attempt, 0, 'the earlier attempt is kept');
  const failed = (await call('GET', `/jobs/${jobId}/checkpoints`)).latest.failed;
  if (failed) t.equal((await call('GET', `/jobs/${jobId}/checkpoints/details/${failed.id}`)).id, failed.id);

  // Phase 3: the mutating operations.
  await mutations(t, base, jobId, sp, walked);

  // Phase 4: cancelled.
  await run([{ method: 'PATCH', specPath: '/jobs/{jobid}', url: `/jobs/${jobId}?mode=cancel`, status: 202 }], 'cancel');
  await waitFor('job CANCELED', async () => (await call('GET', `/jobs/${jobId}/status`)).status === 'CANCELED');
  await run(jobOperations({ jobId, vertexId: sink, tm, checkpointId: cid, attempt: 1 }), 'cancelled');
  t.equal((await call('GET', `/jobs/${jobId}/vertices/${sink}/flamegraph`)).endTimestamp > -2, true);

  // Every operation of the spec was walked, DELETE /cluster last.
  await run([{ method: 'DELETE', specPath: '/cluster', url: '/cluster', status: 200 }], 'shutdown');
  const covered = new Set(walked.map((o) => `${o.method} ${o.specPath}`));
  t.same(
    specOperations(spec).filter((o) => !covered.has(o)),
    [],
    'every operation of rest_v1_dispatcher.yml was sent',
  );
});

async function mutations(t: Test, base: string, jobId: string, sp: string, walked: Op[]): Promise<void> {
  const send = async (op: Op) => {
    walked.push(op);
    const [s] = await walk(base, [op], spec);
    checkAll(t, [s!], 'mutation');
    return s!.json as Json;
  };
  const poll = async (url: string, specPath: string) =>
    waitFor(
      `${url} completed`,
      async () => {
        const r = await send({ method: 'GET', specPath, url, status: 200 });
        return r.status.id === 'COMPLETED' && r;
      },
      60_000,
    );
  const J = `/jobs/${jobId}`;
  const ck = await send({
    method: 'POST',
    specPath: '/jobs/{jobid}/checkpoints',
    url: `${J}/checkpoints`,
    body: {},
    status: 202,
  });
  await poll(`${J}/checkpoints/${ck['request-id']}`, '/jobs/{jobid}/checkpoints/{triggerid}');
  const sv = await send({
    method: 'POST',
    specPath: '/jobs/{jobid}/savepoints',
    url: `${J}/savepoints`,
    body: { 'target-directory': sp, 'cancel-job': false },
    status: 202,
  });
  const done = await poll(`${J}/savepoints/${sv['request-id']}`, '/jobs/{jobid}/savepoints/{triggerid}');
  t.match(done.operation.location, /^file:/, `the savepoint completed: ${JSON.stringify(done.operation)}`);
  const trigger = '0123456789abcdef0123456789abcdef';
  await send({
    method: 'PATCH',
    specPath: '/jobs/{jobid}/clientHeartbeat',
    url: `${J}/clientHeartbeat`,
    body: { expiredTimestamp: Date.now() + 60_000 },
    status: 202,
  });
  await send({
    method: 'PATCH',
    specPath: '/jobs/{jobid}/rescaling',
    url: `${J}/rescaling?parallelism=2`,
    status: 503,
  });
  await send({
    method: 'GET',
    specPath: '/jobs/{jobid}/rescaling/{triggerid}',
    url: `${J}/rescaling/${trigger}`,
    status: 503,
  });
  await send({ method: 'DELETE', specPath: '/datasets/{datasetid}', url: `/datasets/${trigger}`, status: 404 });
  await send({
    method: 'GET',
    specPath: '/datasets/delete/{triggerid}',
    url: `/datasets/delete/${trigger}`,
    status: 404,
  });
  const disposal = await send({
    method: 'POST',
    specPath: '/savepoint-disposal',
    url: '/savepoint-disposal',
    body: { 'savepoint-path': done.operation.location },
    status: 200,
  });
  t.ok(disposal['request-id'], 'disposal triggered');
  if (disposal['request-id'])
    await poll(`/savepoint-disposal/${disposal['request-id']}`, '/savepoint-disposal/{triggerid}');

  // A second job through the jar operations, rescaled through its requirements and stopped with a savepoint.
  const bundle = await bundleJob('jobs/keyed-sequence-check.ts');
  const form = new FormData();
  form.append('jarfile', new Blob([bundle.code]), 'keyed-sequence-check.js');
  const jar = await send({ method: 'POST', specPath: '/jars/upload', url: '/jars/upload', body: form, status: 200 });
  const jarId = String(jar.filename).split('/').pop()!;
  const runBody = { programArgsList: [`${sp}/out2`, '100000000', '2000', '20', '300'], parallelism: 1 };
  await send({
    method: 'POST',
    specPath: '/jars/{jarid}/plan',
    url: `/jars/${jarId}/plan`,
    body: runBody,
    status: 200,
  });
  const job2 = (
    await send({ method: 'POST', specPath: '/jars/{jarid}/run', url: `/jars/${jarId}/run`, body: runBody, status: 200 })
  ).jobid;
  await waitFor(
    'job 2 running',
    async () => (await (await fetch(`${base}/jobs/${job2}/status`)).json()).status === 'RUNNING',
  );
  const req = (await (await fetch(`${base}/jobs/${job2}/resource-requirements`)).json()) as Json;
  await send({
    method: 'PUT',
    specPath: '/jobs/{jobid}/resource-requirements',
    url: `/jobs/${job2}/resource-requirements`,
    body: req,
    status: 200,
  });
  await waitFor(
    'job 2 running again',
    async () => (await (await fetch(`${base}/jobs/${job2}/status`)).json()).status === 'RUNNING',
    60_000,
  );
  const stop = await send({
    method: 'POST',
    specPath: '/jobs/{jobid}/stop',
    url: `/jobs/${job2}/stop`,
    body: { targetDirectory: sp, drain: false },
    status: 202,
  });
  await poll(`/jobs/${job2}/savepoints/${stop['request-id']}`, '/jobs/{jobid}/savepoints/{triggerid}');
  await send({ method: 'DELETE', specPath: '/jars/{jarid}', url: `/jars/${jarId}`, status: 200 });
}
