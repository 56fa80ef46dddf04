/**
 * Job manager failover across hosts — Linux network namespaces on a bridge (test/support/netns.ts): a job
 * manager on host A and a standby on host B, task workers on hosts C and D, all finding the leader through a
 * ZooKeeper the test runs on the bridge's address (test/support/ha-cluster.ts starts them on their hosts).
 * The keyed exactly-once job runs with a subtask on each worker host; A's job manager is killed with
 * SIGKILL after checkpoints completed; B's is granted leadership, both workers register with it across the
 * bridge, the job resumes from its latest completed checkpoint and the committed output is exact. Skipped,
 * saying why, where namespaces cannot be created or ZooKeeper is not installed.
 */
import t from 'tap';
import { bundleJob } from '../../runtime/bundle/job-bundle.js';
import { RestClient } from '../../runtime/cli/rest-client.js';
import { CLI, readSequenceOutput, sequencesExact, tempDirs, waitFor } from '../support/cluster-harness.js';
import { haCluster } from '../../bench/ha-cluster.js';
import { createNetwork, netnsUnavailable, sluiceProcessOutput } from '../support/netns.js';
import { startZooKeeper, zookeeperMissing } from '../../bench/stand-ins/zookeeper-server.js';

const N = 16_000;
const KEYS = 12;
const TOKEN = 'multi-host-failover-token-012345';

const unavailable = netnsUnavailable() ?? zookeeperMissing();
t.test(
  'kill -9 of the leading job manager on host A: the standby on host B takes over, output exact',
  { skip: unavailable ? `multi-host failover test skipped: ${unavailable}` : false },
  async (t) => {
    const net = createNetwork(t, ['a', 'b', 'c', 'd']);
    const address = (h: string) => net.hosts[h]!.address;
    const zk = await startZooKeeper(t, `${net.subnet}.254`);
    const [out, ckpt, storage] = tempDirs(t, 'mhf-out', 'mhf-ckpt', 'mhf-storage');
    const hostOf: Record<string, string> = { jm1: 'a', jm2: 'b', wc: 'c', wd: 'd' };
    const ha = haCluster(
      t,
      {
        'high-availability.type': 'zookeeper',
        'high-availability.zookeeper.quorum': zk.quorum,
        'high-availability.storageDir': storage!,
        'high-availability.cluster-id': 'multi-host-failover',
        'execution.checkpointing.dir': ckpt!,
        'sluice.security.tokens': `${TOKEN}:read,mutate`,
        'restart-strategy.type': 'fixed-delay',
        'restart-strategy.fixed-delay.attempts': '20',
        'restart-strategy.fixed-delay.delay': '300 ms',
      },
      {
        restToken: TOKEN,
        // every process in its own host's namespace (the helper's defaults otherwise)
        launch: async (name, args, env, onLine) => {
          const child = net.spawn(
            hostOf[name]!,
            process.execPath,
            ['--enable-source-maps', CLI, ...args, '--exit-with-parent'],
            env,
          );
          const ready = await sluiceProcessOutput(child, onLine);
          return { child, ready, kill: (signal) => void child.kill(signal) };
        },
      },
    );
    const jmArgs = (h: string) => ['-D', `jobmanager.rpc.address=${address(h)}`, '-D', `rest.address=${address(h)}`];
    const jm1 = await ha.jobManager('jm1', jmArgs('a'));
    t.ok(jm1.ready.restUrl, 'the job manager on A leads');
    t.equal((await ha.jobManager('jm2', jmArgs('b'))).ready.standby, true, 'the one on B stands by');
    await ha.worker(1, 'wc', ['-D', `taskmanager.host=${address('c')}`]);
    await ha.worker(1, 'wd', ['-D', `taskmanager.host=${address('d')}`]);
    const url1 = String(jm1.ready.restUrl);
    t.match(url1, address('a'), 'A publishes its own address');
    await ha.workersRegistered(url1, 2);

    const rest1 = new RestClient(url1, TOKEN);
    const bundle = await bundleJob('jobs/keyed-sequence-check.ts');
    const jarId = await rest1.uploadBundle('keyed-sequence-check.mjs', bundle.code);
    const { jobid } = await rest1.call<{ jobid: string }>('POST', `/jars/${jarId}/run`, {
      programArgsList: [out!, String(N), '1000', String(KEYS), '300'],
      parallelism: 2,
    });
    const completed = async (r: RestClient) =>
      (await r.call<{ counts: { completed: number } }>('GET', `/jobs/${jobid}/checkpoints`)).counts.completed;
    // two completed: the first one's pointer is surely in ZooKeeper (it is written as a checkpoint completes)
    await waitFor('two completed checkpoints', async () => (await completed(rest1)) >= 2, 90_000);

    jm1.kill('SIGKILL');
    const url2 = await ha.leadsAt('jm2', 90_000);
    t.match(url2, address('b'), 'the new leader serves on host B');
    await ha.workersRegistered(url2, 2, 90_000);
    const recovering = await waitFor('B recovering the job', () =>
      ha.lines.jm2!.find((l) => l.includes(`Recovering job ${jobid}`)),
    );
    t.match(recovering, /from checkpoint \d+ at /, 'from its latest completed checkpoint');
    const rest2 = new RestClient(url2, TOKEN);
    await waitFor('the recovered job known to B', () =>
      rest2.call('GET', `/jobs/${jobid}/status`).then(
        () => true,
        () => false,
      ),
    );
    t.equal(await rest2.waitForTerminal(jobid, 180_000), 'FINISHED');
    const stats = await rest2.call<{ counts: { restored: number } }>('GET', `/jobs/${jobid}/checkpoints`);
    t.ok(stats.counts.restored >= 1, 'restored from a checkpoint');
    const { total, perKey } = readSequenceOutput(out!);
    t.equal(total, N, 'no record lost or duplicated across the job manager failover');
    t.equal(perKey.size, KEYS);
    t.ok(sequencesExact(perKey), 'per key: sequence numbers in order, counts continue from restored state');
  },
);
