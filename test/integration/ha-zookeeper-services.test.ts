/**
 * The ZooKeeper HA services against a real ZooKeeper (Debian's package, started per test on an ephemeral
 * port): two contenders elect exactly one leader, retrieval follows the published leader, the standby takes
 * over when the leader leaves, the leader steps down while ZooKeeper is gone and leads again when it
 * returns, the job store and checkpoint pointers round-trip (blobs in storageDir, pointers in ZooKeeper),
 * and an unreachable quorum fails with an error naming it.
 */
import t, { type Test } from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LeaderContender, LeaderInfo } from '../../runtime/ha/ha-services.js';
import { LocalBlobStore } from '../../runtime/ha/blob-store.js';
import { ZooKeeperHaServices } from '../../runtime/ha/zookeeper-ha.js';
import { tempDirs, waitFor } from '../support/cluster-harness.js';
import { startZooKeeper, zookeeperMissing } from '../../bench/stand-ins/zookeeper-server.js';

const skip = zookeeperMissing() ?? false;

/** A contender that records its grants and revocations. */
function contender(name: string) {
  const events: string[] = [];
  let session: string | undefined;
  const c: LeaderContender = {
    grantLeadership: async (s) => {
      session = s;
      events.push('granted');
    },
    revokeLeadership: async () => {
      session = undefined;
      events.push('revoked');
    },
  };
  return { name, c, events, session: () => session };
}

async function services(t: Test, quorum: string, storage: string, name: string) {
  const s = await ZooKeeperHaServices.connect({
    quorum,
    sessionTimeoutMs: 4000,
    connectionTimeoutMs: 10_000,
    rootPath: '/sluice-test',
    clusterId: 'c1',
    blobs: new LocalBlobStore(storage),
    contenderId: name,
    log: () => {},
  });
  t.teardown(() => s.close());
  return s;
}

t.test('two contenders: one leader, retrieval follows it, the standby takes over', { skip }, async (t) => {
  const zk = await startZooKeeper(t);
  const [storage] = tempDirs(t, 'ha-storage');
  const s1 = await services(t, zk.quorum, storage!, 'jm1');
  const s2 = await services(t, zk.quorum, storage!, 'jm2');
  const a = contender('jm1');
  const b = contender('jm2');
  const e1 = s1.leaderElection();
  const e2 = s2.leaderElection();
  await e1.start(a.c);
  await e2.start(b.c);
  t.same(a.events, ['granted'], 'the first contender leads');
  t.same(b.events, [], 'the second waits');
  const seen: Array<LeaderInfo | undefined> = [];
  const watcher = await services(t, zk.quorum, storage!, 'client');
  await watcher.leaderRetrieval().start((l) => seen.push(l));
  const info1 = { sessionId: a.session()!, rpcHost: '127.0.0.1', rpcPort: 1111, restUrl: 'http://127.0.0.1:1' };
  await e1.confirmLeadership(info1);
  await e2.confirmLeadership({ ...info1, sessionId: 'not-a-leader', rpcPort: 2222 }); // ignored: not leading
  await waitFor('retrieval sees jm1', () => seen.at(-1)?.rpcPort === 1111);
  t.ok(e1.hasLeadership(a.session()!));
  await e1.stop(); // jm1 leaves: its latch node goes, jm2 is next
  await waitFor('jm2 granted', () => b.events.includes('granted'));
  t.same(a.events, ['granted', 'revoked']);
  await e2.confirmLeadership({ ...info1, sessionId: b.session()!, rpcPort: 2222 });
  await waitFor('retrieval sees jm2', () => seen.at(-1)?.rpcPort === 2222);
  t.notOk(
    seen.some((l) => l?.sessionId === 'not-a-leader'),
    'a confirmation for a session that does not lead is never published',
  );
});

t.test('the leader steps down while ZooKeeper is gone and leads again when it returns', { skip }, async (t) => {
  const zk = await startZooKeeper(t);
  const [storage] = tempDirs(t, 'ha-storage');
  const s = await services(t, zk.quorum, storage!, 'jm1');
  const a = contender('jm1');
  await s.leaderElection().start(a.c);
  t.same(a.events, ['granted']);
  await zk.stop();
  await waitFor('leadership revoked', () => a.events.at(-1) === 'revoked', 20_000);
  await zk.restart();
  await waitFor('leadership granted again', () => a.events.at(-1) === 'granted', 30_000);
  t.same(a.events, ['granted', 'revoked', 'granted']);
});

t.test('job store and checkpoint pointers: blobs in storageDir, pointers in ZooKeeper', { skip }, async (t) => {
  const zk = await startZooKeeper(t);
  const [storage] = tempDirs(t, 'ha-storage');
  const s1 = await services(t, zk.quorum, storage!, 'jm1');
  const job = {
    jobId: 'a'.repeat(32),
    jobName: 'counts',
    args: ['--n', '3'],
    parallelism: 2,
    flinkConfiguration: { 'execution.checkpointing.interval': '1 s' },
    submittedAtMs: 1234,
  };
  await s1.jobStore.put(job, 'console.log("bundle")');
  await s1.checkpointPointers.put(job.jobId, { checkpointId: 7, externalPath: '/tmp/x/chk-7' });
  t.ok(existsSync(join(storage!, 'jobs', job.jobId, 'bundle.js')), 'the bundle is a file under storageDir');
  // another process (a new leader) reads them back
  const s2 = await services(t, zk.quorum, storage!, 'jm2');
  t.same(await s2.jobStore.jobIds(), [job.jobId]);
  t.same(await s2.jobStore.get(job.jobId), { job, bundleCode: 'console.log("bundle")' });
  t.same(await s2.checkpointPointers.get(job.jobId), { checkpointId: 7, externalPath: '/tmp/x/chk-7' });
  await s2.checkpointPointers.put(job.jobId, { checkpointId: 8, externalPath: '/tmp/x/chk-8' });
  t.equal((await s1.checkpointPointers.get(job.jobId))?.checkpointId, 8, 'a newer pointer replaces the old');
  await s2.jobStore.remove(job.jobId);
  await s2.checkpointPointers.remove(job.jobId);
  t.same(await s1.jobStore.jobIds(), []);
  t.equal(await s1.jobStore.get(job.jobId), undefined);
  t.equal(await s1.checkpointPointers.get(job.jobId), undefined);
  t.same(readdirSync(join(storage!, 'jobs', job.jobId)), [], 'the blobs are deleted with the job');
});

t.test('an unreachable quorum fails at connect with an error naming it', { skip }, async (t) => {
  const zk = await startZooKeeper(t);
  await zk.stop(); // a port where nothing listens now
  const [storage] = tempDirs(t, 'ha-storage');
  await t.rejects(
    ZooKeeperHaServices.connect({
      quorum: zk.quorum,
      sessionTimeoutMs: 4000,
      connectionTimeoutMs: 1500,
      rootPath: '/sluice-test',
      clusterId: 'c1',
      blobs: new LocalBlobStore(storage!),
      contenderId: 'jm',
      log: () => {},
    }),
    { code: 'HA_UNREACHABLE', message: new RegExp(`ZooKeeper quorum ${zk.quorum.replace(/\./g, '\\.')}`) },
  );
});
