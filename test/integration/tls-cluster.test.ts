/**
 * A cluster with internal mutual TLS (security.ssl.internal.*, certificates made by openssl at test time):
 * the keyed exactly-once job runs across two worker processes — control plane and the keyed shuffle
 * between the workers both over TLS — survives a worker kill, and its committed output is exact. And REST
 * with mutual TLS (security.ssl.rest.authentication-enabled): the CLI, configured with the same keys,
 * presents its client certificate to run and list a job; without one it is refused with a TLS error.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { RestClient } from '../../runtime/cli/rest-client.js';
import { restClientTls } from '../../runtime/config/tls-material.js';
import { loadConfiguration } from '../../runtime/config/index.js';
import {
  completedCheckpoints,
  readSequenceOutput,
  runCli,
  sequencesExact,
  startCluster,
  submitDetached,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';
import { internalTlsKeys, makeTestCerts } from '../support/tls-certs.js';

const N = 6000;
const KEYS = 10;

t.test('keyed exactly-once job on a TLS cluster, across a worker kill', async (t) => {
  const [out, ckpt, certDir] = tempDirs(t, 'tls-out', 'tls-ckpt', 'tls-certs');
  const certs = makeTestCerts(certDir!);
  const tls = Object.entries(internalTlsKeys(certs, certs.worker)).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
  const c = await startCluster(t, {
    workers: 2,
    slots: 1,
    extraArgs: [
      ...tls,
      '-D',
      'restart-strategy.type=fixed-delay',
      '-D',
      'restart-strategy.fixed-delay.attempts=10',
      '-D',
      'restart-strategy.fixed-delay.delay=100 ms',
      '-D',
      `execution.checkpointing.dir=${ckpt!}`,
    ],
  });
  t.ok(
    c.lines.some((l) => l.includes('Control plane requires mutual TLS')),
    'the job manager serves its control plane over TLS',
  );
  const jobId = await submitDetached(t, c.restUrl, [
    'jobs/keyed-sequence-check.ts',
    out!,
    String(N),
    '1500',
    String(KEYS),
    '300',
  ]);
  await waitFor('a completed checkpoint', async () => (await completedCheckpoints(c, jobId)) > 0, 60_000);
  c.mini.workers[0]!.kill('SIGKILL');
  await c.mini.addWorker();
  t.equal(await c.rest.waitForTerminal(jobId, 120_000), 'FINISHED');
  const stats = await c.rest.call<{ counts: { restored: number } }>('GET', `/jobs/${jobId}/checkpoints`);
  t.ok(stats.counts.restored >= 1, 'the job restored from a checkpoint after the kill');
  const { total, perKey } = readSequenceOutput(out!);
  t.equal(total, N, 'no record lost or duplicated');
  t.equal(perKey.size, KEYS);
  t.ok(sequencesExact(perKey), 'per key: sequence numbers in order, counts continue from restored state');
  t.notOk(
    c.lines.some((l) => /Refused a (control-plane|data) connection/.test(l)),
    'no connection between cluster members was refused',
  );
});

t.test('REST with mutual TLS: the CLI presents its client certificate', async (t) => {
  const [out, certDir] = tempDirs(t, 'rest-mtls-out', 'rest-mtls-certs');
  const certs = makeTestCerts(certDir!);
  const restKeys = (pair: { key: string; cert: string }, authenticate: boolean) => ({
    'security.ssl.rest.enabled': 'true',
    'security.ssl.rest.key': pair.key,
    'security.ssl.rest.cert': pair.cert,
    'security.ssl.rest.truststore': certs.ca,
    'security.ssl.rest.authentication-enabled': String(authenticate),
  });
  const D = (kv: Record<string, string>) => Object.entries(kv).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
  const c = await startCluster(t, { workers: 1, slots: 2, extraArgs: D(restKeys(certs.jobManager, true)) });
  t.match(c.restUrl, /^https:\/\//, 'REST is served over HTTPS');
  const cli = restKeys(certs.worker, true);
  const run = await runCli(t, [
    'run',
    '-d',
    '-m',
    c.restUrl.replace(/^https:\/\//, ''),
    ...D(cli),
    '-p',
    '2',
    'jobs/keyed-sequence-check.ts',
    out!,
    '2000',
    '1000',
    '4',
  ]);
  t.equal(run.code, 0, run.stderr);
  t.notMatch(
    run.stderr,
    /a cluster setting/,
    "the REST TLS keys are the CLI's own, not cluster settings it warns about",
  );
  const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)?.[1];
  t.ok(jobId, 'sluice run -m host:port (https from the configuration) submitted the job');
  const yaml = (name: string, kv: Record<string, string>) => {
    const path = join(certDir!, name);
    writeFileSync(
      path,
      Object.entries(kv)
        .map(([k, v]) => `${k}: "${v}"`)
        .join('\n') + '\n',
    );
    return path;
  };
  process.env.SLUICE_CONFIG_FILE = yaml('client.yaml', cli);
  t.teardown(() => {
    delete process.env.SLUICE_CONFIG_FILE;
  });
  const list = await runCli(t, ['list', '-a', '-m', c.restUrl]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, jobId!, 'sluice list (client certificate from cluster.yaml) shows the job');

  process.env.SLUICE_CONFIG_FILE = yaml('no-client-cert.yaml', restKeys(certs.worker, false));
  const refused = await runCli(t, ['list', '-m', c.restUrl]);
  t.not(refused.code, 0, 'without a client certificate the CLI fails');
  t.match(refused.stderr, /TLS_HANDSHAKE_FAILED|TLS handshake/, 'naming TLS, not an unreachable cluster');
  t.notMatch(refused.stderr, /no job manager reachable/);

  const client = new RestClient(
    c.restUrl,
    undefined,
    restClientTls(loadConfiguration({ file: false, overrides: cli }).typed),
  );
  t.equal(await client.waitForTerminal(jobId!, 120_000), 'FINISHED');
  t.equal(readSequenceOutput(out!).total, 2000, 'the job submitted over mutual TLS ran to the end');
});
