import t from 'tap';
import { setup } from './helpers.js';
import { JOB, V1 } from './fake-facade.js';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { rewriteVersionedUrl } from '../../../runtime/rest/index.js';

const OTHER = '0'.repeat(32);

t.test('every error is {"errors":[msg]} with the right status', async (t) => {
  const { app } = setup(t);
  const cases: [string, string, number, RegExp][] = [
    ['GET', '/jobs/not-a-job-id', 400, /jobid "not-a-job-id".*32 lower-case hex/],
    ['GET', `/jobs/${JOB.toUpperCase()}`, 400, /jobid/],
    ['GET', `/jobs/${OTHER}`, 404, new RegExp(`Job ${OTHER} not found`)],
    ['GET', `/jobs/${OTHER}/status`, 404, /not found/],
    ['GET', `/jobs/${OTHER}/checkpoints`, 404, /not found/],
    ['PATCH', `/jobs/${OTHER}?mode=cancel`, 404, /not found/],
    ['POST', `/jobs/${OTHER}/savepoints`, 404, /not found/],
    ['GET', `/jobs/${JOB}/savepoints/${OTHER}`, 404, /trigger/],
    ['GET', `/jobs/${JOB}/savepoints/xyz`, 400, /triggerid/],
    ['GET', `/jobs/${JOB}/vertices/${OTHER}`, 404, /Vertex/],
    ['GET', `/jobs/${JOB}/vertices/${V1}x`, 400, /vertexid/],
    ['GET', `/jobs/${JOB}/checkpoints/details/abc`, 400, /checkpointid/],
    ['GET', `/jobs/${JOB}/checkpoints/details/99`, 404, /Checkpoint 99/],
    ['GET', `/jobs/${JOB}/exceptions?maxExceptions=-1`, 400, /maxExceptions/],
    ['GET', `/jobs/${JOB}/exceptions?failureLabelFilter=nocolon`, 400, /key:value/],
    ['GET', '/taskmanagers/nobody', 404, /Task manager nobody/],
    ['GET', '/no/such/route', 404, /Not found: \/no\/such\/route/],
    ['GET', '/v2/jobs', 404, /unsupported REST API version in \/v2\/jobs/],
    ['DELETE', '/jars/../../etc/passwd', 404, /./],
    ['DELETE', `/jars/${OTHER}_job.mjs`, 404, /does not exist/],
  ];
  for (const [method, url, status, re] of cases) {
    const r = await app.inject({ method: method as 'GET', url });
    t.equal(r.statusCode, status, `${method} ${url}`);
    const body = r.json();
    t.same(Object.keys(body), ['errors'], `${method} ${url} body`);
    t.equal(body.errors.length, 1);
    t.match(body.errors[0], re, `${method} ${url} message`);
  }
});

t.test('malformed JSON is a 400; SluiceErrors keep their status; other throws are 500 without stacks', async (t) => {
  const { app, facade, errors } = setup(t);
  const bad = await app.inject({
    method: 'POST',
    url: `/jobs/${JOB}/savepoints`,
    headers: { 'content-type': 'application/json' },
    payload: '{nope',
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().errors[0], /not valid JSON/);
  const curlD = await app.inject({
    method: 'POST',
    url: `/jobs/${JOB}/stop`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: '{"drain":true}',
  });
  t.equal(curlD.statusCode, 202, 'curl -d bodies are read as JSON, as Flink does');
  t.same(facade.calls.at(-1)!.args[1], {
    targetDirectory: undefined,
    drain: true,
    formatType: 'CANONICAL',
    triggerId: undefined,
  });
  facade.failNext = new SluiceError('JOB_NOT_RUNNING', 'Job is not running.');
  const conflict = await app.inject({ method: 'PATCH', url: `/jobs/${JOB}` });
  t.equal(conflict.statusCode, 409);
  t.same(conflict.json(), { errors: ['Job is not running.'] });
  facade.failNext = new Error('secret internal detail');
  const boom = await app.inject('/overview');
  t.equal(boom.statusCode, 500);
  t.same(boom.json(), { errors: ['Internal server error.'] });
  t.notMatch(boom.body, /secret internal detail|at /);
  t.match(errors.join('\n'), /secret internal detail/, 'logged server-side');
});

t.test('/v1 rewriting', async (t) => {
  t.equal(rewriteVersionedUrl('/v1/jobs/overview'), '/jobs/overview');
  t.equal(rewriteVersionedUrl('/v1/jobs?x=1'), '/jobs?x=1');
  t.equal(rewriteVersionedUrl('/v1'), '/');
  t.equal(rewriteVersionedUrl('/jobs'), '/jobs');
  t.equal(rewriteVersionedUrl('/v10/jobs'), '/__sluice_unknown_rest_version__');
  t.equal(rewriteVersionedUrl('/version'), '/version');
});
