/**
 * Mutual TLS on the control plane and the data plane (security.ssl.internal.*), in-process on ephemeral
 * loopback ports with certificates made by openssl at test time. A trusted worker registers over TLS; a
 * certificate from an unknown CA, no certificate at all (plain TCP), a server trusted by no one, and a
 * certificate naming another host are each refused, logged with the peer's address, and the server keeps
 * serving.
 */
import { connect } from 'node:net';
import { TLSSocket } from 'node:tls';
import t, { type Test } from 'tap';
import { ElementKind } from '../../../runtime/api/elements.js';
import { loadConfiguration, type SluiceConfig } from '../../../runtime/config/index.js';
import { JobManager } from '../../../runtime/jobmanager/job-manager.js';
import { TcpShuffle } from '../../../runtime/network/tcp-shuffle.js';
import { internalTls } from '../../../runtime/config/tls-material.js';
import { TaskWorker } from '../../../runtime/taskworker/task-worker.js';
import { tempDirs, waitFor } from '../../support/cluster-harness.js';
import { internalTlsKeys, type KeyPair, makeTestCerts, type TestCerts } from '../../support/tls-certs.js';

const SECRET = 'tls-unit-secret';
const [dir] = tempDirs(t, 'tls-unit');
const certs: TestCerts = makeTestCerts(dir!);

const config = (keys: Record<string, string>): SluiceConfig =>
  loadConfiguration({
    file: false,
    overrides: { 'rest.port': '0', 'security.ssl.internal.handshake-timeout': '1 s', ...keys },
  }).typed;

async function jobManager(t: Test, pair: KeyPair = certs.jobManager) {
  const logs: string[] = [];
  const jm = new JobManager({
    rpcHost: '127.0.0.1',
    rpcPort: 0,
    secret: SECRET,
    config: config(internalTlsKeys(certs, pair)),
    log: (m) => logs.push(m),
  });
  const rpc = await jm.start();
  t.teardown(() => jm.stop());
  return { jm, rpc, logs };
}

function worker(t: Test, rpc: { host: string; port: number }, keys: Record<string, string>) {
  const logs: string[] = [];
  const w = new TaskWorker({
    jobManagerHost: rpc.host,
    jobManagerPort: rpc.port,
    dataPort: 0,
    secret: SECRET,
    config: config(keys),
    log: (m) => logs.push(m),
  });
  t.teardown(() => w.stop());
  return { w, logs };
}

/** The job manager still registers a trusted worker after a refusal. */
async function stillServes(t: Test, rpc: { host: string; port: number }, jm: JobManager) {
  const before = jm.registry.workers.size;
  await worker(t, rpc, internalTlsKeys(certs, certs.worker)).w.start();
  t.equal(jm.registry.workers.size, before + 1, 'the job manager keeps serving trusted workers');
}

const refusedFrom = (logs: string[]) =>
  waitFor('a logged refusal', () =>
    logs.find((l) => /^Refused a control-plane connection from 127\.0\.0\.1:\d+/.test(l)),
  );

t.test('a worker with a certificate of the cluster CA registers over mutual TLS', async (t) => {
  const { jm, rpc, logs } = await jobManager(t);
  t.ok(
    logs.some((l) => /mutual TLS/.test(l)),
    'the job manager says it requires TLS',
  );
  const { w } = worker(t, rpc, internalTlsKeys(certs, certs.worker));
  await w.start();
  t.equal(jm.registry.workers.size, 1);
  const conn = (w as unknown as { conn: { socket: TLSSocket } }).conn;
  t.ok(conn.socket instanceof TLSSocket && conn.socket.authorized, 'the control connection is TLS, server verified');
  t.equal(conn.socket.getPeerCertificate().subject.CN, 'jobmanager');
});

t.test('a certificate from an unknown CA is refused and logged with the address', async (t) => {
  const { jm, rpc, logs } = await jobManager(t);
  const { w } = worker(t, rpc, internalTlsKeys(certs, certs.rogueWorker));
  await t.rejects(w.start(), { code: 'TLS_HANDSHAKE_FAILED' }, 'the rogue worker does not get in, and says why');
  const line = await refusedFrom(logs);
  t.match(line, /TLS: certificate not trusted/, line);
  t.equal(jm.registry.workers.size, 0);
  await stillServes(t, rpc, jm);
});

t.test('plain TCP to the TLS port is refused and logged', async (t) => {
  const { jm, rpc, logs } = await jobManager(t);
  // a plain sluice worker: it waits for the job manager's nonce, which never comes in clear text
  const { w } = worker(t, rpc, {});
  await t.rejects(w.start(), 'the plain worker does not get in');
  t.match(await refusedFrom(logs), /TLS/);
  // a plain client that speaks first (e.g. an old worker's hello, or HTTP)
  const before = logs.length;
  let localPort = 0;
  const s = connect(rpc.port, '127.0.0.1', () => {
    localPort = s.localPort!;
    s.write('GET / HTTP/1.1\r\n\r\n');
  });
  s.on('error', () => {});
  await new Promise((r) => s.once('close', r));
  const line = await waitFor('a second refusal', () =>
    logs.slice(before).find((l) => /^Refused a control-plane/.test(l)),
  );
  t.match(line, `127.0.0.1:${localPort}`, 'names the peer address and port');
  await stillServes(t, rpc, jm);
});

t.test('a worker that does not trust the job manager refuses it', async (t) => {
  const { jm, rpc, logs } = await jobManager(t);
  const { w } = worker(t, rpc, internalTlsKeys(certs, certs.worker, certs.rogueCa));
  const err = await w.start().then(
    () => undefined,
    (e: { code?: string; message: string }) => e,
  );
  t.equal(err?.code, 'TLS_HANDSHAKE_FAILED', String(err?.message));
  t.match(err?.message, `${rpc.host}:${rpc.port}`, 'names the job manager address');
  t.match(err?.message, /certificate/i);
  await refusedFrom(logs); // the aborted handshake is logged on the job manager's side too
  await stillServes(t, rpc, jm);
});

t.test('a server certificate naming another host is refused (security.ssl.verify-hostname)', async (t) => {
  const { rpc } = await jobManager(t, certs.otherHost);
  const { w } = worker(t, rpc, internalTlsKeys(certs, certs.worker));
  const err = await w.start().then(
    () => undefined,
    (e: { code?: string; message: string }) => e,
  );
  t.equal(err?.code, 'TLS_HANDSHAKE_FAILED', String(err?.message));
  t.match(err?.message, /127\.0\.0\.1/);
  // with host-name verification off, the CA alone decides
  const { w: lenient } = worker(t, rpc, {
    ...internalTlsKeys(certs, certs.worker),
    'security.ssl.verify-hostname': 'false',
  });
  await lenient.start();
});

t.test('the data plane refuses plain TCP and untrusted certificates, and logs the peer', async (t) => {
  const errors: string[] = [];
  const shuffle = new TcpShuffle({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    tls: internalTls(config(internalTlsKeys(certs, certs.worker))),
  });
  shuffle.onError = (e) => errors.push(e.message);
  const addr = await shuffle.start();
  t.teardown(() => shuffle.close());

  let localPort = 0;
  const plain = connect(addr.port, addr.host, () => {
    localPort = plain.localPort!;
    plain.write('not tls at all, just bytes');
  });
  plain.on('error', () => {});
  await new Promise((r) => plain.once('close', r));
  t.match(
    await waitFor('plain refusal', () => errors.find((e) => e.includes(`:${localPort}:`))),
    /^Refused a data connection from 127\.0\.0\.1:\d+: TLS/,
  );

  const rogue = new TcpShuffle({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    tls: internalTls(config(internalTlsKeys(certs, certs.rogueWorker))),
  });
  const rogueErrors: string[] = [];
  rogue.onError = (e) => rogueErrors.push(e.message);
  await rogue.start();
  t.teardown(() => rogue.close());
  const n = errors.length;
  rogue.createOutputChannel('edge-0', addr);
  await waitFor('rogue refusal', () =>
    errors.slice(n).find((e) => /^Refused a data connection from 127\.0\.0\.1/.test(e)),
  );

  // a trusted peer's records arrive
  const good = new TcpShuffle({
    host: '127.0.0.1',
    port: 0,
    secret: SECRET,
    tls: internalTls(config(internalTlsKeys(certs, certs.jobManager))),
  });
  await good.start();
  t.teardown(() => good.close());
  const input = shuffle.createInputChannel('edge-1', false);
  const out = good.createOutputChannel('edge-1', addr);
  for (let i = 0; i < 3; i++) out.emit({ kind: ElementKind.Record, value: i, timestamp: Number.NaN });
  out.flush();
  const got: unknown[] = [];
  await waitFor('records over TLS', () => {
    for (let b = input.poll(); b; b = input.poll()) got.push(...b.map((e) => (e as { value: unknown }).value));
    return got.length === 3;
  });
  t.same(got, [0, 1, 2], "a trusted peer's records arrive in order");
});

t.test('internal TLS without its files is a clear configuration error', async (t) => {
  t.throws(() => config({ 'security.ssl.internal.enabled': 'true' }), {
    code: 'CONFIG_INVALID',
    message: /security\.ssl\.internal\.key, security\.ssl\.internal\.cert/,
  });
  t.throws(
    () => internalTls(config({ ...internalTlsKeys(certs, certs.worker), 'security.ssl.internal.key': certs.ca })),
    {
      code: 'CONFIG_INVALID',
      message: /security\.ssl\.internal\.key: .* holds no PEM private key/,
    },
  );
  t.throws(
    () =>
      internalTls(
        config({ ...internalTlsKeys(certs, certs.worker), 'security.ssl.internal.truststore': `${dir}/missing.pem` }),
      ),
    { code: 'CONFIG_INVALID', message: /security\.ssl\.internal\.truststore: cannot read/ },
  );
});
