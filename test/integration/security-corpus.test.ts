/**
 * Security corpus against a live, token-protected cluster: path traversal in savepoint targets and
 * restore paths (`../`, `..%2f`, `..%252f`, absolute paths, a symlink out of the root), mutations without a
 * token or with a read-only token on every mutating route, an oversize upload, a slow body, and a data-plane
 * connection without the shared secret — all refused with Flink's {"errors": [...]} and the right status,
 * and the cluster keeps running its job.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { bundleJob } from '../../runtime/bundle/job-bundle.js';
import { RestClient } from '../../runtime/cli/rest-client.js';
import { startCluster, tempDirs, waitFor } from '../support/cluster-harness.js';

const ADMIN = 'admin-token-0123456789';
const READER = 'reader-token-0123456789';

t.test('the corpus is refused and the cluster is unharmed', async (t) => {
  const [root, out] = tempDirs(t, 'security-root', 'security-out') as [string, string];
  const c = await startCluster(t, {
    workers: 1,
    conf: {
      'sluice.security.tokens': `${ADMIN}:read,mutate;${READER}:read`,
      'sluice.security.path-roots': root,
      'rest.server.max-content-length': '64 kb',
      'sluice.rest.request-timeout': '1 s',
    },
  });
  const admin = new RestClient(c.restUrl, ADMIN);
  const bundle = await bundleJob('jobs/keyed-sequence-check.ts');
  const jar = await admin.uploadBundle('seq.mjs', bundle.code);
  const { jobid } = await admin.call<{ jobid: string }>('POST', `/jars/${jar}/run`, {
    programArgsList: [out, '1000000', '1000', '10', '0'],
  });
  const status = () => admin.call<{ status: string }>('GET', `/jobs/${jobid}/status`);
  await waitFor('job running', async () => (await status()).status === 'RUNNING');

  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(c.restUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: JSON.parse(text || '{}') as { errors?: string[] }, text };
  };
  const refused = (r: { status: number; json: { errors?: string[] }; text: string }, status: number, what: string) => {
    t.equal(r.status, status, `${what}: ${status}`);
    t.ok(Array.isArray(r.json.errors) && r.json.errors.length === 1, `${what}: Flink's {"errors": [...]}`);
    t.notMatch(r.text, /\n\s+at /, `${what}: no stack trace`);
  };

  // traversal: savepoint targets and restore paths must stay inside the roots
  mkdirSync(join(root, 'inside'), { recursive: true });
  symlinkSync('/etc', join(root, 'escape'));
  const bad = [
    '/etc',
    '../../../../etc',
    `${root}/../../etc`,
    `${root}/..%2f..%2fetc`,
    `${root}/..%252f..%252fetc`,
    `${root}/escape/sluice`,
    `file://${root}/../outside`,
  ];
  for (const p of bad) {
    refused(
      await call('POST', `/jobs/${jobid}/savepoints`, { 'target-directory': p, 'cancel-job': false }, ADMIN),
      400,
      `savepoint target ${p}`,
    );
    refused(
      await call('POST', `/jobs/${jobid}/stop`, { targetDirectory: p, drain: false }, ADMIN),
      400,
      `stop target ${p}`,
    );
    refused(
      await call('POST', `/jars/${jar}/run`, { programArgsList: [out, '10'], savepointPath: p }, ADMIN),
      400,
      `restore path ${p}`,
    );
  }
  const good = await call(
    'POST',
    `/jobs/${jobid}/savepoints`,
    { 'target-directory': join(root, 'inside'), 'cancel-job': false },
    ADMIN,
  );
  t.equal(good.status, 202, 'a target inside the root is accepted');

  // every mutating route: no token → 401, read-only token → 403
  const mutations: Array<[string, string, unknown]> = [
    ['POST', `/jars/${jar}/run`, { programArgsList: [] }],
    ['DELETE', `/jars/${jar}`, undefined],
    ['PATCH', `/jobs/${jobid}?mode=cancel`, undefined],
    ['POST', `/jobs/${jobid}/savepoints`, { 'target-directory': join(root, 'inside') }],
    ['POST', `/jobs/${jobid}/stop`, { targetDirectory: join(root, 'inside') }],
    ['POST', `/jobs/${jobid}/checkpoints`, {}],
    ['PUT', `/jobs/${jobid}/resource-requirements`, {}],
    ['POST', '/savepoint-disposal', { 'savepoint-path': join(root, 'inside') }],
    ['DELETE', '/cluster', undefined],
  ];
  for (const [method, path, body] of mutations) {
    refused(await call(method, path, body), 401, `${method} ${path} without a token`);
    refused(await call(method, path, body, READER), 403, `${method} ${path} with a read-only token`);
  }
  const upload = new FormData();
  upload.append('jarfile', new Blob([new Uint8Array(200 * 1024)]), 'big.mjs');
  // the server answers 413 and may close the connection before the client has sent everything
  const big = await fetch(`${c.restUrl}/jars/upload`, {
    method: 'POST',
    body: upload,
    headers: { authorization: `Bearer ${ADMIN}` },
  }).then(
    (r) => r.status,
    () => 'connection closed by the server',
  );
  t.ok(
    big === 413 || big === 'connection closed by the server',
    `an upload over rest.server.max-content-length is refused (${big})`,
  );
  t.equal((await call('POST', '/jars/upload', undefined)).status, 401, 'upload without a token');

  // a slow body: headers promise 100 bytes, 10 arrive, the rest never does
  const slowStarted = Date.now();
  const slow = await new Promise<string>((resolve) => {
    const u = new URL(c.restUrl);
    const s = connect(Number(u.port), u.hostname, () => {
      s.write(
        `POST /jobs/${jobid}/checkpoints HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":1234`,
      );
    });
    let got = '';
    s.on('data', (d) => (got += d));
    s.on('close', () => resolve(got));
    t.teardown(() => s.destroy());
  });
  t.ok(
    slow === '' || /^HTTP\/1\.1 408/.test(slow),
    'a body that stops arriving is cut off (408, or the idle connection closed)',
  );
  t.ok(
    Date.now() - slowStarted < 10_000,
    `within seconds of sluice.rest.request-timeout (${Date.now() - slowStarted} ms)`,
  );

  // the data plane refuses a connection that does not prove the shared secret
  const tm = (await admin.call<{ taskmanagers: Array<{ dataPort: number }> }>('GET', '/taskmanagers')).taskmanagers[0]!;
  t.ok(tm.dataPort > 0, `the worker's data port (${tm.dataPort})`);
  const closed = await new Promise<string>((resolve) => {
    const s = connect(tm.dataPort, '127.0.0.1', () =>
      s.write(Buffer.from('SLUICE-HELLO-without-a-valid-proof-0000000000000000')),
    );
    s.resume(); // read the server's nonce and its refusal, so the close arrives
    s.setTimeout(10_000, () => resolve('still open after 10 s'));
    s.on('error', () => resolve('closed'));
    s.on('close', () => resolve('closed'));
    t.teardown(() => s.destroy());
  });
  t.equal(closed, 'closed', 'data-plane connection without the secret is closed');

  t.equal((await status()).status, 'RUNNING', 'the job still runs');
  t.equal(
    (await admin.call<{ taskmanagers: unknown[] }>('GET', '/taskmanagers')).taskmanagers.length,
    1,
    'the worker is still registered',
  );
});
