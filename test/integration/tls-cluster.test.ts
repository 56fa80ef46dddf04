/**
 * A cluster with internal mutual TLS (security.ssl.internal.*, certificates made by openssl at test time):
 * the keyed exactly-once job runs across two worker processes — control plane and the keyed shuffle
 * between the workers both over TLS — survives a worker kill, and its committed output is exact.
 */
import t from 'tap';
import {
  completedCheckpoints,
  readSequenceOutput,
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
