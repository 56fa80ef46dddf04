/**
 * Idempotent and transactional producers through kafkajs: committed transactions are visible to a
 * read_committed consumer and aborted ones are not (control records and aborted-transaction lists), an
 * open transaction holds back everything after its first record (last stable offset), offsets sent in a
 * transaction are committed with it, a newer producer with the same transactional id fences the old one,
 * timed-out transactions are aborted, and interleaved transactions of several producers yield exactly the
 * committed records in order.
 */
import t from 'tap';
import { admin, broker, collect, consumer, kafka, producer, until } from '../../support/kafka/test-kit.js';

const txProducer = (t: Parameters<typeof producer>[0], k: ReturnType<typeof kafka>, id: string) =>
  producer(t, k, { transactionalId: id, idempotent: true, maxInFlightRequests: 1 });

t.test('commit is visible, abort is not, to a read_committed consumer', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  await a.createTopics({ topics: [{ topic: 'tx', numPartitions: 2 }] });
  const p = await txProducer(t, k, 'tx-1');
  const t1 = await p.transaction();
  await t1.send({ topic: 'tx', messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `c1-${i}` })) });
  await t1.commit();
  const t2 = await p.transaction();
  await t2.send({ topic: 'tx', messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `ab-${i}` })) });
  await t2.abort();
  const t3 = await p.transaction();
  await t3.send({ topic: 'tx', messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `c2-${i}` })) });
  await t3.commit();

  const committed = await collect(consumer(t, k, 'rc', { readUncommitted: false }), ['tx'], 20, 'read_committed');
  const uncommitted = await collect(consumer(t, k, 'ru', { readUncommitted: true }), ['tx'], 30, 'read_uncommitted');
  // both consumers are past the last batch: wait until each has caught up to the end before comparing
  t.same(
    committed.map((m) => m.value).sort(),
    [...Array.from({ length: 10 }, (_, i) => `c1-${i}`), ...Array.from({ length: 10 }, (_, i) => `c2-${i}`)].sort(),
  );
  t.notOk(
    committed.some((m) => m.value.startsWith('ab-')),
    'aborted records are not delivered',
  );
  t.equal(uncommitted.length, 30, 'read_uncommitted sees aborted records too, but no control records');
  for (const part of [0, 1]) {
    const vals = committed.filter((m) => m.partition === part).map((m) => m.value);
    t.same(
      vals,
      [...vals.filter((v) => v.startsWith('c1-')), ...vals.filter((v) => v.startsWith('c2-'))],
      `partition ${part} in order`,
    );
  }
});

t.test('an open transaction holds back later records until it ends (last stable offset)', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  await a.createTopics({ topics: [{ topic: 'lso', numPartitions: 1 }] });
  const txp = await txProducer(t, k, 'tx-lso');
  const plain = await producer(t, k);
  const seen: string[] = [];
  const c = consumer(t, k, 'g-lso', { readUncommitted: false });
  let fetches = 0;
  c.on(c.events.FETCH, () => {
    fetches++;
  });
  await c.connect();
  await c.subscribe({ topics: ['lso'], fromBeginning: true });
  await c.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value!.toString());
    },
  });
  await plain.send({ topic: 'lso', messages: [{ value: 'before' }] });
  await until(() => seen.length === 1, 'the first plain record');
  const tx = await txp.transaction();
  await tx.send({ topic: 'lso', messages: [{ value: 'in-tx' }] });
  await plain.send({ topic: 'lso', messages: [{ value: 'after' }] });
  // the consumer keeps fetching; 'after' must stay invisible while the transaction is open
  const fetched = fetches;
  await until(() => fetches >= fetched + 3 || seen.length > 1, 'three more fetch rounds');
  t.same(seen, ['before'], 'nothing past the open transaction is delivered');
  await tx.commit();
  await until(() => seen.length === 3, 'records after commit');
  t.same(seen, ['before', 'in-tx', 'after']);
});

t.test('offsets sent in a transaction commit with it and vanish with an abort', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  await a.createTopics({
    topics: [
      { topic: 'in', numPartitions: 1 },
      { topic: 'out', numPartitions: 1 },
    ],
  });
  const p = await txProducer(t, k, 'tx-offsets');
  const offsetsOf = async () => (await a.fetchOffsets({ groupId: 'copier', topics: ['in'] }))[0]!.partitions[0]!.offset;
  const t1 = await p.transaction();
  await t1.send({ topic: 'out', messages: [{ value: 'x' }] });
  await t1.sendOffsets({
    consumerGroupId: 'copier',
    topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '5' }] }],
  });
  t.equal(await offsetsOf(), '-1', 'not visible before commit');
  await t1.commit();
  t.equal(await offsetsOf(), '5');
  const t2 = await p.transaction();
  await t2.send({ topic: 'out', messages: [{ value: 'y' }] });
  await t2.sendOffsets({
    consumerGroupId: 'copier',
    topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '9' }] }],
  });
  await t2.abort();
  t.equal(await offsetsOf(), '5', 'aborted offsets are dropped');
});

t.test('a second producer with the same transactional id fences the first and aborts its transaction', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  await a.createTopics({ topics: [{ topic: 'fence', numPartitions: 1 }] });
  const old = await txProducer(t, k, 'tx-fence');
  const t1 = await old.transaction();
  await t1.send({ topic: 'fence', messages: [{ value: 'zombie' }] });
  const fresh = await txProducer(t, kafka(b, 'fresh'), 'tx-fence');
  const t2 = await fresh.transaction(); // kafkajs sends InitProducerId here: epoch bump, open transaction aborted
  await t.rejects(t1.commit(), 'the old epoch cannot commit');
  await t2.send({ topic: 'fence', messages: [{ value: 'live' }] });
  await t2.commit();
  const seen = await collect(consumer(t, k, 'g-fence', { readUncommitted: false }), ['fence'], 1, 'fenced topic');
  t.same(
    seen.map((m) => m.value),
    ['live'],
  );
});

t.test('idempotent producer: records arrive once, in order', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const p = await producer(t, k, { idempotent: true, maxInFlightRequests: 1 });
  for (let i = 0; i < 20; i++) await p.send({ topic: 'idem', messages: [{ value: `i${i}` }, { value: `j${i}` }] });
  const seen = await collect(consumer(t, k, 'g-idem'), ['idem'], 40, 'idempotent topic');
  t.same(
    seen.map((m) => m.value),
    Array.from({ length: 20 }, (_, i) => [`i${i}`, `j${i}`]).flat(),
  );
});

t.test('a transaction left open past its timeout is aborted and its producer fenced', async (t) => {
  const b = await broker(t);
  const k = kafka(b);
  const a = await admin(t, k);
  await a.createTopics({ topics: [{ topic: 'stuck', numPartitions: 1 }] });
  const txp = await producer(t, k, {
    transactionalId: 'tx-stuck',
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 300,
  });
  const plain = await producer(t, k);
  const tx = await txp.transaction();
  await tx.send({ topic: 'stuck', messages: [{ value: 'abandoned' }] });
  await plain.send({ topic: 'stuck', messages: [{ value: 'after' }] });
  const seen = await collect(
    consumer(t, k, 'g-stuck', { readUncommitted: false }),
    ['stuck'],
    1,
    'records after the timed-out transaction',
  );
  t.same(
    seen.map((m) => m.value),
    ['after'],
    'the abandoned record was aborted',
  );
  await t.rejects(tx.commit(), 'the timed-out producer is fenced');
});

t.test(
  'interleaved transactions of three producers: read_committed sees exactly the committed records, in order',
  async (t) => {
    const b = await broker(t);
    const k = kafka(b);
    const a = await admin(t, k);
    await a.createTopics({ topics: [{ topic: 'mix', numPartitions: 2 }] });
    const expected: string[] = [];
    const producers = await Promise.all([0, 1, 2].map((n) => txProducer(t, k, `tx-mix-${n}`)));
    await Promise.all(
      producers.map(async (p, n) => {
        for (let round = 0; round < 15; round++) {
          const tx = await p.transaction();
          const values = Array.from({ length: 4 }, (_, i) => `p${n}-r${round}-${i}`);
          await tx.send({ topic: 'mix', messages: values.map((value, i) => ({ key: `p${n}-${i % 2}`, value })) });
          if ((round + n) % 3 === 0) await tx.abort();
          else {
            await tx.commit();
            expected.push(...values);
          }
        }
      }),
    );
    const seen = await collect(
      consumer(t, k, 'g-mix', { readUncommitted: false }),
      ['mix'],
      expected.length,
      'committed records',
    );
    const end = await a.fetchTopicOffsets('mix');
    const c2 = consumer(t, k, 'g-mix-all', { readUncommitted: true });
    const all = await collect(c2, ['mix'], 3 * 15 * 4, 'all records');
    t.same([...seen.map((m) => m.value)].sort(), [...expected].sort(), 'exactly the committed records');
    t.equal(all.length, 3 * 15 * 4, 'read_uncommitted also sees aborted records');
    // every round of a producer uses the same keys, so it touches the same partitions: one marker each per round
    const markers = [0, 1, 2].reduce(
      (n, p) => n + 15 * new Set(all.filter((m) => m.value.startsWith(`p${p}-`)).map((m) => m.partition)).size,
      0,
    );
    t.equal(
      end.reduce((n, o) => n + Number(o.high), 0),
      3 * 15 * 4 + markers,
      'log end counts one marker per transaction and partition',
    );
    for (const key of ['p0-0', 'p0-1', 'p1-0', 'p1-1', 'p2-0', 'p2-1']) {
      const vals = seen.filter((m) => m.key === key).map((m) => m.value);
      const rounds = vals.map((v) => Number(/-r(\d+)-/.exec(v)![1]));
      t.same(
        rounds,
        [...rounds].sort((x, y) => x - y),
        `${key} in produce order`,
      );
    }
  },
);
