/**
 * Job manager failover on ZooKeeper: two job managers (one leads, one stands by) and two task workers that
 * find the leader through ZooKeeper run the keyed exactly-once job; the leader is killed with SIGKILL after
 * a checkpoint completed. The standby takes the lead, serves REST, the workers re-register with it, the job
 * is recovered from its latest completed checkpoint and finishes, and the committed output is exact: no
 * record lost, none duplicated, per-key order and counts intact.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RestClient } from '../../runtime/cli/rest-client.js';
import {
  completedCheckpoints,
  readSequenceOutput,
  runCli,
  sequencesExact,
  submitDetached,
  tempDirs,
  waitFor,
} from '../support/cluster-harness.js';
import { haCluster } from '../../bench/ha-cluster.js';
import { startZooKeeper, zookeeperMissing } from '../../bench/stand-ins/zookeeper-server.js';

const N = 16_000;
const KEYS = 12;

t.test(
  'kill -9 of the leading job manager: the standby leads and the job resumes exactly',
  { skip: zookeeperMissing() ?? false },
  async (t) => {
    const zk = await startZooKeeper(t);
    const [out, ckpt, storage, logs] = tempDirs(t, 'ha-out', 'ha-ckpt', 'ha-storage', 'ha-logs');
    const ha = haCluster(t, {
      'high-availability.type': 'zookeeper',
      'high-availability.zookeeper.quorum': zk.quorum,
      'high-availability.storageDir': storage!,
      'high-availability.cluster-id': 'failover-test',
      'execution.checkpointing.dir': ckpt!,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '20',
      'restart-strategy.fixed-delay.delay': '200 ms',
      'env.log.dir': logs!,
    });
    const jm1 = await ha.jobManager('jm1');
    t.ok(jm1.ready.restUrl, 'the first job manager leads');
    const jm2 = await ha.jobManager('jm2');
    t.equal(jm2.ready.standby, true, 'the second stands by');
    await ha.worker(2);
    await ha.worker(2);

    const rest1 = new RestClient(String(jm1.ready.restUrl));
    await ha.workersRegistered(String(jm1.ready.restUrl), 2);
    const jobId = await submitDetached(t, String(jm1.ready.restUrl), [
      'jobs/keyed-sequence-check.ts',
      out!,
      String(N),
      '2000',
      String(KEYS),
    ]);
    await waitFor(
      'a completed checkpoint',
      async () => (await completedCheckpoints({ rest: rest1 }, jobId)) >= 2,
      60_000,
    );

    jm1.kill('SIGKILL');
    const newUrl = await ha.leadsAt('jm2');
    const rest2 = new RestClient(newUrl);
    await ha.workersRegistered(newUrl, 2);
    t.ok(
      ha.lines.jm2!.some((l) => l.includes(`Recovering job ${jobId}`) && /from checkpoint \d+ at /.test(l)),
      'the new leader recovers the job from its latest completed checkpoint',
    );
    await waitFor(
      'the recovered job known to the new leader',
      async () => (await rest2.call<{ status: string }>('GET', `/jobs/${jobId}/status`)).status,
      60_000,
    );
    // the CLI without -m finds the leader through ZooKeeper (cluster.yaml names the quorum)
    const yaml = join(logs!, 'cluster.yaml');
    writeFileSync(
      yaml,
      `high-availability.type: zookeeper\nhigh-availability.zookeeper.quorum: "${zk.quorum}"\nhigh-availability.storageDir: ${storage!}\nhigh-availability.cluster-id: failover-test\n`,
    );
    process.env.SLUICE_CONFIG_FILE = yaml;
    const list = await runCli(t, ['list', '-a']);
    delete process.env.SLUICE_CONFIG_FILE;
    t.equal(list.code, 0, list.stderr);
    t.match(list.stdout, jobId, 'sluice list reached the new leader');
    const status = await rest2.waitForTerminal(jobId, 180_000);
    t.equal(status, 'FINISHED');
    const stats = await rest2.call<{ counts: { restored: number } }>('GET', `/jobs/${jobId}/checkpoints`);
    t.ok(stats.counts.restored >= 1, 'restored from a checkpoint');

    const { total, perKey } = readSequenceOutput(out!);
    t.equal(total, N, 'zero lost, zero duplicated records');
    t.equal(perKey.size, KEYS);
    t.ok(sequencesExact(perKey), 'per-key order and counts exact across the failover');
  },
);
