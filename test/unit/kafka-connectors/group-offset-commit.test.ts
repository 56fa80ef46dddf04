/**
 * Offset commits for a group the committing client is not a member of (the source reader's
 * `commit.offsets.on.checkpoint` path): the offsets of several topics land in one call and are what the group
 * then reads; a group with a live member is refused and keeps its offsets and its member; the committing
 * consumer leaves, so the next commit finds the group empty again.
 */
import t from 'tap';
import * as kit from '../../support/kafka/test-kit.js';
import { commitGroupOffsets } from '../../../operators/connectors/kafka/group-offset-commit.js';
import { createTopic, fill } from './helpers.js';

t.test('offsets of two topics are committed in one call; the group is empty afterwards', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  const admin = await kit.admin(t, k);
  await createTopic(admin, 'ga', 2);
  await createTopic(admin, 'gb', 1);
  const producer = await kit.producer(t, k);
  await fill(producer, 'ga', 2, 10);
  await fill(producer, 'gb', 1, 10);
  const offsetsOf = async (topic: string) =>
    (await admin.fetchOffsets({ groupId: 'g', topics: [topic] }))[0]!.partitions
      .map((p) => `${p.partition}:${p.offset}`)
      .sort();

  await commitGroupOffsets(
    k,
    'g',
    [
      { topic: 'ga', partition: 0, offset: '3' },
      { topic: 'ga', partition: 1, offset: '10' },
      { topic: 'gb', partition: 0, offset: '5' },
    ],
    50,
  );
  t.same(await offsetsOf('ga'), ['0:3', '1:10']);
  t.same(await offsetsOf('gb'), ['0:5']);
  t.equal((await admin.describeGroups(['g'])).groups[0]!.members.length, 0, 'the committing consumer left');

  await commitGroupOffsets(k, 'g', [{ topic: 'ga', partition: 0, offset: '7' }], 50);
  t.same(await offsetsOf('ga'), ['0:7', '1:10'], 'a later commit moves only the partitions it names');
});

t.test('a group with a live member is refused and keeps its offsets', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  const admin = await kit.admin(t, k);
  await createTopic(admin, 'gl', 1);
  await fill(await kit.producer(t, k), 'gl', 1, 5);
  const member = kit.consumer(t, k, 'live');
  await kit.collect(member, ['gl'], 5, 'the live member reads the topic');
  await kit.until(
    async () => (await admin.describeGroups(['live'])).groups[0]!.state === 'Stable',
    'the live group is stable',
  );
  const before = await admin.fetchOffsets({ groupId: 'live', topics: ['gl'] });

  await t.rejects(commitGroupOffsets(k, 'live', [{ topic: 'gl', partition: 0, offset: '0' }], 50), {
    code: 'KAFKA_GROUP_ACTIVE',
    message: /group "live": it has active members/,
  });
  t.same(await admin.fetchOffsets({ groupId: 'live', topics: ['gl'] }), before, 'offsets unchanged');
  const group = (await admin.describeGroups(['live'])).groups[0]!;
  t.equal(group.state, 'Stable', 'no rebalance');
  t.equal(group.members.length, 1);
});
