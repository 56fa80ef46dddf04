import t from 'tap';
import * as kit from '../../support/kafka/test-kit.js';
import { StreamExecutionEnvironment } from '../../../runtime/exports/index.js';
import { KafkaSource, OffsetsInitializer } from '../../../operators/connectors/kafka/index.js';
import { createTopic, fill, pollUntil, quiet, readerContext, recordingOutput } from './helpers.js';

t.test('bounded read of all partitions, in order per partition, at parallelism 2', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  const admin = await kit.admin(t, k);
  await createTopic(admin, 'in', 3);
  const producer = await kit.producer(t, k);
  await fill(producer, 'in', 3, 700);
  const source = quiet(KafkaSource.builder())
    .setBootstrapServers(b.address)
    .setTopics('in')
    .setStartingOffsets(OffsetsInitializer.earliest())
    .setBounded(OffsetsInitializer.latest())
    .setValueOnlyDeserializer((v) => v!.toString())
    .build();
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const rows = await env.fromSource(source, undefined, 'kafka').executeAndCollect();
  t.equal(rows.length, 2100, 'every record once');
  for (let p = 0; p < 3; p++) {
    const mine = rows.filter((r) => r.startsWith(`p${p}-`)).map((r) => Number(r.split('-')[1]));
    t.same(mine, [...Array(700).keys()], `partition ${p} complete and in offset order`);
  }
});

t.test('bounded mode stops at the offsets of the start: later records are not read', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  const admin = await kit.admin(t, k);
  await createTopic(admin, 'grow', 2);
  const producer = await kit.producer(t, k);
  await fill(producer, 'grow', 2, 5);
  const source = quiet(KafkaSource.builder())
    .setBootstrapServers(b.address)
    .setTopicPattern(/gr.w/)
    .setBounded(OffsetsInitializer.latest())
    .setDeserializer((r) => `${r.topic}/${r.partition}@${r.offset}:${r.value}:${r.timestamp}`)
    .build();
  const splits = await source.createSplits(1);
  t.same(
    splits.map((s) => [s.id, s.offset, s.stoppingOffset]),
    [
      ['grow-0', 0, 5],
      ['grow-1', 0, 5],
    ],
    'splits carry start and stop',
  );
  await fill(producer, 'grow', 2, 3); // written after the stopping offsets were fixed
  const reader = source.createReader(readerContext());
  t.teardown(() => reader.close?.());
  const out = recordingOutput<string>();
  reader.addSplits(splits);
  const status = await pollUntil(reader, out.output, () => false, 'end of bounded input');
  t.equal(status, 'END_OF_INPUT');
  t.equal(out.emitted.length, 10, 'only the 5 records per partition present at the start');
  t.ok(
    out.emitted.some((e) => e.value === 'grow/1@4:p1-4:1004'),
    'deserializer sees topic, partition, offset, value and timestamp',
  );
  t.same(out.released.sort(), ['grow-0', 'grow-1'], 'finished splits release their outputs');
  t.same(reader.snapshotState(1), [], 'finished splits leave the state');
});
