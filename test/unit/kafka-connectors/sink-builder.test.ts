import t from 'tap';
import * as kit from '../../support/kafka/test-kit.js';
import { KafkaSink, type KafkaCommittable, type KafkaWriterState } from '../../../operators/connectors/kafka/index.js';
import type { SinkWriter } from '../../../runtime/api/source.js';
import { createTopic, quiet } from './helpers.js';

t.test('sink builder validation', async (t) => {
  const base = () => KafkaSink.builder<string>().setBootstrapServers('localhost:9092');
  t.throws(() => base().build(), { code: 'KAFKA_CONFIG' }, 'serializer required');
  t.throws(
    () =>
      base()
        .setRecordSerializer({ topic: 'x', serializeValue: (v: string) => v })
        .setDeliveryGuarantee('EXACTLY_ONCE')
        .build(),
    { code: 'KAFKA_CONFIG' },
    'EXACTLY_ONCE needs a prefix',
  );
  t.throws(
    () =>
      base()
        .setRecordSerializer({ topic: (v: string) => v, serializeValue: (v: string) => v })
        .setDeliveryGuarantee('EXACTLY_ONCE')
        .setTransactionalIdPrefix('p')
        .build(),
    { code: 'KAFKA_CONFIG' },
    'a topic per record needs transaction.ledger.topic',
  );
  t.ok(
    base()
      .setRecordSerializer({ topic: (v: string) => v, serializeValue: (v: string) => v })
      .setDeliveryGuarantee('EXACTLY_ONCE')
      .setTransactionalIdPrefix('p')
      .setProperty('transaction.ledger.topic', 'ledger')
      .build(),
  );
  t.throws(() => base().setDeliveryGuarantee('MAYBE' as never), { code: 'KAFKA_CONFIG' });
  t.throws(() => base().setTransactionalIdPrefix('a b'), { code: 'KAFKA_CONFIG' });
});

t.test(
  'without replay-on-recovery, a transaction left uncommitted by a crash is reported lost, never half-visible',
  async (t) => {
    const b = await kit.broker(t);
    const k = kit.kafka(b);
    await createTopic(await kit.admin(t, k), 'noreplay', 1);
    const make = () =>
      quiet(KafkaSink.builder<string>())
        .setBootstrapServers(b.address)
        .setRecordSerializer({ topic: 'noreplay', serializeValue: (v: string) => v })
        .setDeliveryGuarantee('EXACTLY_ONCE')
        .setTransactionalIdPrefix('nr')
        .setProperty('transaction.replay-on-recovery', 'false')
        .setProperty('transaction.abort.window', '2')
        .build();
    const ctx = { subtaskIndex: 0, parallelism: 1, attemptNumber: 0, jobId: 'j', jobConfig: {} };
    const sink1 = make();
    const w1 = (await sink1.createWriter(ctx, [])) as SinkWriter<string, KafkaCommittable, KafkaWriterState>;
    t.teardown(() => w1.close?.());
    w1.write('kept', 1);
    const c1 = await w1.prepareCommit!(1);
    await sink1.createCommitter(ctx).commit(c1);
    w1.write('lost', 2);
    const c2 = await w1.prepareCommit!(2);
    t.notOk('records' in c2[0]!, 'the committable holds no records');
    const state = w1.snapshotState!(2);
    const sink2 = make();
    const w2 = await sink2.createWriter(ctx, state);
    const committer = sink2.createCommitter(ctx);
    t.teardown(async () => {
      await w2.close?.();
      await committer.close?.();
    });
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => (stderr.push(String(chunk)), true)) as typeof process.stderr.write;
    try {
      await committer.commit(c2);
    } finally {
      process.stderr.write = write;
    }
    t.equal(sink2.committers[0]!.stats.lost, 1);
    t.match(stderr.join(''), /nr-0-2 of checkpoint 2 .* lost/);
    await (await kit.producer(t, k)).send({ topic: 'noreplay', messages: [{ value: 'end' }] });
    const rows = await kit.collect(kit.consumer(t, k, 'nr-check'), ['noreplay'], 2, 'committed');
    t.same(
      rows.map((r) => r.value),
      ['kept', 'end'],
      'the lost transaction was aborted, not committed',
    );
  },
);
