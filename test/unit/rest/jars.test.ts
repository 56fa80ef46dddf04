import t from 'tap';
import { setup } from './helpers.js';
import { JOB } from './fake-facade.js';
import { sanitizeJarName } from '../../../runtime/rest/index.js';
import { SpecValidator } from './spec-validator.js';

const spec = new SpecValidator();

async function upload(app: ReturnType<typeof setup>['app'], name: string, content: string, field = 'jarfile') {
  const form = new FormData();
  form.append(field, new Blob([content], { type: 'application/x-java-archive' }), name);
  const req = new Request('http://x/', { method: 'POST', body: form });
  const payload = Buffer.from(await req.arrayBuffer());
  return app.inject({
    method: 'POST',
    url: '/jars/upload',
    headers: { 'content-type': req.headers.get('content-type')! },
    payload,
  });
}

t.test('upload → list → run → delete', async (t) => {
  const { app, facade } = setup(t);
  const up = await upload(app, '../../evil name.mjs', 'export default 1;');
  t.equal(up.statusCode, 200, up.body);
  const body = up.json();
  t.same(spec.validate(body, spec.responseSchema('POST', '/jars/upload')!).errors, []);
  t.equal(body.status, 'success');
  const id = body.filename.split('/').pop();
  t.match(id, /^[0-9a-f]{32}_evil_name\.mjs$/, 'server-generated id, sanitized name');
  const stored = facade.calls.find((c) => c.method === 'storeJar')!.args[0] as { bytes: Buffer; name: string };
  t.equal(stored.bytes.toString(), 'export default 1;');
  const list = (await app.inject('/jars')).json();
  t.same(spec.validate(list, spec.responseSchema('GET', '/jars')!).errors, []);
  t.equal(list.files[0].id, id);
  t.match(list.address, /^http:\/\/127\.0\.0\.1:\d+$/);

  const run = await app.inject({
    method: 'POST',
    url: `/jars/${id}/run?parallelism=3&programArg=a,b`,
    payload: {
      allowNonRestoredState: true,
      savepointPath: '/sp/savepoint-1',
      flinkConfiguration: { 'pipeline.max-parallelism': 64 },
    },
  });
  t.equal(run.statusCode, 200, run.body);
  t.same(run.json(), { jobid: JOB });
  t.same(spec.validate(run.json(), spec.responseSchema('POST', '/jars/{jarid}/run')!).errors, []);
  const req = facade.calls.at(-1)!.args[1] as Record<string, unknown>;
  t.same(req, {
    programArgs: ['a', 'b'],
    parallelism: 3,
    jobId: undefined,
    savepointPath: '/sp/savepoint-1',
    allowNonRestoredState: true,
    claimMode: undefined,
    entryClass: undefined,
    flinkConfiguration: { 'pipeline.max-parallelism': '64' },
  });

  const bodyWins = await app.inject({
    method: 'POST',
    url: `/jars/${id}/run?parallelism=3`,
    payload: { parallelism: 2, programArgsList: ['x y'], jobId: 'a'.repeat(32), restoreMode: 'claim' },
  });
  t.same(bodyWins.json(), { jobid: 'a'.repeat(32) });
  t.match(facade.calls.at(-1)!.args[1], { parallelism: 2, programArgs: ['x y'], claimMode: 'CLAIM' });

  t.equal((await app.inject({ method: 'POST', url: `/jars/${id}/run`, payload: { parallelism: 0 } })).statusCode, 400);
  t.equal((await app.inject({ method: 'POST', url: `/jars/${id}/run?parallelism=x` })).statusCode, 400);
  t.equal((await app.inject({ method: 'POST', url: `/jars/${id}/run`, payload: { jobId: 'nope' } })).statusCode, 400);
  t.equal(
    (await app.inject({ method: 'POST', url: `/jars/${id}/run`, payload: { programArgsList: [1] } })).statusCode,
    400,
  );
  t.equal(
    (await app.inject({ method: 'POST', url: `/jars/${'b'.repeat(32)}_x.mjs/run` })).statusCode,
    404,
    'unknown jar',
  );
  t.equal(
    (await app.inject({ method: 'POST', url: `/jars/${id}/plan` })).statusCode,
    404,
    'plan unsupported by this facade',
  );

  t.equal((await app.inject({ method: 'DELETE', url: `/jars/${id}` })).statusCode, 200);
  t.same((await app.inject('/jars')).json().files, []);
  t.equal((await app.inject({ method: 'DELETE', url: `/jars/${id}` })).statusCode, 404);
});

t.test('upload errors: wrong field, not multipart, too large', async (t) => {
  const { app } = setup(t, { 'rest.server.max-content-length': '1 kb' });
  const wrong = await upload(app, 'job.mjs', 'x', 'file');
  t.equal(wrong.statusCode, 400);
  t.match(wrong.json().errors[0], /"jarfile"/);
  const notMultipart = await app.inject({ method: 'POST', url: '/jars/upload', payload: { a: 1 } });
  t.equal(notMultipart.statusCode, 400);
  const big = await upload(app, 'job.mjs', 'x'.repeat(4096));
  t.equal(big.statusCode, 413);
  t.match(big.json().errors[0], /rest\.server\.max-content-length/);
});

t.test('jar names are reduced to safe characters', async (t) => {
  t.equal(sanitizeJarName('/etc/passwd'), 'passwd');
  t.equal(sanitizeJarName('..\\..\\x.mjs'), 'x.mjs');
  t.equal(sanitizeJarName('...'), 'job.mjs');
  t.equal(sanitizeJarName('a b$c.mjs'), 'a_b_c.mjs');
});
