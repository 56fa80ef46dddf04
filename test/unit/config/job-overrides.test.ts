import t from 'tap';
import { loadConfiguration } from '../../../runtime/config/index.js';
import { isJobLevelKey, withJobOverrides } from '../../../runtime/config/job-overrides.js';
import { createClusterFacade } from '../../../runtime/jobmanager/cluster-facade-impl.js';
import { JobManager } from '../../../runtime/jobmanager/job-manager.js';

const cluster = loadConfiguration({
  yamlText: 'execution.checkpointing.interval: 10 s\nparallelism.default: 2\n',
}).typed;

t.test('job-level keys override the cluster configuration for one job', async (t) => {
  const own = withJobOverrides(
    cluster,
    {
      'execution.checkpointing.interval': '500ms',
      'restart-strategy.type': 'failure-rate',
      'state.checkpoints.num-retained': '3', // the 1.x name
      'pipeline.max-parallelism': '32',
    },
    'flinkConfiguration',
  );
  t.equal(own['execution.checkpointing.interval'], 500);
  t.equal(own['restart-strategy.type'], 'failure-rate');
  t.equal(own['execution.checkpointing.num-retained'], 3);
  t.equal(own['pipeline.max-parallelism'], 32);
  t.equal(own['parallelism.default'], 2, 'what the job does not set stays the cluster’s');
  t.equal(own['heartbeat.timeout'], cluster['heartbeat.timeout']);
  t.equal(cluster['execution.checkpointing.interval'], 10_000, 'the cluster configuration is unchanged');
  t.equal(withJobOverrides(cluster, {}, 'x'), cluster, 'no overrides: the cluster configuration itself');
});

t.test('cluster settings, unknown keys and unsupported values are refused per job, naming the key', async (t) => {
  t.throws(() => withJobOverrides(cluster, { 'heartbeat.timeout': '1 min' }, 'flinkConfiguration'), {
    code: 'CONFIG_UNSUPPORTED',
    message: /heartbeat\.timeout cannot be set per job; it is a cluster setting/,
  });
  t.throws(() => withJobOverrides(cluster, { 'taskmanager.memory.process.size': '1g' }, 'flinkConfiguration'), {
    code: 'CONFIG_UNSUPPORTED',
    message: /taskmanager\.memory\.process\.size cannot be set per job; sluice does not know this key/,
  });
  t.throws(
    () => withJobOverrides(cluster, { 'execution.checkpointing.unaligned.enabled': 'true' }, 'flinkConfiguration'),
    { code: 'CONFIG_UNSUPPORTED', message: /execution\.checkpointing\.unaligned\.enabled: true \(supported: false\)/ },
  );
  t.equal(
    withJobOverrides(cluster, { 'execution.checkpointing.incremental': 'true' }, 'flinkConfiguration')[
      'execution.checkpointing.incremental'
    ],
    true,
    'incremental checkpoints are a per-job setting',
  );
  t.throws(() => withJobOverrides(cluster, { 'execution.checkpointing.timeout': 'later' }, 'flinkConfiguration'), {
    code: 'CONFIG_INVALID',
    message: /execution\.checkpointing\.timeout/,
  });
  t.ok(isJobLevelKey('restart-strategy') && isJobLevelKey('execution.savepoint.path'), '1.x names count');
  t.notOk(isJobLevelKey('rest.port'));
});

t.test('a REST run request with a refused claim mode or cluster key fails before anything starts', async (t) => {
  const jm = new JobManager({ rpcHost: '127.0.0.1', rpcPort: 0, secret: 's', config: cluster, log: () => {} });
  const facade = createClusterFacade(jm, async () => {});
  const run = (req: object) =>
    Promise.resolve().then(() =>
      facade.runJar('no-such-jar', { programArgs: [], allowNonRestoredState: false, flinkConfiguration: {}, ...req }),
    );
  await t.rejects(run({ claimMode: 'LEGACY' }), {
    code: 'CONFIG_UNSUPPORTED',
    message: /execution\.state-recovery\.claim-mode: LEGACY \(supported: CLAIM, NO_CLAIM\)/,
  });
  await t.rejects(run({ claimMode: 'CLAIM' }), { code: 'REST_NOT_FOUND' }, 'CLAIM reaches the jar');
  await t.rejects(run({ flinkConfiguration: { 'rest.port': '1' } }), { code: 'CONFIG_UNSUPPORTED' });
  await t.rejects(run({ claimMode: 'NO_CLAIM' }), { code: 'REST_NOT_FOUND' }, 'an accepted request reaches the jar');
  t.equal(jm.jobs.size, 0);
});
