import t from 'tap';
import * as kit from '../../support/kafka/test-kit.js';
import { DataGeneratorSource, StreamExecutionEnvironment } from '../../../runtime/exports/index.js';
import {
  KafkaSink,
  KafkaSource,
  OffsetsInitializer,
  type DeliveryGuarantee,
} from '../../../operators/connectors/kafka/index.js';
import { createTopic, fill, quiet } from './helpers.js';

function sinkFor(address: string, topic: string, guarantee: DeliveryGuarantee) {
  const b = quiet(KafkaSink.builder<number>())
    .setBootstrapServers(address)
    .setRecordSerializer({
      topic,
      serializeKey: (i: number) => `k${i % 4}`,
      serializeValue: (i: number) => String(i),
      headers: () => ({ model: 'fraud', version: '7' }),
    })
    .setDeliveryGuarantee(guarantee);
  if (guarantee === 'EXACTLY_ONCE') b.setTransactionalIdPrefix(`job-${topic}`);
  return b.build();
}

/** Values per partition, in offset order. */
function byPartition(rows: Array<{ partition: number; value: string }>): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const r of rows) {
    if (!m.has(r.partition)) m.set(r.partition, []);
    m.get(r.partition)!.push(Number(r.value));
  }
  return m;
}

t.test(
  'EXACTLY_ONCE job with checkpoints: read_committed sees records only once their checkpoint commits, each once, in order',
  async (t) => {
    const b = await kit.broker(t);
    const k = kit.kafka(b);
    const admin = await kit.admin(t, k);
    await createTopic(admin, 'eos-out', 2);
    const sink = sinkFor(b.address, 'eos-out', 'EXACTLY_ONCE');
    const committing = () => sink.committers.reduce((n, c) => n + c.stats.recordsCommitting, 0);
    let visible = 0;
    let violations = 0;
    let raw = 0;
    let maxInvisible = 0;
    const rc = kit.consumer(t, k, 'live-committed');
    await rc.connect();
    await rc.subscribe({ topics: ['eos-out'], fromBeginning: true });
    await rc.run({
      eachMessage: async () => {
        visible++;
        if (visible > committing()) violations++;
      },
    });
    const ru = kit.consumer(t, k, 'live-raw', { readUncommitted: true });
    await ru.connect();
    await ru.subscribe({ topics: ['eos-out'], fromBeginning: true });
    await ru.run({
      eachMessage: async () => {
        raw++;
        maxInvisible = Math.max(maxInvisible, raw - visible);
      },
    });

    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env.enableCheckpointing(200);
    env
      .fromSource(new DataGeneratorSource((i) => i, 600, { recordsPerSecond: 500 }), undefined, 'gen')
      .uid('gen')
      .sinkTo(sink)
      .uid('kafka-sink');
    await env.execute('eos copy');

    t.ok(
      sink.committers.reduce((n, c) => n + c.stats.committedLive, 0) >= 3,
      'several transactions (one per checkpoint and subtask) committed',
    );
    t.equal(violations, 0, 'read_committed never saw more records than had been handed to commit');
    t.ok(
      maxInvisible > 0,
      `records sat in the log invisible to read_committed until their commit (max ${maxInvisible})`,
    );
    const check = kit.consumer(t, k, 'final-committed');
    const rows = await kit.collect(check, ['eos-out'], 600, 'committed output');
    t.equal(rows.length, 600, 'each record exactly once');
    t.same(
      [...new Set(rows.map((r) => Number(r.value)))].sort((a, c) => a - c),
      [...Array(600).keys()],
      'no loss, no duplicate',
    );
    for (const [p, values] of byPartition(rows)) {
      const bySubtaskKey = new Map<string, number[]>();
      for (const v of values) {
        const key = `${v % 4} from subtask ${v < 300 ? 0 : 1}`; // the generator gives subtask 0 [0, 300), subtask 1 [300, 600)
        if (!bySubtaskKey.has(key)) bySubtaskKey.set(key, []);
        bySubtaskKey.get(key)!.push(v);
      }
      for (const [key, vs] of bySubtaskKey)
        t.same(
          vs,
          [...vs].sort((a, c) => a - c),
          `partition ${p}, key k${key}: in order`,
        );
    }
  },
);

for (const guarantee of ['AT_LEAST_ONCE', 'NONE'] as const) {
  t.test(`${guarantee} job: every record arrives, keyed`, async (t) => {
    const b = await kit.broker(t);
    const k = kit.kafka(b);
    const admin = await kit.admin(t, k);
    const topic = `out-${guarantee.toLowerCase()}`;
    await createTopic(admin, topic, 3);
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    if (guarantee === 'AT_LEAST_ONCE') env.enableCheckpointing(100);
    env
      .fromSequence(0, 999)
      .sinkTo(sinkFor(b.address, topic, guarantee))
      .uid('kafka-sink');
    await env.execute(`${guarantee} copy`);
    const consumer = kit.consumer(t, k, 'check', { readUncommitted: true });
    const rows = await kit.collect(consumer, [topic], 1000, 'output');
    t.same(
      [...new Set(rows.map((r) => Number(r.value)))].sort((a, c) => a - c),
      [...Array(1000).keys()],
      'nothing lost',
    );
    t.ok(
      rows.every((r) => r.key === `k${Number(r.value) % 4}`),
      'keys serialized',
    );
    t.equal(new Set(rows.map((r) => r.partition)).size, 3, 'spread over the partitions by key');
  });
}

t.test(
  'topic → job → topic, exactly once: bounded KafkaSource at parallelism 2 into an EXACTLY_ONCE KafkaSink',
  async (t) => {
    const b = await kit.broker(t);
    const k = kit.kafka(b);
    const admin = await kit.admin(t, k);
    await createTopic(admin, 'copy-in', 3);
    await createTopic(admin, 'copy-out', 2);
    await fill(await kit.producer(t, k), 'copy-in', 3, 700);
    const source = quiet(KafkaSource.builder())
      .setBootstrapServers(b.address)
      .setTopics('copy-in')
      .setBounded(OffsetsInitializer.latest())
      .setDeserializer((r) => ({ partition: r.partition, value: r.value!.toString() }))
      .build();
    const sink = quiet(KafkaSink.builder<{ partition: number; value: string }>())
      .setBootstrapServers(b.address)
      .setRecordSerializer({
        topic: 'copy-out',
        serializeKey: (r) => `in-${r.partition}`,
        serializeValue: (r) => r.value.toUpperCase(),
      })
      .setDeliveryGuarantee('EXACTLY_ONCE')
      .setTransactionalIdPrefix('copy')
      .build();
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    env.enableCheckpointing(100);
    env.fromSource(source, undefined, 'in').uid('in').sinkTo(sink).uid('out');
    await env.execute('copy');
    const rows = await kit.collect(kit.consumer(t, k, 'copy-check'), ['copy-out'], 2100, 'copied records');
    t.equal(rows.length, 2100, 'each record once');
    for (let p = 0; p < 3; p++) {
      const mine = rows.filter((r) => r.key === `in-${p}`).map((r) => r.value);
      t.same(
        mine,
        Array.from({ length: 700 }, (_, i) => `P${p}-${i}`),
        `input partition ${p}: complete and in order`,
      );
    }
  },
);
