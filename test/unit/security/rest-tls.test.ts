/**
 * REST over TLS (security.ssl.rest.*): the endpoint serves HTTPS with the configured certificate, a client
 * trusting the cluster CA gets Flink's JSON, a plain HTTP request gets no answer, and with
 * authentication-enabled a client without a trusted certificate is refused while one with it is served; the
 * CLI's REST client, configured from the same keys, presents its certificate and names TLS when refused.
 */
import { get, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { RestClient } from '../../../runtime/cli/rest-client.js';
import { loadConfiguration } from '../../../runtime/config/index.js';
import { restClientTls } from '../../../runtime/config/tls-material.js';
import { createRestServer } from '../../../runtime/rest/index.js';
import { FakeFacade, JOB } from '../rest/fake-facade.js';
import { tempDirs, waitFor } from '../../support/cluster-harness.js';
import { makeTestCerts } from '../../support/tls-certs.js';

const [dir] = tempDirs(t, 'rest-tls');
const certs = makeTestCerts(dir!);

const logged: string[] = [];

async function httpsServer(t: Test, extra: Record<string, string> = {}) {
  const server = createRestServer({
    facade: new FakeFacade(),
    logger: { info: (m) => logged.push(m), error: (m) => logged.push(m) },
    config: loadConfiguration({
      file: false,
      overrides: {
        'rest.port': '0',
        'security.ssl.rest.enabled': 'true',
        'security.ssl.rest.key': certs.jobManager.key,
        'security.ssl.rest.cert': certs.jobManager.cert,
        'security.ssl.rest.truststore': certs.ca,
        ...extra,
      },
    }),
  });
  t.teardown(() => server.close());
  return server.listen();
}

function getJson(port: number, o: RequestOptions): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/jobs', ...o }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    }).on('error', reject);
  });
}

t.test('HTTPS with the configured certificate; plain HTTP gets no answer', async (t) => {
  const addr = await httpsServer(t);
  t.equal(addr.scheme, 'https');
  const r = await getJson(addr.port, { ca: readFileSync(certs.ca) });
  t.equal(r.status, 200);
  t.same(r.body, { jobs: [{ id: JOB, status: 'RUNNING' }] });
  await t.rejects(
    getJson(addr.port, { ca: readFileSync(certs.rogueCa) }),
    /certificate/,
    'an untrusting client refuses it',
  );
  const plain = await new Promise<string>((resolve) => {
    const req = httpRequest({ host: '127.0.0.1', port: addr.port, path: '/jobs' }, (res) =>
      resolve(`status ${res.statusCode}`),
    );
    req.on('error', (e) => resolve(e.message));
    req.end();
  });
  t.notMatch(plain, /^status 200/, `plain HTTP is not served (${plain})`);
  await waitFor('the refusal logged', () =>
    logged.some((l) => /^Refused a REST connection from 127\.0\.0\.1:\d+: TLS/.test(l)),
  );
});

t.test('authentication-enabled: only clients with a trusted certificate', async (t) => {
  const addr = await httpsServer(t, { 'security.ssl.rest.authentication-enabled': 'true' });
  const ca = readFileSync(certs.ca);
  await t.rejects(getJson(addr.port, { ca }), 'no client certificate: refused');
  await t.rejects(
    getJson(addr.port, { ca, key: readFileSync(certs.rogueWorker.key), cert: readFileSync(certs.rogueWorker.cert) }),
    'a client certificate from an unknown CA: refused',
  );
  const r = await getJson(addr.port, {
    ca,
    key: readFileSync(certs.worker.key),
    cert: readFileSync(certs.worker.cert),
  });
  t.equal(r.status, 200, 'a trusted client certificate is served');
});

t.test('the CLI REST client: the truststore from security.ssl.rest.*, its certificate under mutual TLS', async (t) => {
  const addr = await httpsServer(t, { 'security.ssl.rest.authentication-enabled': 'true' });
  const url = `https://127.0.0.1:${addr.port}`;
  const clientConfig = (extra: Record<string, string>) =>
    loadConfiguration({
      file: false,
      overrides: {
        'security.ssl.rest.enabled': 'true',
        'security.ssl.rest.truststore': certs.ca,
        'security.ssl.rest.authentication-enabled': 'true',
        ...extra,
      },
    }).typed;
  const mutual = restClientTls(
    clientConfig({ 'security.ssl.rest.key': certs.worker.key, 'security.ssl.rest.cert': certs.worker.cert }),
  );
  t.ok(mutual?.key && mutual.cert, 'key and certificate read under authentication-enabled');
  t.same(await new RestClient(url, undefined, mutual).call('GET', '/jobs'), { jobs: [{ id: JOB, status: 'RUNNING' }] });

  const trustOnly = restClientTls(
    clientConfig({
      'security.ssl.rest.authentication-enabled': 'false',
      'security.ssl.rest.key': certs.worker.key,
      'security.ssl.rest.cert': certs.worker.cert,
    }),
  );
  t.equal(trustOnly?.key, undefined, 'without authentication-enabled the client presents no certificate');
  await t.rejects(
    new RestClient(url, undefined, trustOnly).call('GET', '/jobs'),
    { code: 'TLS_HANDSHAKE_FAILED' },
    'no client certificate: a TLS error, not "unreachable"',
  );
  const rogue = restClientTls(
    clientConfig({ 'security.ssl.rest.key': certs.rogueWorker.key, 'security.ssl.rest.cert': certs.rogueWorker.cert }),
  );
  await t.rejects(
    new RestClient(url, undefined, rogue).call('GET', '/jobs'),
    { code: 'TLS_HANDSHAKE_FAILED' },
    'a certificate from an unknown CA: refused',
  );
  await t.rejects(
    new RestClient(url).call('GET', '/jobs'),
    { code: 'TLS_HANDSHAKE_FAILED', message: /set security\.ssl\.rest\.enabled/ },
    'a client without the truststore is told what to configure',
  );
  t.equal(restClientTls(loadConfiguration({ file: false }).typed), undefined, 'REST TLS off: plain client');
});
