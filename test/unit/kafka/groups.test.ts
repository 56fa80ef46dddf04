/**
 * Group coordination through kafkajs: committed offsets survive a consumer restart (OffsetCommit /
 * OffsetFetch), two members split partitions and a leaving member's partitions move to the survivor
 * (JoinGroup / SyncGroup / Heartbeat / LeaveGroup), and the coordinator state machine directly: rebalance,
 * follower sync, session expiry, rebalance timeout.
 */
import t from 'tap';
import type { Consumer } from 'kafkajs';
import { admin, broker, collect, consumer, kafka, producer, until } from '../../support/kafka/test-kit.js';

t.test('committed offsets: a restarted consumer resumes after what it consumed', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const p = await producer(t, k);
  await p.send({ topic: 'resume', messages: Array.from({ length: 10 }, (_, i) => ({ value: `a${i}` })) });
  const c1 = consumer(t, k, 'g-resume');
  const first = await collect(c1, ['resume'], 10, 'first run');
  t.same(
    first.map((m) => m.value),
    Array.from({ length: 10 }, (_, i) => `a${i}`),
  );
  await c1.disconnect(); // commits the resolved offsets, then leaves the group
  const a = await admin(t, k);
  t.same(await a.fetchOffsets({ groupId: 'g-resume', topics: ['resume'] }), [
    { topic: 'resume', partitions: [{ partition: 0, offset: '10', metadata: null }] },
  ]);
  await p.send({ topic: 'resume', messages: Array.from({ length: 5 }, (_, i) => ({ value: `b${i}` })) });
  const second = await collect(consumer(t, k, 'g-resume'), ['resume'], 5, 'second run');
  t.same(
    second.map((m) => m.value),
    Array.from({ length: 5 }, (_, i) => `b${i}`),
  );
  t.same(
    second.map((m) => m.offset),
    [10, 11, 12, 13, 14],
  );
});

function assignments(c: Consumer): { current: number[] } {
  const state = { current: [] as number[] };
  c.on(c.events.GROUP_JOIN, (e) => {
    state.current = [...(e.payload.memberAssignment['shared'] ?? [])].sort();
  });
  return state;
}

t.test('two members split the partitions; when one leaves the other takes them all', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  await a.createTopics({ topics: [{ topic: 'shared', numPartitions: 4 }] });
  const p = await producer(t, k);
  const seen = new Map<string, number>();
  const run = async (c: Consumer) => {
    await c.connect();
    await c.subscribe({ topics: ['shared'], fromBeginning: true });
    await c.run({
      eachMessage: async ({ message }) => {
        const v = message.value!.toString();
        seen.set(v, (seen.get(v) ?? 0) + 1);
      },
    });
  };
  const c1 = consumer(t, k, 'g-shared');
  const c2 = consumer(t, k, 'g-shared');
  const s1 = assignments(c1);
  const s2 = assignments(c2);
  await run(c1);
  await until(() => s1.current.length === 4, 'first member owns all 4 partitions');
  await run(c2);
  await until(() => s1.current.length === 2 && s2.current.length === 2, 'rebalance to 2 + 2');
  t.same([...s1.current, ...s2.current].sort(), [0, 1, 2, 3]);
  const described = (await a.describeGroups(['g-shared'])).groups[0]!;
  t.equal(described.state, 'Stable');
  t.equal(described.protocolType, 'consumer');
  t.equal(described.members.length, 2);
  const batch1 = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `x${i}` }));
  await p.send({ topic: 'shared', messages: batch1 });
  await until(() => batch1.every((m) => seen.has(m.value)), 'both members consume');
  await c2.disconnect();
  await until(() => s1.current.length === 4, 'survivor owns all 4 partitions again');
  const batch2 = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `y${i}` }));
  await p.send({ topic: 'shared', messages: batch2 });
  await until(() => batch2.every((m) => seen.has(m.value)), 'survivor consumes everything');
  t.ok(
    [...seen.values()].every((n) => n === 1),
    'no record delivered twice (offsets committed across the rebalance)',
  );
});

t.test('GroupCoordinator: rebalance with two members, then the silent one expires', async (t) => {
  const { GroupCoordinator } = await import('../../support/kafka/group-coordinator.js');
  const g = new GroupCoordinator(20);
  t.teardown(() => g.close());
  const meta = (s: string) => Buffer.from(s);
  const j1 = await g.join('x', '', 'c1', 300, 5000, 'consumer', [['range', meta('m1')]]);
  t.equal(j1.error, 0);
  t.equal(j1.leader, j1.memberId, 'a lone member leads');
  t.equal((await g.sync('x', j1.memberId, j1.generation, [[j1.memberId, meta('all')]])).assignment.toString(), 'all');
  const pending2 = g.join('x', '', 'c2', 300, 5000, 'consumer', [['range', meta('m2')]]);
  t.equal(g.heartbeat('x', j1.memberId, j1.generation), 27, 'REBALANCE_IN_PROGRESS tells the old member to rejoin');
  const [r1, r2] = await Promise.all([
    g.join('x', j1.memberId, 'c1', 300, 5000, 'consumer', [['range', meta('m1')]]),
    pending2,
  ]);
  t.equal(r1.generation, j1.generation + 1);
  t.equal(r2.generation, r1.generation);
  t.equal(r1.members.length, 2, 'the leader gets every member');
  t.equal(r2.members.length, 0);
  const s2 = g.sync('x', r2.memberId, r2.generation, []);
  const s1 = await g.sync('x', r1.memberId, r1.generation, [
    [r1.memberId, meta('A')],
    [r2.memberId, meta('B')],
  ]);
  t.equal(s1.assignment.toString(), 'A');
  t.equal((await s2).assignment.toString(), 'B', "a follower's SyncGroup waits for the leader");
  t.equal(g.validateCommit('x', r2.memberId, r1.generation - 1), 22, 'ILLEGAL_GENERATION for a stale commit');
  // only member 1 keeps heartbeating
  await Promise.resolve();
  const deadline = Date.now() + 5000;
  while (g.describe('x').members.length === 2) {
    if (Date.now() > deadline) throw new Error('member 2 never expired');
    g.heartbeat('x', r1.memberId, r1.generation);
    await new Promise((r) => setTimeout(r, 20));
  }
  t.equal(g.heartbeat('x', r2.memberId, r2.generation), 25, 'the expired member is unknown');
  t.equal(g.heartbeat('x', r1.memberId, r1.generation), 27, 'the survivor is asked to rejoin');
  const r3 = await g.join('x', r1.memberId, 'c1', 300, 5000, 'consumer', [['range', meta('m1')]]);
  t.equal(r3.generation, r1.generation + 1);
  t.equal(r3.members.length, 1);
  t.equal(g.leave('x', r1.memberId), 0);
  t.equal(g.describe('x').state, 'Empty');
});

t.test('GroupCoordinator: a member that does not rejoin within the rebalance timeout is dropped', async (t) => {
  const { GroupCoordinator } = await import('../../support/kafka/group-coordinator.js');
  const g = new GroupCoordinator(20);
  t.teardown(() => g.close());
  const j1 = await g.join('y', '', 'slow', 60_000, 200, 'consumer', [['range', Buffer.from('a')]]);
  await g.sync('y', j1.memberId, j1.generation, [[j1.memberId, Buffer.from('A')]]);
  let done = false;
  const pending = g.join('y', '', 'fast', 60_000, 200, 'consumer', [['range', Buffer.from('b')]]).then((r) => {
    done = true;
    return r;
  });
  await until(
    () => {
      g.heartbeat('y', j1.memberId, j1.generation);
      return done;
    },
    'the rebalance to complete without the slow member',
    5000,
  );
  const r2 = await pending;
  t.equal(r2.error, 0);
  t.equal(r2.leader, r2.memberId, 'the remaining member leads');
  t.same(
    r2.members.map(([id]) => id),
    [r2.memberId],
  );
  t.equal(g.heartbeat('y', j1.memberId, j1.generation), 25, 'the dropped member is unknown');
});
