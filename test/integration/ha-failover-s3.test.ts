/**
 * Job manager failover with `high-availability.storageDir` on S3 (an s3rver started by the test) and
 * checkpoints on the same S3: two job managers on a test ZooKeeper, two task workers, the keyed
 * exactly-once job. The job's bundle and submission are objects under the storageDir prefix while it runs;
 * the leader is killed with SIGKILL after a checkpoint completed; the standby leads, reads the bundle back
 * from S3 (its GET seen by the S3 front after the kill), recovers the job from its latest checkpoint, and the
 * committed output is exact. When the job finishes its HA objects are gone.
 */
import t from 'tap';
import { RestClient } from '../../runtime/cli/rest-client.js';
import { platform } from '../../runtime/platform/index.js';
import { readSequenceOutput, runCli, sequencesExact, tempDirs, waitFor } from '../support/cluster-harness.js';
import { haCluster } from '../../bench/ha-cluster.js';
import { startS3Server } from '../../bench/stand-ins/s3-server.js';
import { startZooKeeper, zookeeperMissing } from '../../bench/stand-ins/zookeeper-server.js';

const N = 12_000;
const KEYS = 10;
const BUCKET = 'sluice-ha';

t.test(
  'storageDir on S3: the standby recovers the job from the bundle stored in S3',
  { skip: zookeeperMissing() ?? false },
  async (t) => {
    const zk = await startZooKeeper(t);
    const s3 = await startS3Server([BUCKET]);
    t.teardown(() => s3.close());
    const objects = platform.s3.client(s3.settings);
    const [out, logs] = tempDirs(t, 'ha-s3-out', 'ha-s3-logs');
    const ha = haCluster(t, {
      ...s3.config,
      'high-availability.type': 'zookeeper',
      'high-availability.zookeeper.quorum': zk.quorum,
      'high-availability.storageDir': `s3://${BUCKET}/ha`,
      'high-availability.cluster-id': 'failover-s3',
      'execution.checkpointing.dir': `s3://${BUCKET}/checkpoints`,
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '20',
      'restart-strategy.fixed-delay.delay': '200 ms',
      'env.log.dir': logs!,
    });
    const jm1 = await ha.jobManager('jm1');
    const url1 = String(jm1.ready.restUrl);
    t.ok(jm1.ready.restUrl, 'the first job manager leads');
    t.equal((await ha.jobManager('jm2')).ready.standby, true, 'the second stands by');
    await ha.worker(2);
    await ha.worker(2);
    await ha.workersRegistered(url1, 2);

    const run = await runCli(t, [
      'run',
      '-d',
      '-m',
      url1,
      '-p',
      '2',
      'jobs/keyed-sequence-check.ts',
      out!,
      String(N),
      '1500',
      String(KEYS),
    ]);
    t.equal(run.code, 0, run.stderr);
    const jobId = /JobID ([0-9a-f]{32})/.exec(run.stdout)![1]!;
    const jobKeys = async () => (await objects.list(BUCKET, `ha/jobs/${jobId}/`)).objects.map((o) => o.key).sort();
    t.same(
      await jobKeys(),
      [`ha/jobs/${jobId}/bundle.js`, `ha/jobs/${jobId}/submission.json`],
      'the bundle and submission are objects under the storageDir prefix',
    );
    const submission = JSON.parse((await objects.get(BUCKET, `ha/jobs/${jobId}/submission.json`)).toString('utf8'));
    t.match(submission, { jobId, parallelism: 2, args: [out!, String(N), '1500', String(KEYS)] });
    const rest1 = new RestClient(url1);
    // two completed: the first one's pointer is surely in ZooKeeper (it is written as a checkpoint completes)
    await waitFor(
      'two completed checkpoints on S3',
      async () =>
        (await rest1.call<{ counts: { completed: number } }>('GET', `/jobs/${jobId}/checkpoints`)).counts.completed >=
        2,
      60_000,
    );

    const reads: string[] = [];
    s3.observe = (req) => {
      if (req.method === 'GET') reads.push(req.url ?? '');
    };
    jm1.kill('SIGKILL');
    const url2 = await ha.leadsAt('jm2');
    await ha.workersRegistered(url2, 2);
    const recovering = await waitFor('the new leader recovering the job', () =>
      ha.lines.jm2!.find((l) => l.includes(`Recovering job ${jobId}`)),
    );
    t.match(recovering, new RegExp(`from checkpoint \\d+ at s3://${BUCKET}/checkpoints/`), 'from its S3 checkpoint');
    t.ok(
      reads.some((u) => u.startsWith(`/${BUCKET}/ha/jobs/${jobId}/bundle.js`)),
      'the new leader read the bundle from S3',
    );
    t.notOk(
      ha.lines.jm1!.some((l) => l.includes('in the HA store')),
      'every checkpoint pointer was recorded',
    );
    const rest2 = new RestClient(url2);
    await waitFor('the recovered job known to the new leader', async () =>
      rest2.call('GET', `/jobs/${jobId}/status`).then(
        () => true,
        () => false,
      ),
    );
    t.equal(await rest2.waitForTerminal(jobId, 180_000), 'FINISHED');
    const stats = await rest2.call<{ counts: { restored: number } }>('GET', `/jobs/${jobId}/checkpoints`);
    t.ok(stats.counts.restored >= 1, 'restored from a checkpoint');
    const { total, perKey } = readSequenceOutput(out!);
    t.equal(total, N, 'zero lost, zero duplicated records');
    t.equal(perKey.size, KEYS);
    t.ok(sequencesExact(perKey), 'per-key order and counts exact across the failover');
    await waitFor('the finished job’s HA objects removed', async () => (await jobKeys()).length === 0, 30_000);
    t.pass('no HA object of the finished job is left in S3');
  },
);
