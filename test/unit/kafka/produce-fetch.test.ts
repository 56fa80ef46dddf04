/**
 * Step 1 of the test broker: kafkajs producer → broker → kafkajs consumer group over TCP; topic admin;
 * ListOffsets (earliest, latest, timestamp); CRC rejection and the CRC-32C check value; gzip batches, acks=0,
 * seek inside a batch and a new group starting at the latest offset.
 */
import t from 'tap';
import { connect } from 'node:net';
import { CompressionTypes } from 'kafkajs';
import { admin, broker, collect, consumer, kafka, producer, until } from '../../support/kafka/test-kit.js';
import { crc32c } from '../../support/kafka/protocol/crc32c.js';

t.test('crc32c check value', async (t) => {
  t.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
});

t.test('producer sends, consumer group reads back in order', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  t.ok(await a.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] }));
  t.same((await a.listTopics()).sort(), ['orders']);
  const p = await producer(t, k);
  const sent: string[] = [];
  for (let i = 0; i < 30; i++) {
    const value = `v${i}`;
    sent.push(value);
    await p.send({ topic: 'orders', messages: [{ key: `k${i % 5}`, value }] });
  }
  await p.sendBatch({
    topicMessages: [
      { topic: 'orders', messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 5}`, value: `b${i}` })) },
    ],
  });
  const seen = await collect(consumer(t, k, 'g1'), ['orders'], 50, 'orders');
  t.equal(seen.length, 50);
  t.same(new Set(seen.map((m) => m.value)), new Set([...sent, ...Array.from({ length: 20 }, (_, i) => `b${i}`)]));
  for (let part = 0; part < 3; part++) {
    const offsets = seen.filter((m) => m.partition === part).map((m) => m.offset);
    t.same(
      offsets,
      offsets.map((_, i) => i),
      `partition ${part} offsets are contiguous from 0`,
    );
  }
  // same key → same partition, in send order
  const k0 = seen.filter((m) => m.key === 'k0').map((m) => m.value);
  t.same(
    k0.filter((v) => v.startsWith('v')),
    ['v0', 'v5', 'v10', 'v15', 'v20', 'v25'],
  );
});

t.test('auto-created topic, list offsets by earliest/latest/timestamp', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const p = await producer(t, k);
  const base = 1_700_000_000_000;
  for (let i = 0; i < 10; i++)
    await p.send({ topic: 'auto', messages: [{ value: `m${i}`, timestamp: String(base + i * 1000) }] });
  const a = await admin(t, k);
  t.same(await a.fetchTopicOffsets('auto'), [{ partition: 0, offset: '10', high: '10', low: '0' }]);
  t.same(await a.fetchTopicOffsetsByTimestamp('auto', base + 4500), [{ partition: 0, offset: '5' }]);
  t.same(await a.fetchTopicOffsetsByTimestamp('auto', base), [{ partition: 0, offset: '0' }]);
  await a.deleteTopics({ topics: ['auto'] });
  t.same(await a.listTopics(), []);
});

t.test('a batch with a wrong CRC is rejected with CORRUPT_MESSAGE', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  await a.createTopics({ topics: [{ topic: 'c', numPartitions: 1 }] });
  // hand-built Produce v3 with a 61-byte empty-record batch whose CRC is 0
  const batch = Buffer.alloc(61);
  batch.writeInt32BE(49, 8);
  batch.writeInt8(2, 16);
  const topic = Buffer.from('c');
  const body = Buffer.concat([
    Buffer.from([0xff, 0xff]), // null transactional id
    Buffer.from([0xff, 0xff]), // acks -1
    Buffer.from([0, 0, 0x03, 0xe8]),
    Buffer.from([0, 0, 0, 1]),
    Buffer.from([0, topic.length]),
    topic,
    Buffer.from([0, 0, 0, 1]),
    Buffer.from([0, 0, 0, 0]),
    Buffer.from([0, 0, 0, 61]),
    batch,
  ]);
  const header = Buffer.from([0, 0, 0, 3, 0, 0, 0, 7, 0xff, 0xff]);
  const frame = Buffer.concat([Buffer.alloc(4), header, body]);
  frame.writeInt32BE(frame.length - 4, 0);
  const sock = connect(b.port, '127.0.0.1');
  t.teardown(() => sock.destroy());
  const resp = await new Promise<Buffer>((resolve, reject) => {
    let acc = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      acc = Buffer.concat([acc, d]);
      if (acc.length >= 4 && acc.length >= 4 + acc.readInt32BE(0)) resolve(acc);
    });
    sock.on('error', reject);
    sock.write(frame);
  });
  t.equal(resp.readInt32BE(4), 7, 'correlation id');
  // responses[1] name 'c' partitions[1] index 0 error_code
  const errorOffset = 8 + 4 + 2 + topic.length + 4 + 4;
  t.equal(resp.readInt16BE(errorOffset), 2, 'CORRUPT_MESSAGE');
});

t.test('gzip batches, acks=0, seek into the middle of a batch, and a new group starting at latest', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  await a.createTopics({ topics: [{ topic: 'misc', numPartitions: 1 }] });
  const p = await producer(t, k);
  await p.send({
    topic: 'misc',
    compression: CompressionTypes.GZIP,
    messages: Array.from({ length: 10 }, (_, i) => ({ value: `z${i}` })),
  });
  await p.send({ topic: 'misc', acks: 0, messages: [{ value: 'fire-and-forget' }] });
  await until(async () => (await a.fetchTopicOffsets('misc'))[0]!.high === '11', 'the acks=0 record to land');
  const all = await collect(consumer(t, k, 'g-misc'), ['misc'], 11, 'all records');
  t.same(
    all.map((m) => m.value),
    [...Array.from({ length: 10 }, (_, i) => `z${i}`), 'fire-and-forget'],
  );

  const seeker = consumer(t, k, 'g-seek');
  const fromSeek: string[] = [];
  await seeker.connect();
  await seeker.subscribe({ topics: ['misc'] });
  await seeker.run({
    eachMessage: async ({ message }) => {
      fromSeek.push(`${message.offset}:${message.value!.toString()}`);
    },
  });
  seeker.seek({ topic: 'misc', partition: 0, offset: '7' });
  await until(() => fromSeek.length >= 4, 'records from offset 7');
  t.same(
    fromSeek.slice(0, 4),
    ['7:z7', '8:z8', '9:z9', '10:fire-and-forget'],
    'offsets before the seek inside the compressed batch are skipped',
  );

  const latest = consumer(t, k, 'g-latest');
  const fromLatest: string[] = [];
  let joined = false;
  latest.on(latest.events.GROUP_JOIN, () => {
    joined = true;
  });
  let fetched = 0;
  latest.on(latest.events.FETCH, () => {
    fetched++;
  });
  await latest.connect();
  await latest.subscribe({ topics: ['misc'], fromBeginning: false });
  await latest.run({
    eachMessage: async ({ message }) => {
      fromLatest.push(message.value!.toString());
    },
  });
  await until(() => joined && fetched > 0, 'the latest-offset consumer to join and fetch');
  await p.send({ topic: 'misc', messages: [{ value: 'new' }] });
  await until(() => fromLatest.length > 0, 'the new record');
  t.same(fromLatest, ['new']);
});
