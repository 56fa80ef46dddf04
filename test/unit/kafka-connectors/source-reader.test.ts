import t from 'tap';
import * as kit from '../../support/kafka/test-kit.js';
import {
  KafkaSource,
  OffsetsInitializer,
  type KafkaPartitionSplit,
} from '../../../operators/connectors/kafka/index.js';
import { createTopic, fill, pollUntil, quiet, readerContext, recordingOutput } from './helpers.js';

const unbounded = (address: string, topic: string) =>
  quiet(KafkaSource.builder())
    .setBootstrapServers(address)
    .setTopics(topic)
    .setGroupId('readers')
    .setStartingOffsets(OffsetsInitializer.earliest())
    .setValueOnlyDeserializer((v) => v!.toString());

t.test('records go through their split output with the Kafka timestamp', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  await createTopic(await kit.admin(t, k), 'ts', 2);
  await fill(await kit.producer(t, k), 'ts', 2, 20, (p, i) => p * 100_000 + i);
  const source = unbounded(b.address, 'ts').build();
  const reader = source.createReader(readerContext());
  t.teardown(() => reader.close?.());
  const out = recordingOutput<string>();
  reader.addSplits(await source.createSplits(1));
  await pollUntil(reader, out.output, () => out.emitted.length >= 40, '40 records');
  t.equal(out.emitted.length, 40);
  for (const e of out.emitted) {
    const [p, i] = e.value.slice(1).split('-').map(Number) as [number, number];
    if (e.split !== `ts-${p}` || e.timestamp !== p * 100_000 + i)
      t.fail(`record ${e.value} went to ${e.split} with ${e.timestamp}`);
  }
  t.pass("every record on its partition's output, with its timestamp");
});

t.test('snapshot and restore of offsets through the reader API, rescaled 1 → 2 without gap or duplicate', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  await createTopic(await kit.admin(t, k), 'rs', 3);
  await fill(await kit.producer(t, k), 'rs', 3, 300);
  // small poll batches and a small fetch queue: the consumer pauses and resumes (back-pressure) many times
  const source = unbounded(b.address, 'rs')
    .setProperty('sluice.poll.batch.size', '50')
    .setProperty('sluice.fetch.queue.records', '100')
    .build();
  const first = source.createReader(readerContext());
  t.teardown(() => first.close?.());
  const out1 = recordingOutput<string>();
  first.addSplits(await source.createSplits(1));
  await pollUntil(first, out1.output, () => out1.emitted.length >= 400, '400 records');
  const state: KafkaPartitionSplit[] = first.snapshotState(1);
  await first.close?.();
  t.equal(
    state.reduce((n, s) => n + s.offset, 0),
    out1.emitted.length,
    'checkpointed offsets = records emitted',
  );

  const readers = [0, 1].map((i) => {
    const r = source.createReader(readerContext(i, 2));
    t.teardown(() => r.close?.());
    r.addSplits(state.filter((_, j) => j % 2 === i));
    return r;
  });
  const outs = [recordingOutput<string>(), recordingOutput<string>()];
  const rest = 900 - out1.emitted.length;
  const total = () => outs[0]!.emitted.length + outs[1]!.emitted.length;
  const end = Date.now() + 20_000;
  while (total() < rest && Date.now() < end) {
    await Promise.all(readers.map((r, i) => pollUntil(r, outs[i]!.output, () => true, 'poll')));
    if (total() < rest)
      await Promise.race([...readers.map((r) => r.isAvailable()), new Promise((r) => setTimeout(r, 100))]);
  }
  const all = [...out1.emitted, ...outs[0]!.emitted, ...outs[1]!.emitted].map((e) => e.value);
  t.equal(all.length, 900, 'every record once over both runs');
  t.equal(new Set(all).size, 900, 'no duplicate');
  for (let p = 0; p < 3; p++) {
    const mine = all.filter((v) => v.startsWith(`p${p}-`)).map((v) => Number(v.split('-')[1]));
    t.same(mine, [...Array(300).keys()], `partition ${p} continues exactly at its checkpointed offset`);
  }
});

t.test('offsets are committed to the group on checkpoint completion when asked to', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  const admin = await kit.admin(t, k);
  await createTopic(admin, 'cm', 2);
  await fill(await kit.producer(t, k), 'cm', 2, 30);
  const source = unbounded(b.address, 'cm').setProperty('commit.offsets.on.checkpoint', 'true').build();
  const reader = source.createReader(readerContext());
  t.teardown(() => reader.close?.());
  const out = recordingOutput<string>();
  reader.addSplits(await source.createSplits(1));
  await pollUntil(reader, out.output, () => out.emitted.length >= 60, '60 records');
  const state = reader.snapshotState(7);
  await reader.notifyCheckpointComplete?.(7);
  const committed = async () =>
    (await admin.fetchOffsets({ groupId: 'readers', topics: ['cm'] }))[0]!.partitions
      .map((p) => Number(p.offset))
      .sort();
  await kit.until(async () => (await committed()).join() === '30,30', 'committed offsets');
  t.same(
    state.map((s) => s.offset),
    [30, 30],
  );
  const restarted = unbounded(b.address, 'cm').setStartingOffsets(OffsetsInitializer.committedOffsets()).build();
  t.same(
    (await restarted.createSplits(1)).map((s) => s.offset),
    [30, 30],
    'committedOffsets() starts there',
  );
});

t.test(
  'an undecodable record goes to reportMalformed with topic, partition and offset; reading continues',
  async (t) => {
    const b = await kit.broker(t);
    const k = kit.kafka(b);
    await createTopic(await kit.admin(t, k), 'mal', 1);
    const producer = await kit.producer(t, k);
    await producer.send({ topic: 'mal', messages: ['{"a":1}', 'not json', '{"a":3}'].map((value) => ({ value })) });
    const source = quiet(KafkaSource.builder())
      .setBootstrapServers(b.address)
      .setTopics('mal')
      .setBounded(OffsetsInitializer.latest())
      .setValueOnlyDeserializer((v) => JSON.parse(v!.toString()) as { a: number })
      .build();
    const malformed: Array<{ raw: unknown; reason: string }> = [];
    const reader = source.createReader(readerContext(0, 1, malformed));
    t.teardown(() => reader.close?.());
    const out = recordingOutput<{ a: number }>();
    reader.addSplits(await source.createSplits(1));
    t.equal(await pollUntil(reader, out.output, () => false, 'end'), 'END_OF_INPUT');
    t.same(
      out.emitted.map((e) => e.value.a),
      [1, 3],
    );
    t.equal(malformed.length, 1);
    t.match(malformed[0], { raw: { topic: 'mal', partition: 0, offset: 1 }, reason: /mal\/0@1/ });
  },
);

t.test('a reader without splits marks itself idle (unbounded) or ends (bounded)', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  await createTopic(await kit.admin(t, k), 'one', 1);
  const source = unbounded(b.address, 'one').build();
  const reader = source.createReader(readerContext(1, 2));
  t.teardown(() => reader.close?.());
  const out = recordingOutput<string>();
  reader.addSplits((await source.createSplits(2)).filter((_, i) => i % 2 === 1));
  t.equal(reader.pollNext(out.output), 'NOTHING_AVAILABLE');
  t.equal(out.idle, 1, 'idle, so it does not hold back the watermark');
  const bounded = unbounded(b.address, 'one').setBounded(OffsetsInitializer.latest()).build();
  const r2 = bounded.createReader(readerContext(1, 2));
  t.teardown(() => r2.close?.());
  r2.addSplits([]);
  t.equal(r2.pollNext(out.output), 'END_OF_INPUT');
});
