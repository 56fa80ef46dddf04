/**
 * Every configuration key is honoured or refused. For each option of the schema, the table below holds
 * either a non-default value that must be refused (an error naming the key) or a non-default value and an
 * observation through the code that reads it: the test asserts that the typed field changes and that the
 * consumer's observable result differs from the one with the default. A new option without an entry
 * fails to compile (the table is a Record over the option keys) and fails the coverage assertion here.
 */
import t, { type Test } from 'tap';
import { createServer } from 'node:net';
import { TLSSocket } from 'node:tls';
import { isDeepStrictEqual } from 'node:util';
import {
  type Configuration,
  type OptionKey,
  OPTION_SPECS,
  loadConfiguration,
  type SluiceConfig,
} from '../../../runtime/config/index.js';
import { jobSettings } from '../../../runtime/config/job-settings.js';
import { pathRoots } from '../../../runtime/config/path-roots.js';
import { s3Settings } from '../../../runtime/config/s3-settings.js';
import { clusterSettings } from '../../../runtime/cli/cluster-settings.js';
import { checkpointingOptions } from '../../../runtime/jobmanager/job-config.js';
import { createRestartStrategy } from '../../../runtime/jobmanager/restart-strategy.js';
import { JobManager } from '../../../runtime/jobmanager/job-manager.js';
import { createClusterFacade } from '../../../runtime/jobmanager/cluster-facade-impl.js';
import { collectCoordinatorFor } from '../../../runtime/jobmanager/collect-coordinator.js';
import { CollectBuffer } from '../../../runtime/api/collect-buffer.js';
import { clientHeartbeatOf } from '../../../runtime/cli/client-host.js';
import { registrationPolicy, TaskWorker } from '../../../runtime/taskworker/task-worker.js';
import { zookeeperOptions } from '../../../runtime/ha/create-ha-services.js';
import type { TcpShuffle } from '../../../runtime/network/tcp-shuffle.js';
import { createRestServer } from '../../../runtime/rest/index.js';
import { installFakeClock } from '../../support/fake-clock.js';
import { flameGraphOptions } from '../../../runtime/jobmanager/flame-graphs.js';
import { processLogOptions } from '../../../runtime/diagnostics/process-log.js';
import { FakeFacade, JOB } from '../rest/fake-facade.js';
import { internalTls, restTls } from '../../../runtime/config/tls-material.js';
import { tempDirs } from '../../support/cluster-harness.js';
import { makeTestCerts } from '../../support/tls-certs.js';

type Tap = Test;
type Check = { refused: string } | { value: string; observe: (c: Configuration, t: Tap) => unknown | Promise<unknown> };

/** Certificates (openssl, at test time) the TLS keys point at; TLS itself is off unless a check turns it on. */
const [certDir] = tempDirs(t, 'every-key-tls');
const certs = makeTestCerts(certDir!);
const TLS_FILES = {
  'security.ssl.internal.key': certs.worker.key,
  'security.ssl.internal.cert': certs.worker.cert,
  'security.ssl.internal.truststore': certs.ca,
  'security.ssl.rest.key': certs.jobManager.key,
  'security.ssl.rest.cert': certs.jobManager.cert,
  'security.ssl.rest.truststore': certs.ca,
};

/** Every check starts from the defaults with the REST port ephemeral (nothing binds 8081). */
const BASE = { 'rest.port': '0', ...TLS_FILES };
const load = (extra: Record<string, string> = {}) =>
  loadConfiguration({ file: false, overrides: { ...BASE, ...extra } });

/** A program that sets nothing on its environment: everything comes from the configuration. */
const plainEnv = {
  getParallelism: () => -1,
  getMaxParallelism: () => -1,
  getConfig: () => ({ autoWatermarkIntervalIfSet: () => undefined }),
  checkpointConfig: { intervalMs: -1, mode: 'EXACTLY_ONCE' as const },
};
const job = (c: Configuration) => jobSettings(c.typed, plainEnv);
/** The state backend a job gets with state.backend.type: rocksdb on top of `c`. */
const rocksdbBackend = (c: Configuration) => job(c.with({ 'state.backend.type': 'rocksdb' })).stateBackend;
const checkpointing = (c: Configuration) => checkpointingOptions(c.typed, job(c).checkpointing, undefined, false);

/** Delays the job master would get for failures at these times (ms), with a fixed jitter draw. */
function restarts(c: Configuration, extra: Record<string, string>, times = [0, 2000, 4000, 6000, 8000]) {
  const s = createRestartStrategy(c.with(extra).typed, true, () => 0);
  return { name: s.name, delays: times.map((now) => s.nextDelayMs(now)) };
}
const fixedDelay = (c: Configuration) => restarts(c, { 'restart-strategy.type': 'fixed-delay' });
/** With a fixed max of 3 failures unless the max itself is under test (the default of 1 never restarts). */
const failureRate = (c: Configuration, fixMax = true) =>
  restarts(c, {
    'restart-strategy.type': 'failure-rate',
    ...(fixMax ? { 'restart-strategy.failure-rate.max-failures-per-interval': '3' } : {}),
  });
const exponential = (c: Configuration) => restarts(c, { 'restart-strategy.type': 'exponential-delay' });

/** A REST server over a fake facade (not listening unless `listen`), closed in teardown. */
function rest(c: Configuration, t: Tap) {
  const facade = new FakeFacade();
  const server = createRestServer({ facade, config: c });
  t.teardown(() => server.close());
  return { facade, server, app: server.app };
}

/** A job manager and one task worker in this process on ephemeral loopback ports; stopped in teardown. */
async function jobManagerAndWorker(config: SluiceConfig, t: Tap) {
  const jm = new JobManager({ rpcHost: '127.0.0.1', rpcPort: 0, secret: 'every-key', config, log: () => {} });
  const rpc = await jm.start();
  const worker = new TaskWorker({
    jobManagerHost: rpc.host,
    jobManagerPort: rpc.port,
    dataPort: 0,
    secret: 'every-key',
    config,
    log: () => {},
  });
  t.teardown(async () => {
    await worker.stop();
    await jm.stop();
  });
  await worker.start();
  return { jm, worker, registered: [...jm.registry.workers.values()][0]! };
}

/** The options the job manager gave its JarStore. */
async function jarStoreOf(c: Configuration, t: Tap) {
  const { jm } = await jobManagerAndWorker(c.typed, t);
  return (jm.jarStore as unknown as { o: { dir: string; maxCount: number; maxBytes: number } }).o;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

const TOKEN = 'every-key-token-0123456789';

/** The S3 client settings, or why they are refused (one of the two credential keys alone). */
function s3SettingsOrError(c: Configuration): unknown {
  try {
    return s3Settings(c.typed);
  } catch (e) {
    return (e as Error).message;
  }
}

const CHECKS: Record<OptionKey, Check> = {
  'rest.address': {
    value: 'localhost',
    observe: async (c, t) => (await rest(c, t).app.inject('/jars')).json().address,
  },
  'rest.port': { value: '9091', observe: (c) => clusterSettings(c).restPort },
  'rest.bind-address': {
    value: '0.0.0.0',
    observe: (c, t) => {
      try {
        rest(c, t);
        return 'created';
      } catch (e) {
        return (e as { code?: string }).code; // a non-loopback bind needs tokens
      }
    },
  },
  'rest.bind-port': {
    value: 'FREE_PORT',
    observe: async (c, t) => {
      const want = c.typed['rest.bind-port'];
      const { port } = await rest(c, t).server.listen();
      return want === undefined ? 'ephemeral (rest.port 0)' : port === Number(want);
    },
  },
  'rest.server.max-content-length': { value: '1 kb', observe: (c, t) => rest(c, t).app.initialConfig.bodyLimit },
  'rest.async.store-duration': {
    value: '1 s',
    observe: async (c, t) => {
      const clock = installFakeClock(t);
      const jm = new JobManager({ rpcHost: '127.0.0.1', rpcPort: 0, secret: 'x', config: c.typed, log: () => {} });
      jm.jobs.set(JOB, {} as never);
      jm.checkpointing.set(JOB, { checkpointNow: async () => ({ id: 7 }) } as never);
      const facade = createClusterFacade(jm, async () => {});
      const id = await facade.triggerCheckpoint(JOB, { checkpointType: 'CONFIGURED', triggerId: 'op' } as never);
      await new Promise((r) => setImmediate(r));
      clock.advance(2000);
      return (await facade.checkpointStatus(JOB, id)) === undefined ? 'forgotten' : 'pollable';
    },
  },
  'jobmanager.rpc.address': { value: '127.0.0.2', observe: (c) => clusterSettings(c).rpcHost },
  'jobmanager.rpc.port': { value: '6124', observe: (c) => clusterSettings(c).rpcPort },
  'jobmanager.scheduler': { refused: 'adaptive' },
  'scheduler-mode': {
    value: 'reactive',
    observe: (c) =>
      new JobManager({ rpcHost: '', rpcPort: 0, secret: '', config: c.typed, log: () => {} }).reactive !== undefined,
  },
  'jobmanager.adaptive-scheduler.resource-wait-timeout': { refused: '10 min' },
  'jobmanager.adaptive-scheduler.resource-stabilization-timeout': {
    value: '30 s',
    observe: (c) => reactive(c).stabilizationMs,
  },
  'jobmanager.adaptive-scheduler.min-parallelism-increase': { value: '3', observe: (c) => reactive(c).minIncrease },
  'taskmanager.host': {
    value: '127.0.0.2',
    observe: async (c, t) => (await jobManagerAndWorker(c.typed, t)).registered.host,
  },
  'taskmanager.bind-host': {
    value: '127.0.0.2',
    observe: async (c, t) =>
      ((await jobManagerAndWorker(c.typed, t)).worker as unknown as { shuffle: TcpShuffle }).shuffle.address.host,
  },
  'jobmanager.bind-host': {
    value: '127.0.0.2',
    observe: async (c, t) => {
      const jm = new JobManager({ rpcHost: '127.0.0.1', rpcPort: 0, secret: 'k', config: c.typed, log: () => {} });
      await jm.start();
      t.teardown(() => jm.stop());
      return { bound: jm.rpcBound.host, advertised: jm.rpcAddress.host };
    },
  },
  'security.ssl.internal.enabled': {
    value: 'true',
    observe: async (c, t) => {
      const w = (await jobManagerAndWorker(c.typed, t)).worker as unknown as { conn: { socket: object } };
      return w.conn.socket instanceof TLSSocket;
    },
  },
  'security.ssl.internal.key': { value: certs.rogueWorker.key, observe: (c) => String(internalOn(c).key) },
  'security.ssl.internal.cert': { value: certs.rogueWorker.cert, observe: (c) => String(internalOn(c).cert) },
  'security.ssl.internal.truststore': { value: certs.rogueCa, observe: (c) => String(internalOn(c).ca) },
  'security.ssl.internal.handshake-timeout': { value: '3 s', observe: (c) => internalOn(c).handshakeTimeoutMs },
  'security.ssl.verify-hostname': { value: 'false', observe: (c) => internalOn(c).verifyHostname },
  'security.ssl.rest.enabled': {
    value: 'true',
    observe: async (c, t) => (await rest(c, t).server.listen()).scheme,
  },
  'security.ssl.rest.key': { value: certs.otherHost.key, observe: (c) => String(restOn(c).key) },
  'security.ssl.rest.cert': { value: certs.otherHost.cert, observe: (c) => String(restOn(c).cert) },
  'security.ssl.rest.truststore': { value: certs.rogueCa, observe: (c) => String(restOn(c).ca) },
  'security.ssl.rest.authentication-enabled': { value: 'true', observe: (c) => restOn(c).clientAuth },
  'taskmanager.numberOfTaskSlots': {
    value: '5',
    observe: async (c, t) => (await jobManagerAndWorker(c.typed, t)).registered.numSlots,
  },
  'parallelism.default': { value: '3', observe: (c) => job(c).defaultParallelism },
  'pipeline.max-parallelism': { value: '64', observe: (c) => job(c).defaultMaxParallelism },
  'pipeline.auto-watermark-interval': { value: '1 s', observe: (c) => job(c).autoWatermarkIntervalMs },
  'execution.checkpointing.interval': { value: '10 s', observe: (c) => checkpointing(c).intervalMs },
  'execution.checkpointing.mode': { value: 'AT_LEAST_ONCE', observe: (c) => checkpointing(c).mode },
  'execution.checkpointing.timeout': { value: '1 min', observe: (c) => checkpointing(c).timeoutMs },
  'execution.checkpointing.min-pause': { value: '500ms', observe: (c) => checkpointing(c).minPauseMs },
  'execution.checkpointing.max-concurrent-checkpoints': { value: '2', observe: (c) => checkpointing(c).maxConcurrent },
  'execution.checkpointing.tolerable-failed-checkpoints': {
    value: '3',
    observe: (c) => checkpointing(c).tolerableFailures,
  },
  'execution.checkpointing.unaligned.enabled': { refused: 'true' },
  'execution.checkpointing.aligned-checkpoint-timeout': { refused: '30 s' },
  'execution.checkpointing.externalized-checkpoint-retention': {
    value: 'RETAIN_ON_CANCELLATION',
    observe: (c) => checkpointing(c).retention,
  },
  'execution.checkpointing.dir': { value: '/tmp/every-key-ck', observe: (c) => checkpointing(c).checkpointsDir },
  'execution.checkpointing.savepoint-dir': { value: '/tmp/every-key-sp', observe: (c) => pathRoots(c.typed) },
  'execution.checkpointing.num-retained': { value: '3', observe: (c) => checkpointing(c).numRetained },
  'execution.checkpointing.incremental': { value: 'true', observe: (c) => rocksdbBackend(c) },
  'state.backend.type': { value: 'rocksdb', observe: (c) => job(c).stateBackend },
  'state.backend.rocksdb.localdir': { value: '/tmp/every-key-rocksdb', observe: (c) => rocksdbBackend(c) },
  'state.backend.rocksdb.block.cache-size': { value: '32 mb', observe: (c) => rocksdbBackend(c) },
  'state.backend.rocksdb.writebuffer.size': { value: '16 mb', observe: (c) => rocksdbBackend(c) },
  'state.backend.rocksdb.timer-service.factory': { refused: 'ROCKSDB' },
  'execution.state-recovery.path': { value: '/tmp/sp-1', observe: (c) => checkpointing(c).initialRestorePath },
  'execution.state-recovery.ignore-unclaimed-state': {
    value: 'true',
    observe: (c) => checkpointing(c).allowNonRestoredState,
  },
  'execution.state-recovery.claim-mode': { refused: 'LEGACY' },
  'restart-strategy.type': { value: 'fixed-delay', observe: (c) => restarts(c, {}) },
  'restart-strategy.fixed-delay.attempts': { value: '3', observe: fixedDelay },
  'restart-strategy.fixed-delay.delay': { value: '5 s', observe: fixedDelay },
  'restart-strategy.failure-rate.max-failures-per-interval': {
    value: '4',
    observe: (c) => failureRate(c, false),
  },
  'restart-strategy.failure-rate.failure-rate-interval': { value: '3 s', observe: (c) => failureRate(c) },
  'restart-strategy.failure-rate.delay': { value: '5 s', observe: (c) => failureRate(c) },
  'restart-strategy.exponential-delay.initial-backoff': { value: '200 ms', observe: exponential },
  'restart-strategy.exponential-delay.max-backoff': { value: '1500 ms', observe: exponential },
  'restart-strategy.exponential-delay.backoff-multiplier': { value: '3', observe: exponential },
  'restart-strategy.exponential-delay.reset-backoff-threshold': { value: '1 s', observe: exponential },
  'restart-strategy.exponential-delay.jitter-factor': { value: '0.5', observe: exponential },
  'restart-strategy.exponential-delay.attempts-before-reset-backoff': { value: '2', observe: exponential },
  'heartbeat.interval': {
    value: '3 s',
    observe: async (c, t) => {
      const clock = installFakeClock(t);
      await jobManagerAndWorker(c.typed, t);
      return clock.intervals(); // the job manager checks every interval/2; the worker beats every interval
    },
  },
  'heartbeat.timeout': {
    value: '20 s',
    observe: async (c, t) => {
      const clock = installFakeClock(t);
      const { jm } = await jobManagerAndWorker(c.typed, t);
      clock.advance(6000); // timers run synchronously: no heartbeat arrives meanwhile
      return jm.registry.workers.size;
    },
  },
  'heartbeat.rpc-failure-threshold': { refused: '5' },
  // High availability: what the ZooKeeper services are built from (test/integration/ha-*.test.ts run them).
  'high-availability.type': { refused: 'kubernetes' },
  'high-availability.zookeeper.quorum': { value: 'zk1:2181,zk2:2181', observe: (c) => zookeeperOptions(c.typed) },
  'high-availability.zookeeper.path.root': { value: '/sluice', observe: (c) => zookeeperOptions(c.typed) },
  'high-availability.cluster-id': { value: '/prod-1', observe: (c) => zookeeperOptions(c.typed) },
  'high-availability.storageDir': { value: '/srv/ha', observe: (c) => zookeeperOptions(c.typed) },
  'high-availability.zookeeper.client.session-timeout': { value: '20 s', observe: (c) => zookeeperOptions(c.typed) },
  'high-availability.zookeeper.client.connection-timeout': {
    value: '3 s',
    observe: (c) => zookeeperOptions(c.typed),
  },
  'taskmanager.registration.timeout': { value: '30 s', observe: (c) => registrationPolicy(c.typed) },
  'rest.flamegraph.enabled': { value: 'true', observe: (c) => flameGraphOptions(c.typed) },
  'rest.flamegraph.refresh-interval': { value: '5 s', observe: (c) => flameGraphOptions(c.typed) },
  'rest.flamegraph.num-samples': { value: '7', observe: (c) => flameGraphOptions(c.typed) },
  'rest.flamegraph.delay-between-samples': { value: '9 ms', observe: (c) => flameGraphOptions(c.typed) },
  'env.log.dir': { value: '/tmp/sluice-every-key-logs', observe: (c) => processLogOptions(c, 'jobmanager') },
  'env.log.max': { value: '3', observe: (c) => processLogOptions(c, 'taskworker') },
  'sluice.log.max-file-size': { value: '2 mb', observe: (c) => processLogOptions(c, 'taskworker') },
  // Read by the job manager's JarStore (uploads) and by each job master (slot waits).
  'sluice.rest.upload-dir': {
    value: '/tmp/sluice-every-key-uploads',
    observe: async (c, t) => (await jarStoreOf(c, t)).dir,
  },
  'sluice.rest.upload-retained-count': { value: '3', observe: async (c, t) => (await jarStoreOf(c, t)).maxCount },
  'sluice.rest.upload-retained-size': { value: '1 mb', observe: async (c, t) => (await jarStoreOf(c, t)).maxBytes },
  'slot.request.timeout': { value: '7 s', observe: (c) => c.typed['slot.request.timeout'] },
  'collect-sink.batch-size.max': {
    value: '64 kb',
    observe: (c) => {
      // the sink's buffer holds back its writer once a batch is buffered
      const buffer = new CollectBuffer('v', collectCoordinatorFor(c.typed).maxBatchBytes, false);
      buffer.add(new Uint8Array(40 * 1024));
      return buffer.add(new Uint8Array(40 * 1024)) === undefined ? 'accepted' : 'back-pressured';
    },
  },
  'client.heartbeat.timeout': {
    value: '20 s',
    observe: (c, t) => {
      const clock = installFakeClock(t);
      const coordinator = collectCoordinatorFor(c.typed);
      coordinator.opened('collect-1', { attempt: 0, worker: undefined });
      clock.advance(60_000);
      return coordinator.clientGone(0);
    },
  },
  'client.heartbeat.interval': { value: '5 s', observe: (c) => clientHeartbeatOf(c.typed).intervalMs },
  'web.exception-history-size': {
    value: '4',
    observe: async (c, t) => {
      const { app, facade } = rest(c, t);
      await app.inject(`/jobs/${JOB}/exceptions`);
      return facade.calls.find((x) => x.method === 'jobExceptions')?.args[1];
    },
  },
  'sluice.network.buffers-per-channel': {
    value: '3',
    observe: async (c, t) =>
      ((await jobManagerAndWorker(c.typed, t)).worker as unknown as { shuffle: TcpShuffle }).shuffle.buffersPerChannel,
  },
  'sluice.network.buffer-size': { refused: '64 kb' },
  's3.endpoint': { value: 'http://127.0.0.1:9000', observe: (c) => s3Settings(c.typed).endpoint },
  's3.path.style.access': { value: 'true', observe: (c) => s3Settings(c.typed).pathStyleAccess },
  's3.access-key': { value: 'AKIDEXAMPLE', observe: (c) => s3SettingsOrError(c.with({ 's3.secret-key': 'wJalr' })) },
  's3.secret-key': { value: 'another-secret', observe: (c) => s3SettingsOrError(c) },
  's3.region': { value: 'eu-west-1', observe: (c) => s3Settings(c.typed).region },
  'sluice.mini-cluster.workers': { value: '4', observe: (c) => clusterSettings(c).miniClusterWorkers },
  'sluice.security.secret': { value: 'another-secret', observe: (c) => clusterSettings(c, {}).secret },
  'sluice.rest.request-timeout': { value: '5 s', observe: (c, t) => rest(c, t).app.initialConfig.connectionTimeout },
  'sluice.security.path-roots': { value: '/srv/snapshots', observe: (c) => pathRoots(c.typed) },
  'sluice.security.tokens': {
    value: `${TOKEN}:read`,
    observe: async (c, t) => (await rest(c, t).app.inject('/overview')).statusCode,
  },
};

/** The TLS material the processes would use with TLS on (the file keys are read only then). */
const internalOn = (c: Configuration) => internalTls(c.with({ 'security.ssl.internal.enabled': 'true' }).typed)!;
const restOn = (c: Configuration) => restTls(c.with({ 'security.ssl.rest.enabled': 'true' }).typed)!;

function reactive(c: Configuration) {
  const jm = new JobManager({
    rpcHost: '',
    rpcPort: 0,
    secret: '',
    config: c.with({ 'scheduler-mode': 'reactive' }).typed,
    log: () => {},
  });
  return jm.reactive!;
}

t.test('the table covers exactly the options of the schema', async (t) => {
  t.same(Object.keys(CHECKS).sort(), Object.keys(OPTION_SPECS).sort());
  for (const [key, spec] of Object.entries(OPTION_SPECS))
    if (spec.supported)
      t.ok('refused' in CHECKS[key as OptionKey], `${key} has supported values, so its entry is a refusal`);
});

for (const [key, check] of Object.entries(CHECKS) as Array<[OptionKey, Check]>) {
  if ('refused' in check) {
    t.test(`${key}: ${check.refused} is refused, naming the key`, async (t) => {
      let error: { code?: string; message?: string } | undefined;
      try {
        load({ [key]: check.refused });
      } catch (e) {
        error = e as { code?: string; message?: string };
      }
      t.equal(error?.code, 'CONFIG_UNSUPPORTED', String(error?.message));
      t.match(error?.message, key);
      t.match(error?.message, /supported|available/, 'says what is supported');
      t.doesNotThrow(() => load(), 'the default loads');
    });
    continue;
  }
  t.test(`${key}: ${check.value} is read`, async (t) => {
    const value = check.value === 'FREE_PORT' ? String(await freePort()) : check.value;
    const base = load();
    const changed = load({ [key]: value });
    t.not(
      changed.typed[key],
      base.typed[key],
      `the typed field changes (${String(base.typed[key])} → ${String(changed.typed[key])})`,
    );
    const before = await check.observe(base, t);
    const after = await check.observe(changed, t);
    t.notOk(
      isDeepStrictEqual(before, after),
      `its reader sees it: ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
    );
  });
}
