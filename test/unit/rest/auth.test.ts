import t from 'tap';
import {
  createRestServer,
  isLoopbackAddress,
  assertBindAllowed,
  requiredScope,
  bindPorts,
} from '../../../runtime/rest/index.js';
import { loadConfiguration } from '../../../runtime/config/index.js';
import { isSluiceError } from '../../../runtime/errors/catalogue.js';
import { FakeFacade, JOB } from './fake-facade.js';

const READER = 'reader-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';
const TOKENS = `${READER}:read; ${ADMIN}:read,mutate`;

t.test('loopback detection and the bind rule', async (t) => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
    t.ok(isLoopbackAddress(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'example.com']) t.notOk(isLoopbackAddress(h), h);
  t.doesNotThrow(() => assertBindAllowed('127.0.0.1', []));
  t.doesNotThrow(() =>
    assertBindAllowed(
      '0.0.0.0',
      loadConfiguration({ file: false, overrides: { 'sluice.security.tokens': TOKENS } }).restTokens(),
    ),
  );
  t.equal(requiredScope('GET'), 'read');
  t.equal(requiredScope('HEAD'), 'read');
  t.equal(requiredScope('PATCH'), 'mutate');
  t.same(bindPorts('8081'), [8081]);
  t.same(bindPorts('50100-50102'), [50100, 50101, 50102]);
  t.throws(() => bindPorts('80-70'));
});

t.test('refuses a non-loopback bind without tokens', async (t) => {
  for (const overrides of [{ 'rest.address': '0.0.0.0' }, { 'rest.bind-address': '::' }]) {
    const config = loadConfiguration({ file: false, overrides });
    try {
      createRestServer({ facade: new FakeFacade(), config });
      t.fail('should refuse');
    } catch (e) {
      t.ok(isSluiceError(e));
      t.equal((e as { code: string }).code, 'CONFIG_INVALID');
      t.match((e as Error).message, /refusing to bind.*non-loopback.*sluice\.security\.tokens/);
    }
  }
});

t.test('bearer tokens over a real socket: 401 without/unknown, 403 without scope, 2xx with', async (t) => {
  const config = loadConfiguration({ file: false, overrides: { 'rest.port': 0, 'sluice.security.tokens': TOKENS } });
  const facade = new FakeFacade();
  const server = createRestServer({ facade, config });
  t.teardown(() => server.close());
  const { host, port } = await server.listen();
  t.equal(host, '127.0.0.1');
  t.ok(port > 0);
  const base = `http://127.0.0.1:${port}`;
  const call = (method: string, path: string, token?: string) =>
    fetch(base + path, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  const none = await call('GET', '/overview');
  t.equal(none.status, 401);
  t.equal(none.headers.get('www-authenticate'), 'Bearer');
  t.match((await none.json()).errors[0], /Bearer/);
  t.equal((await call('GET', '/overview', 'wrong-token-0123456789abcdef')).status, 401);
  const ok = await call('GET', '/v1/taskmanagers', READER);
  t.equal(ok.status, 200);
  t.match(await ok.text(), /^\{"taskmanagers":\[.+\]\}$/);
  const forbidden = await call('PATCH', `/jobs/${JOB}?mode=cancel`, READER);
  t.equal(forbidden.status, 403);
  t.match((await forbidden.json()).errors[0], /"mutate" scope/);
  t.same(
    facade.calls.filter((c) => c.method === 'cancelJob'),
    [],
    'forbidden request never reached the facade',
  );
  t.equal((await call('PATCH', `/jobs/${JOB}?mode=cancel`, ADMIN)).status, 202);
  t.equal((await call('GET', '/jobs/overview', ADMIN)).status, 200);
});

t.test('without tokens, a loopback server needs no auth', async (t) => {
  const server = createRestServer({
    facade: new FakeFacade(),
    config: loadConfiguration({ file: false, overrides: { 'rest.port': 0 } }),
  });
  t.teardown(() => server.close());
  const { port } = await server.listen();
  const r = await fetch(`http://127.0.0.1:${port}/jobs`);
  t.equal(r.status, 200);
  t.same(await r.json(), { jobs: [{ id: JOB, status: 'RUNNING' }] });
});
