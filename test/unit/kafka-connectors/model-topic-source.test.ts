/**
 * ModelTopicSource against the test broker: only the newest descriptor per model key on the topic at start
 * is emitted (JSON and msgpack values, tombstones), later descriptors as they arrive; snapshots during and
 * after the catch-up restore without re-emitting; undecodable descriptors are reported with their
 * coordinates while the key keeps its last good descriptor; end markers of earlier runs are ignored and a
 * live one ends the source; bounded mode ends after the catch-up; a keyed serving job fed by the topic
 * scores with the latest model of each key.
 */
import t from 'tap';
import type { Producer } from 'kafkajs';
import * as kit from '../../support/kafka/test-kit.js';
import {
  ModelServing,
  StreamExecutionEnvironment,
  type ModelDescriptor,
  type Scored,
} from '../../../runtime/exports/index.js';
import {
  ModelTopicSource,
  endOfModels,
  modelTopicSerializer,
  type ModelTopicMessage,
  type ModelTopicSplit,
} from '../../../operators/connectors/kafka/index.js';
import { serialize } from '../../../operators/connectors/kafka/kafka-record-serializer.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';
import { QUIET, createTopic, pollUntil, readerContext, recordingOutput } from './helpers.js';

const model = (name: string, version: number): ModelDescriptor =>
  mlpDescriptor(`${name}-${version}`, version * 10 + name.charCodeAt(0), undefined, { name });
const ids = (ds: Array<{ value: ModelDescriptor }>) => ds.map((e) => `${e.value.name}@${e.value.version}`);

/** Writes model-topic messages with the publisher's serializer (msgpack when asked), one send each. */
async function publish(
  p: Producer,
  topic: string,
  msgs: Array<ModelTopicMessage | { raw: string | null; key: string }>,
  format: 'json' | 'msgpack' = 'json',
): Promise<void> {
  for (const m of msgs) {
    const message =
      'raw' in m ? { key: m.key, value: m.raw } : serialize(modelTopicSerializer(topic, format), m, Date.now()).message;
    await p.send({ topic, messages: [message] });
  }
}

const source = (
  address: string,
  topic: string,
  extra: Partial<ConstructorParameters<typeof ModelTopicSource>[0]> = {},
) => new ModelTopicSource({ bootstrapServers: address, topic, properties: { ...QUIET }, ...extra });

t.test(
  'only the latest descriptor per model key at start, then every new one as it arrives; restore re-emits nothing',
  async (t) => {
    const b = await kit.broker(t);
    const k = kit.kafka(b);
    await createTopic(await kit.admin(t, k), 'models', 1);
    const p = await kit.producer(t, k);
    await publish(p, 'models', [{ descriptor: model('a', 1) }, { descriptor: model('c', 1) }]);
    await publish(p, 'models', [{ descriptor: model('b', 1) }, { descriptor: model('a', 2) }], 'msgpack');
    await publish(p, 'models', [{ key: 'c', raw: null }]); // tombstone: model c deleted
    const src = source(b.address, 'models');
    const splits = await src.createSplits(1);
    t.same(
      splits,
      [{ id: 'models-0', topic: 'models', partition: 0, offset: 0, catchUpTo: 5 }],
      'the split carries the catch-up end fixed at the start',
    );

    const reader = src.createReader(readerContext());
    t.teardown(() => reader.close?.());
    reader.addSplits(splits);
    t.same(
      reader.snapshotState(1),
      splits,
      'a snapshot during the catch-up is the split as created (nothing emitted yet)',
    );
    const out = recordingOutput<ModelDescriptor>();
    await pollUntil(reader, out.output, () => out.emitted.length >= 2, 'the catch-up');
    t.same(ids(out.emitted), ['b@b-1', 'a@a-2'], 'a@1 superseded, c deleted by its tombstone; survivors in log order');
    t.ok(out.idle >= 1, 'the model stream marks itself idle (no event-time hold-back)');
    t.ok(
      out.emitted.every((e) => e.split === 'models-0' && Number.isFinite(e.timestamp)),
      'emitted through the partition output with the Kafka timestamp',
    );

    await publish(p, 'models', [{ descriptor: model('a', 3) }, { descriptor: model('c', 2) }]);
    await pollUntil(reader, out.output, () => out.emitted.length >= 4, 'live descriptors');
    t.same(ids(out.emitted).slice(2), ['a@a-3', 'c@c-2'], 'later descriptors are emitted as they arrive, each once');
    const state = reader.snapshotState(2) as ModelTopicSplit[];
    t.same(
      state,
      [{ id: 'models-0', topic: 'models', partition: 0, offset: 7 }],
      'after the catch-up the state is the live position',
    );
    await reader.close?.();

    const restored = src.createReader(readerContext());
    t.teardown(() => restored.close?.());
    restored.addSplits(state);
    await publish(p, 'models', [{ descriptor: model('b', 2) }]);
    const out2 = recordingOutput<ModelDescriptor>();
    await pollUntil(restored, out2.output, () => out2.emitted.length >= 1, 'the descriptor after the restore');
    t.same(ids(out2.emitted), ['b@b-2'], 'the restored reader continues after the checkpoint and re-emits nothing');
  },
);

t.test(
  'undecodable descriptors are reported with topic/partition/offset; the key keeps its last good one; reading goes on',
  async (t) => {
    const b = await kit.broker(t);
    const k = kit.kafka(b);
    await createTopic(await kit.admin(t, k), 'bad', 1);
    const p = await kit.producer(t, k);
    await publish(p, 'bad', [
      { descriptor: model('a', 1) },
      { key: 'a', raw: '{ not json' },
      { key: 'a', raw: JSON.stringify({ name: 'a', version: '9' }) },
    ]);
    const malformed: Array<{ raw: unknown; reason: string }> = [];
    const reader = source(b.address, 'bad').createReader(readerContext(0, 1, malformed));
    t.teardown(() => reader.close?.());
    reader.addSplits(await source(b.address, 'bad').createSplits(1));
    const out = recordingOutput<ModelDescriptor>();
    await pollUntil(reader, out.output, () => out.emitted.length >= 1, 'the catch-up');
    t.same(ids(out.emitted), ['a@a-1'], 'the newest decodable descriptor of the key is served');
    t.equal(malformed.length, 2, 'both bad records reported');
    t.match(malformed[0]!.reason, /bad\/0@1 is not a model descriptor: .*not valid JSON/);
    t.match(
      malformed[1]!.reason,
      /bad\/0@2 is not a model descriptor: .*MODEL_INVALID_DESCRIPTOR|bad\/0@2 is not a model descriptor: .*invalid/,
    );
    t.match(malformed[1]!.raw, { topic: 'bad', partition: 0, offset: 2, key: 'a' });

    await publish(p, 'bad', [{ key: 'a', raw: 'garbage' }, { descriptor: model('a', 2) }]);
    await pollUntil(reader, out.output, () => out.emitted.length >= 2, 'the live descriptor after a bad one');
    t.same(ids(out.emitted), ['a@a-1', 'a@a-2'], 'reading continues after a bad live record');
    t.equal(malformed.length, 3);
    t.match(malformed[2]!, {
      raw: { topic: 'bad', partition: 0, offset: 3 },
      reason: /bad\/0@3 is not a model descriptor/,
    });
  },
);

t.test(
  'end markers: one from an earlier run is ignored, a live one ends the source; bounded mode ends after the catch-up',
  async (t) => {
    const b = await kit.broker(t);
    const k = kit.kafka(b);
    const p = await kit.producer(t, k);
    const src = source(b.address, 'ends'); // the source creates the missing topic
    const splits = await src.createSplits(1);
    t.same(
      splits.map((s) => [s.id, s.catchUpTo]),
      [['ends-0', 0]],
      'a missing model topic is created (one partition) and read from its start',
    );
    await publish(p, 'ends', [{ descriptor: model('a', 1) }, endOfModels(0), { descriptor: model('a', 2) }]);

    const fresh = await src.createSplits(1);
    const reader = src.createReader(readerContext());
    t.teardown(() => reader.close?.());
    reader.addSplits(fresh);
    const out = recordingOutput<ModelDescriptor>();
    let status = await pollUntil(reader, out.output, () => out.emitted.length >= 1, 'the catch-up');
    t.not(status, 'END_OF_INPUT', 'the old marker does not end the new run');
    t.same(ids(out.emitted), ['a@a-2']);
    await publish(p, 'ends', [endOfModels(0), { descriptor: model('a', 3) }]);
    status = await pollUntil(reader, out.output, () => false, 'the live end marker');
    t.equal(status, 'END_OF_INPUT', 'the live marker ends the source');
    t.same(ids(out.emitted), ['a@a-2'], 'nothing after the marker is emitted');
    t.same(out.released, ['ends-0'], 'the partition output is released');
    t.same(reader.snapshotState(3), [], 'an ended partition leaves the state');

    const bounded = source(b.address, 'ends', { bounded: true });
    t.equal(bounded.boundedness, 'BOUNDED');
    const br = bounded.createReader(readerContext());
    t.teardown(() => br.close?.());
    br.addSplits(await bounded.createSplits(1));
    const bout = recordingOutput<ModelDescriptor>();
    t.equal(await pollUntil(br, bout.output, () => false, 'bounded end'), 'END_OF_INPUT');
    t.same(ids(bout.emitted), ['a@a-3'], 'bounded: the latest per key at start, then the end');
  },
);

t.test('a keyed serving job fed by the model topic scores every record with the latest model of its key', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  await createTopic(await kit.admin(t, k), 'serving', 2);
  const p = await kit.producer(t, k);
  const latest = { a: model('a', 2), b: model('b', 1) };
  await publish(p, 'serving', [{ descriptor: model('a', 1) }, { descriptor: latest.b }, { descriptor: latest.a }]);
  type Rec = { id: number; key: 'a' | 'b' };
  const recs: Rec[] = Array.from({ length: 300 }, (_, i) => ({ id: i, key: i % 3 === 0 ? 'b' : 'a' }));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const models = env
    .fromSource(source(b.address, 'serving', { bounded: true }), undefined, 'models')
    .uid('models')
    .keyBy((d: ModelDescriptor) => d.name);
  const data = env.fromCollection(recs).keyBy((r) => r.key);
  const extract = (r: Rec, out: Float32Array, off: number) => {
    for (let i = 0; i < MLP_WIDTH; i++) out[off + i] = Math.cos(r.id + i);
  };
  const scored = ModelServing.keyed<Rec, string>(data, models, {
    width: MLP_WIDTH,
    extract,
    noModel: 'buffer',
    maxBatchSize: 32,
  }).uid('serve');
  const out = (await scored.executeAndCollect()) as Scored<Rec>[];
  t.equal(out.length, 300, 'every record scored once');
  const wrong = out.filter(
    (s) => s.version !== latest[s.record.key].version || s.sha256 !== latest[s.record.key].sha256,
  );
  t.equal(
    wrong.length,
    0,
    `every record scored by its key's latest model (a-2, b-1); wrong: ${wrong.slice(0, 3).map((s) => `${s.record.key}:${s.version}`)}`,
  );
});
