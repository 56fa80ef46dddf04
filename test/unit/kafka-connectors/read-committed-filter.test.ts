/**
 * The corrected read_committed filter for kafkajs (operators/connectors/kafka/kafkajs-read-committed.ts):
 * overlapping aborted transactions of two producers listed in abort order (as brokers list them) drop
 * every aborted record and nothing else, from any fetch start offset — where kafkajs's own filter
 * delivers aborted records; and a live kafkajs read_committed consumer (fix installed by the test kit)
 * sees only committed and non-transactional records after two overlapping transactions are aborted.
 */
import t from 'tap';
import { createRequire } from 'node:module';
import { dropAborted } from '../../../operators/connectors/kafka/kafkajs-read-committed.js';
import * as kit from '../../support/kafka/test-kit.js';
import { createTopic } from './helpers.js';

type Msg = Parameters<typeof dropAborted>[0]['messages'] extends (infer M)[] | undefined ? M : never;
const ctx = (first: number, lastDelta: number, producerId: number, inTransaction: boolean) => ({
  firstOffset: String(first),
  lastOffsetDelta: lastDelta,
  producerId: String(producerId),
  inTransaction,
});
const ABORT = Buffer.from([0, 0, 0, 0]);

/** A: 0-1, B: 2-3, A: 4, B: 5, plain: 6, ABORT B: 7, ABORT A: 8, plain: 9. */
function log(): Msg[] {
  const a1 = ctx(0, 1, 1, true);
  const b1 = ctx(2, 1, 2, true);
  const m = (offset: number, c: ReturnType<typeof ctx>, control = false): Msg => ({
    offset: String(offset),
    key: control ? ABORT : Buffer.from('k'),
    isControlRecord: control,
    batchContext: c,
  });
  return [
    m(0, a1),
    m(1, a1),
    m(2, b1),
    m(3, b1),
    m(4, ctx(4, 0, 1, true)),
    m(5, ctx(5, 0, 2, true)),
    m(6, ctx(6, 0, -1, false)),
    m(7, ctx(7, 0, 2, true), true),
    m(8, ctx(8, 0, 1, true), true),
    m(9, ctx(9, 0, -1, false)),
  ];
}
const abortOrder = () => [
  { producerId: '2', firstOffset: '2' },
  { producerId: '1', firstOffset: '0' },
];

t.test(
  'overlapping aborted transactions in abort order: only committed and plain records remain, from any start',
  async (t) => {
    const kafkajsFilter = createRequire(import.meta.url)('kafkajs/src/consumer/filterAbortedMessages.js') as (a: {
      messages: Msg[];
      abortedTransactions: unknown[];
    }) => Msg[];
    for (let from = 0; from <= 9; from++) {
      const part = { abortedTransactions: abortOrder(), messages: log().filter((m) => Number(m.offset) >= from) };
      dropAborted(part);
      t.same(
        part.messages.filter((m) => !m.isControlRecord).map((m) => Number(m.offset)),
        [6, 9].filter((o) => o >= from),
        `fetch from ${from}`,
      );
      t.same(part.abortedTransactions, [], 'nothing left for kafkajs to filter');
      t.equal(
        part.messages.length,
        10 - from,
        'dropped records are kept as skipped markers, so the position moves past them',
      );
      const leaked = kafkajsFilter({
        messages: log().filter((m) => Number(m.offset) >= from),
        abortedTransactions: abortOrder(),
      }).filter((m) => !m.isControlRecord && m.batchContext.inTransaction);
      if (leaked.length)
        t.comment(
          `kafkajs's own filter from ${from} delivers aborted offsets ${leaked.map((m) => m.offset).join(',')}`,
        );
    }
    const committed = { abortedTransactions: [], messages: log() };
    t.equal(dropAborted(committed), 0, 'no aborted list: nothing dropped');
  },
);

t.test('a live read_committed consumer skips two overlapping aborted transactions', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  await createTopic(await kit.admin(t, k), 'overlap', 1);
  const plain = await kit.producer(t, k);
  const pa = await kit.producer(t, k, { transactionalId: 'overlap-a', idempotent: true, maxInFlightRequests: 1 });
  const pb = await kit.producer(t, k, { transactionalId: 'overlap-b', idempotent: true, maxInFlightRequests: 1 });
  await plain.send({ topic: 'overlap', messages: [{ value: 'before' }] });
  const ta = await pa.transaction();
  const tb = await pb.transaction();
  await ta.send({ topic: 'overlap', messages: [{ value: 'a1' }, { value: 'a2' }] });
  await tb.send({ topic: 'overlap', messages: [{ value: 'b1' }] });
  await ta.send({ topic: 'overlap', messages: [{ value: 'a3' }] });
  await tb.send({ topic: 'overlap', messages: [{ value: 'b2' }] });
  await tb.abort(); // B's marker first: the broker lists B before A
  await ta.abort();
  const tc = await pa.transaction();
  await tc.send({ topic: 'overlap', messages: [{ value: 'committed' }] });
  await tc.commit();
  await plain.send({ topic: 'overlap', messages: [{ value: 'after' }] });
  const rows = await kit.collect(kit.consumer(t, k, 'overlap-check'), ['overlap'], 3, 'committed records');
  const uncommitted = await kit.collect(
    kit.consumer(t, k, 'overlap-raw', { readUncommitted: true }),
    ['overlap'],
    8,
    'all records',
  );
  t.same(
    rows.map((r) => r.value),
    ['before', 'committed', 'after'],
    'no aborted record delivered',
  );
  t.equal(uncommitted.length, 8, 'the aborted records are in the log');
});
