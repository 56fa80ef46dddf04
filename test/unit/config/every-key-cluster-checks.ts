/**
 * The every-key entries of the cluster and process options (REST, RPC, scheduler, task managers, TLS,
 * heartbeats, high availability, flame graphs, logs, uploads, collect sinks, client heartbeats, network, S3,
 * mini cluster, security), observed through a REST server over a fake facade, a job manager and a task
 * worker in this process, or the settings their readers compute. every-key.test.ts runs them and checks
 * that they and the job entries (every-key-job-checks.ts) together cover every option.
 */
import { TLSSocket } from 'node:tls';
import type { Configuration, SluiceConfig } from '../../../runtime/config/index.js';
import { pathRoots } from '../../../runtime/config/path-roots.js';
import { s3Settings } from '../../../runtime/config/s3-settings.js';
import { clusterSettings } from '../../../runtime/cli/cluster-settings.js';
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
import type { TestCerts } from '../../support/tls-certs.js';
import type { Checks, Tap } from './every-key-support.js';

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

const TOKEN = 'every-key-token-0123456789';

/** The S3 client settings, or why they are refused (one of the two credential keys alone). */
function s3SettingsOrError(c: Configuration): unknown {
  try {
    return s3Settings(c.typed);
  } catch (e) {
    return (e as Error).message;
  }
}

/** The entries; the TLS file keys take other certificates of `certs` than the ones the base configuration has. */
export function clusterKeyChecks(certs: TestCerts) {
  return {
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
        ((await jobManagerAndWorker(c.typed, t)).worker as unknown as { shuffle: TcpShuffle }).shuffle
          .buffersPerChannel,
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
  } satisfies Checks;
}

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
