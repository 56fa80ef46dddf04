import t from 'tap';
import * as kit from '../../support/kafka/test-kit.js';
import { StreamExecutionEnvironment } from '../../../runtime/exports/index.js';
import { KafkaSource, OffsetsInitializer } from '../../../operators/connectors/kafka/index.js';
import { commitGroupOffsets } from '../../../operators/connectors/kafka/group-offset-commit.js';
import { createTopic, fill, quiet } from './helpers.js';

t.test('starting offsets: earliest, latest, timestamp, explicit, committed', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  const admin = await kit.admin(t, k);
  await createTopic(admin, 'st', 2);
  const producer = await kit.producer(t, k);
  await fill(producer, 'st', 2, 10, (_p, i) => 1_000 + i);
  await commitGroupOffsets(k, 'grp', [{ topic: 'st', partition: 0, offset: '7' }], 50);
  const starts = async (init: OffsetsInitializer, groupId?: string) => {
    const builder = quiet(KafkaSource.builder())
      .setBootstrapServers(b.address)
      .setTopics('st')
      .setStartingOffsets(init)
      .setValueOnlyDeserializer((v) => v);
    if (groupId) builder.setGroupId(groupId);
    return (await builder.build().createSplits(1)).map((s) => s.offset);
  };
  t.same(await starts(OffsetsInitializer.earliest()), [0, 0], 'earliest');
  t.same(await starts(OffsetsInitializer.latest()), [10, 10], 'latest');
  t.same(await starts(OffsetsInitializer.timestamp(1_005)), [5, 5], 'timestamp: first record at or after it');
  t.same(await starts(OffsetsInitializer.timestamp(99_999)), [10, 10], 'timestamp after every record: the end');
  t.same(await starts(OffsetsInitializer.offsets({ 'st-0': 3 })), [3, 0], 'explicit, others earliest');
  t.same(
    await starts(OffsetsInitializer.offsets([{ topic: 'st', partition: 1, offset: 4 }], 'LATEST')),
    [10, 4],
    'explicit list, others latest',
  );
  t.same(await starts(OffsetsInitializer.committedOffsets(), 'grp'), [7, 0], 'committed, others earliest');
  t.same(await starts(OffsetsInitializer.committedOffsets('LATEST'), 'grp'), [7, 10], 'committed, others latest');
  t.throws(
    () =>
      quiet(KafkaSource.builder())
        .setBootstrapServers(b.address)
        .setTopics('st')
        .setStartingOffsets(OffsetsInitializer.committedOffsets())
        .setValueOnlyDeserializer((v) => v)
        .build(),
    { code: 'KAFKA_CONFIG' },
    'committed offsets need a group id',
  );
  t.throws(() => OffsetsInitializer.offsets({ 'st-0': -1 }), { code: 'API_INVALID_ARGUMENT' });

  const source = quiet(KafkaSource.builder())
    .setBootstrapServers(b.address)
    .setTopics(['st'])
    .setStartingOffsets(OffsetsInitializer.timestamp(1_005))
    .setBounded(OffsetsInitializer.latest())
    .setValueOnlyDeserializer((v) => v!.toString())
    .build();
  const rows = await StreamExecutionEnvironment.getExecutionEnvironment()
    .setParallelism(1)
    .fromSource(source, undefined, 'kafka')
    .executeAndCollect();
  t.same(
    rows.sort(),
    ['p0-5', 'p0-6', 'p0-7', 'p0-8', 'p0-9', 'p1-5', 'p1-6', 'p1-7', 'p1-8', 'p1-9'],
    'a job reads from the timestamp on',
  );
});

t.test('builder validation', async (t) => {
  const base = () => KafkaSource.builder().setBootstrapServers('localhost:9092');
  t.throws(
    () =>
      base()
        .setValueOnlyDeserializer((v) => v)
        .build(),
    { code: 'KAFKA_CONFIG' },
    'topics required',
  );
  t.throws(
    () =>
      base()
        .setTopics('a')
        .setTopicPattern(/a/)
        .setValueOnlyDeserializer((v) => v)
        .build(),
    { code: 'KAFKA_CONFIG' },
    'not both',
  );
  t.throws(() => base().setTopics('a').build(), { code: 'KAFKA_CONFIG' }, 'deserializer required');
  t.throws(() => KafkaSource.builder().setBootstrapServers('no-port'), { code: 'KAFKA_CONFIG' }, 'host:port');
  t.throws(
    () =>
      base()
        .setTopics('a')
        .setProperty('isolation.level', 'dirty')
        .setValueOnlyDeserializer((v) => v)
        .build(),
    { code: 'KAFKA_CONFIG' },
  );
});
