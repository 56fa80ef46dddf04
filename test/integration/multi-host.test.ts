/**
 * A cluster across three hosts — Linux network namespaces on a bridge (test/support/netns.ts), each with
 * its own address: host A runs the job manager, hosts B and C a task worker each, with internal mutual TLS
 * (certificates naming the hosts' addresses) and REST bound to A's address. The keyed exactly-once job runs
 * with one subtask on each worker host; B's link is taken down (inside B's namespace): heartbeats detect the
 * loss, the job restarts from its latest checkpoint on C's slots; B's link comes back and a worker on B
 * registers again (a worker that finds its job manager connection gone exits and its supervisor — here the
 * test — starts it again); the committed output is exact. Skipped, saying why, where namespaces cannot be
 * created.
 */
import type { ChildProcess } from 'node:child_process';
import t from 'tap';
import { bundleJob } from '../../runtime/bundle/job-bundle.js';
import { RestClient } from '../../runtime/cli/rest-client.js';
import { CLI, readSequenceOutput, runCli, sequencesExact, tempDirs, waitFor } from '../support/cluster-harness.js';
import { createNetwork, netnsUnavailable, sluiceProcessOutput } from '../support/netns.js';
import { internalTlsKeys, makeTestCerts } from '../support/tls-certs.js';

const N = 24_000;
const KEYS = 12;
const TOKEN = 'multi-host-test-token-0123456789';
const SECRET = 'multi-host-secret';

const unavailable = netnsUnavailable();
t.test(
  'keyed exactly-once job across hosts; a worker host loses its link and rejoins',
  { skip: unavailable ? `multi-host test skipped: ${unavailable}` : false },
  async (t) => {
    const net = createNetwork(t, ['a', 'b', 'c']);
    const [A, B, C] = ['a', 'b', 'c'].map((h) => net.hosts[h]!.address) as [string, string, string];
    const [out, ckpt, certDir] = tempDirs(t, 'mh-out', 'mh-ckpt', 'mh-certs');
    const certs = makeTestCerts(certDir!, [`IP:${A}`, `IP:${B}`, `IP:${C}`]);
    const lines: string[] = [];
    const D = (kv: Record<string, string>) => Object.entries(kv).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
    const common = {
      'heartbeat.interval': '500 ms',
      'heartbeat.timeout': '3 s',
      'execution.checkpointing.dir': ckpt!,
    };
    const start = (host: string, args: string[]): { child: ChildProcess; ready: Promise<Record<string, unknown>> } => {
      const child = net.spawn(host, process.execPath, ['--enable-source-maps', CLI, ...args, '--exit-with-parent'], {
        ...process.env,
        SLUICE_SECRET: SECRET,
      });
      return { child, ready: sluiceProcessOutput(child, (l) => lines.push(`[${host}] ${l}`)) };
    };

    const jm = start('a', [
      'jobmanager',
      '--rest-port',
      '0',
      '--rpc-port',
      '0',
      ...D({
        ...common,
        ...internalTlsKeys(certs, certs.jobManager),
        'rest.address': A,
        'jobmanager.rpc.address': A,
        'sluice.security.tokens': `${TOKEN}:read,mutate`,
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '20',
        'restart-strategy.fixed-delay.delay': '500 ms',
      }),
    ]);
    const r = (await jm.ready) as { restUrl: string; rpcHost: string; rpcPort: number };
    t.equal(r.rpcHost, A, 'the job manager advertises host A');
    const rest = new RestClient(r.restUrl, TOKEN);
    const worker = (host: string, address: string) =>
      start(host, [
        'taskworker',
        '--jobmanager',
        `${A}:${r.rpcPort}`,
        '--slots',
        '2',
        ...D({ ...common, ...internalTlsKeys(certs, certs.worker), 'taskmanager.host': address }),
      ]);
    const workerB = worker('b', B);
    await workerB.ready;
    await worker('c', C).ready;

    type Tms = { taskmanagers: Array<{ id: string; slotsNumber: number; freeSlots: number }> };
    const onHost = async (address: string) =>
      (await rest.call<Tms>('GET', '/taskmanagers')).taskmanagers.filter((tm) => tm.id.startsWith(`${address}:`));
    t.equal((await onHost(B)).length + (await onHost(C)).length, 2, 'workers on B and C registered');

    const bundle = await bundleJob('jobs/keyed-sequence-check.ts');
    const jarId = await rest.uploadBundle('keyed-sequence-check.mjs', bundle.code);
    const { jobid } = await rest.call<{ jobid: string }>('POST', `/jars/${jarId}/run`, {
      programArgsList: [out!, String(N), '1000', String(KEYS), '300'],
      parallelism: 2,
    });
    const checkpoints = () =>
      rest.call<{ counts: { completed: number; restored: number } }>('GET', `/jobs/${jobid}/checkpoints`);
    const status = async () => (await rest.call<{ status: string }>('GET', `/jobs/${jobid}/status`)).status;
    await waitFor('a completed checkpoint', async () => (await checkpoints()).counts.completed > 0, 90_000);
    // the CLI on another machine (here: the test's namespace) reaches the token-protected REST endpoint
    process.env.SLUICE_REST_TOKEN = TOKEN;
    t.teardown(() => {
      delete process.env.SLUICE_REST_TOKEN;
    });
    const list = await runCli(t, ['list', '-m', r.restUrl]);
    t.equal(list.code, 0, list.stderr);
    t.match(list.stdout, jobid, 'sluice list (token from SLUICE_REST_TOKEN) shows the job');
    const busy = async (address: string) => (await onHost(address)).some((tm) => tm.freeSlots < tm.slotsNumber);
    t.ok((await busy(B)) && (await busy(C)), 'the job runs on both worker hosts (the keyed shuffle crosses hosts)');

    net.linkDown('b');
    const lost = await waitFor(
      'the job manager declaring B lost',
      () => lines.find((l) => l.startsWith('[a]') && l.includes(`Task worker ${B}:`) && l.includes('lost')),
      30_000,
    );
    t.match(lost, /missed heartbeats/, 'detected by heartbeat');
    await waitFor(
      'the job running again on C, restored from a checkpoint',
      async () => (await status()) === 'RUNNING' && (await checkpoints()).counts.restored >= 1 && (await busy(C)),
      90_000,
    );
    t.equal((await onHost(B)).length, 0, 'no worker on B while its link is down');

    net.linkUp('b');
    // the worker on B notices its job manager connection is gone once packets flow again, and exits; a
    // supervisor starts it again (a worker that keeps its connection would register on its own)
    let rejoined: ReturnType<typeof worker> | undefined;
    await waitFor(
      'a worker on B registered again',
      async () => {
        if (!rejoined && (workerB.child.exitCode !== null || workerB.child.signalCode !== null)) {
          rejoined = worker('b', B);
          rejoined.ready.catch(() => {});
        }
        return (await onHost(B)).length === 1;
      },
      120_000,
      250,
    );
    t.pass(`B rejoined the cluster (${rejoined ? 'its worker exited and was started again' : 'the same worker'})`);
    t.equal(await rest.waitForTerminal(jobid, 180_000), 'FINISHED');
    const { total, perKey } = readSequenceOutput(out!);
    t.equal(total, N, 'no record lost or duplicated across the host failure');
    t.equal(perKey.size, KEYS);
    t.ok(sequencesExact(perKey), 'per key: sequence numbers in order, counts continue from restored state');
    t.notOk(
      lines.some((l) => /Refused a (control-plane|data) connection/.test(l)),
      'no TLS or handshake refusal between the hosts',
    );
  },
);
