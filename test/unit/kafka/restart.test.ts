/**
 * Persistence of the test broker: after a restart on the same directory the topics, records, committed
 * group offsets and transaction outcomes are all still there; an open transaction left by a crashed
 * producer is aborted when its transactional id re-initialises; a torn segment tail is truncated; a
 * kafkajs producer and consumer that stay connected across a restart on the same port carry on.
 */
import t from 'tap';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafkaBroker } from '../../support/kafka/index.js';
import { admin, broker, collect, consumer, kafka, producer, until } from '../../support/kafka/test-kit.js';

function tempDir(t: { teardown(fn: () => unknown): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-kafka-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test('records, committed offsets and transaction outcomes survive a restart', async (t) => {
  const dir = tempDir(t);
  const b1 = await broker(t, { dir });
  const k1 = kafka(b1);
  const a1 = await admin(t, k1);
  await a1.createTopics({ topics: [{ topic: 'persist', numPartitions: 2 }] });
  const p1 = await producer(t, k1);
  await p1.send({
    topic: 'persist',
    messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `p${i}` })),
  });
  const c1 = consumer(t, k1, 'gp');
  await collect(c1, ['persist'], 20, 'first consumer');
  await c1.disconnect();
  const tx = await producer(t, k1, { transactionalId: 'tx-persist', idempotent: true, maxInFlightRequests: 1 });
  const committed = await tx.transaction();
  await committed.send({ topic: 'txp', messages: [{ value: 'kept' }] });
  await committed.commit();
  const aborted = await tx.transaction();
  await aborted.send({ topic: 'txp', messages: [{ value: 'dropped' }] });
  await aborted.abort();
  const open = await tx.transaction();
  await open.send({ topic: 'txp', messages: [{ value: 'never-ended' }] });
  // "crash": the broker goes away with the transaction still open
  await b1.close();

  const b2 = await broker(t, { dir });
  const k2 = kafka(b2, 'after-restart');
  const a2 = await admin(t, k2);
  t.same((await a2.listTopics()).sort(), ['persist', 'txp']);
  t.same(
    (await a2.fetchTopicOffsets('persist')).map((o) => Number(o.high)).reduce((x, y) => x + y, 0),
    20,
  );
  const groupOffsets = await a2.fetchOffsets({ groupId: 'gp', topics: ['persist'] });
  t.same(
    groupOffsets[0]!.partitions.map((p) => Number(p.offset)).reduce((x, y) => x + y, 0),
    20,
    'committed offsets kept',
  );
  const p2 = await producer(t, k2);
  await p2.send({ topic: 'persist', messages: [{ key: 'k0', value: 'new' }] });
  const resumed = await collect(consumer(t, k2, 'gp'), ['persist'], 1, 'resumed consumer');
  t.same(
    resumed.map((m) => m.value),
    ['new'],
    'the group resumes after its committed offsets',
  );
  // the producer restarts too: re-initialising its transactional id aborts the open transaction
  const tx2 = await producer(t, k2, { transactionalId: 'tx-persist', idempotent: true, maxInFlightRequests: 1 });
  const next = await tx2.transaction();
  await next.send({ topic: 'txp', messages: [{ value: 'after-restart' }] });
  await next.commit();
  const seen = await collect(
    consumer(t, k2, 'g-txp', { readUncommitted: false }),
    ['txp'],
    2,
    'read_committed after restart',
  );
  t.same(
    seen.map((m) => m.value),
    ['kept', 'after-restart'],
  );
});

t.test('a torn tail in a segment is truncated on load and appends continue from the last whole batch', async (t) => {
  const dir = tempDir(t);
  const b1 = await broker(t, { dir });
  const p1 = await producer(t, kafka(b1));
  await p1.send({ topic: 'torn', messages: [{ value: 'a' }, { value: 'b' }] });
  await p1.disconnect();
  await b1.close();
  const segDir = join(dir, 'logs', 'torn-0');
  appendFileSync(join(segDir, readdirSync(segDir)[0]!), Buffer.from([0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 1]));
  const b2 = await broker(t, { dir });
  const k2 = kafka(b2);
  const p2 = await producer(t, k2);
  await p2.send({ topic: 'torn', messages: [{ value: 'c' }] });
  const seen = await collect(consumer(t, k2, 'g-torn'), ['torn'], 3, 'after truncation');
  t.same(
    seen.map((m) => `${m.offset}:${m.value}`),
    ['0:a', '1:b', '2:c'],
  );
});

t.test('clients connected across a restart on the same port carry on', async (t) => {
  const dir = tempDir(t);
  let b = await startKafkaBroker({ dir });
  const port = b.port;
  t.teardown(() => b.close());
  const k = kafka(b, 'survivor', { retry: { retries: 20, initialRetryTime: 50, maxRetryTime: 500 } });
  const p = await producer(t, k);
  const seen: string[] = [];
  const c = consumer(t, k, 'g-survive');
  await c.connect();
  await c.subscribe({ topics: ['survive'], fromBeginning: true });
  await p.send({ topic: 'survive', messages: [{ value: 'one' }] });
  await c.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value!.toString());
    },
  });
  await until(() => seen.length === 1, 'first record');
  await b.close();
  b = await startKafkaBroker({ dir, port });
  await p.send({ topic: 'survive', messages: [{ value: 'two' }] });
  await until(() => seen.includes('two'), 'record produced after the restart');
  t.ok(seen.includes('one'));
  t.equal(seen.at(-1), 'two');
});
