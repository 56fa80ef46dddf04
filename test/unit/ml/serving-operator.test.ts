/**
 * Model serving as a stream operator (local execution): key-based serving with per-key models, broadcast
 * serving with a default and per-key overrides, bad models rejected while the old one keeps serving,
 * the event-time switch exactly at validFrom (identical across runs), and batched = per-record scores.
 */
import t from 'tap';
import {
  MODEL_STATUS_TAG,
  ModelServing,
  NO_MODEL_TAG,
  StreamExecutionEnvironment,
  WatermarkStrategy,
  type ModelDescriptor,
  type Scored,
} from '../../../runtime/exports/index.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';
import { buildMlpModel, buildNanModel } from '../../../operators/ml/model-builders/onnx-builders.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';

type Rec = { id: number; key: string; ts: number };
const features = (r: Rec, out: Float32Array, off: number) => {
  for (let i = 0; i < MLP_WIDTH; i++) out[off + i] = Math.sin(r.id * 0.37 + i) * 0.5;
};
const records = (n: number, keys: string[]): Rec[] =>
  Array.from({ length: n }, (_, i) => ({ id: i, key: keys[i % keys.length]!, ts: i * 100 }));

/** Reference: the same model scoring one record per run (the per-record approach). */
async function perRecord(d: ModelDescriptor, recs: Rec[]): Promise<Map<number, number>> {
  const m = await OnnxModel.load(d);
  const out = new Map<number, number>();
  const f = new Float32Array(MLP_WIDTH);
  for (const r of recs) {
    features(r, f, 0);
    out.set(r.id, (await m.scoreBatch(f, 1, MLP_WIDTH))[0]!);
  }
  await m.dispose();
  return out;
}

t.test(
  'keyed serving: per-key models across 2 subtasks, buffered until the model arrives; batched = per-record',
  async (t) => {
    const models = { a: mlpDescriptor('a-1', 11), b: mlpDescriptor('b-1', 22) };
    const recs = records(600, ['a', 'b']);
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const data = env.fromCollection(recs).keyBy((r) => r.key);
    const modelStream = env
      .fromCollection<[string, ModelDescriptor]>(Object.entries(models))
      .keyBy(([k]) => k)
      .map(([, d]) => d)
      .keyBy((d) => d.version.split('-')[0]!);
    const scored = ModelServing.keyed<Rec, string>(data, modelStream, {
      width: MLP_WIDTH,
      extract: features,
      noModel: 'buffer',
      maxBatchSize: 64,
    }).uid('serve');
    const out = (await scored.executeAndCollect()) as Scored<Rec>[];
    t.equal(out.length, 600, 'every record scored once');
    const refs = { a: await perRecord(models.a, recs), b: await perRecord(models.b, recs) };
    let wrongModel = 0;
    let maxErr = 0;
    for (const s of out) {
      if (s.version !== `${s.record.key}-1` || s.sha256 !== models[s.record.key as 'a' | 'b'].sha256) wrongModel++;
      maxErr = Math.max(maxErr, Math.abs(s.prediction - refs[s.record.key as 'a' | 'b'].get(s.record.id)!));
    }
    t.equal(wrongModel, 0, 'each key scored by its own model (version and sha256 on the output)');
    t.ok(maxErr < 1e-5, `batched scores equal per-record scores (max error ${maxErr})`);
    t.ok(
      out.some((s) => s.batchSize > 1),
      'records were scored in batches',
    );
  },
);

t.test('broadcast serving: a default model and a per-key override reach every subtask', async (t) => {
  // validFrom 0 under the event-time policy: no record is scored before both models are in (under
  // processing time the default would serve the vip records until the override arrives).
  const def = mlpDescriptor('default', 1, undefined, { validFrom: 0 });
  const vip = { ...mlpDescriptor('vip', 2, undefined, { validFrom: 0 }), name: 'vip-model' };
  const recs = records(400, ['x', 'y', 'vip']);
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const data = env
    .fromCollection(recs)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Rec>().withTimestampAssigner((r) => r.ts))
    .rebalance();
  const models = env
    .fromCollection([def, vip])
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<ModelDescriptor>().withTimestampAssigner(() => 0),
    );
  const scored = ModelServing.broadcast<Rec>(data, models, {
    width: MLP_WIDTH,
    extract: features,
    policy: 'event-time',
    noModel: 'buffer',
    modelKeyOf: (r) => r.key,
    descriptorKeyOf: (d) => (d.name === 'vip-model' ? 'vip' : '*'),
  }).uid('serve');
  const out = (await scored.executeAndCollect()) as Scored<Rec>[];
  t.equal(out.length, 400);
  t.ok(
    out.filter((s) => s.record.key === 'vip').every((s) => s.version === 'vip'),
    'vip records use the per-key model',
  );
  t.ok(
    out.filter((s) => s.record.key !== 'vip').every((s) => s.version === 'default'),
    'the others fall back to the default',
  );
});

t.test('bad models are rejected with a reason on model-status; the old model keeps serving', async (t) => {
  const good = mlpDescriptor('1', 5);
  const garbage = mlpDescriptor('2-garbage', 5, new Uint8Array([1, 2, 3, 4, 5]));
  const badHash = { ...mlpDescriptor('3-hash', 6), sha256: 'f'.repeat(64) };
  const nan = mlpDescriptor('4-nan', 5, buildNanModel({ width: MLP_WIDTH }));
  const wrongShape = mlpDescriptor('5-shape', 5, buildMlpModel({ layers: [8, 4, 1], seed: 3 }));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const modelStream = env.fromCollection([good, garbage, badHash, nan, wrongShape]).keyBy(() => 'k');
  const scored = ModelServing.keyed<Rec, string>(
    env.fromCollection(records(300, ['k'])).keyBy((r) => r.key),
    modelStream,
    { width: MLP_WIDTH, extract: features, noModel: 'buffer' },
  ).uid('serve');
  const statusTag = MODEL_STATUS_TAG;
  const statuses = scored.getSideOutput(statusTag).map((s) => `${s.version}:${s.status}:${s.code ?? ''}`);
  const all = (await scored
    .map((s) => `scored:${s.version}`)
    .union(statuses)
    .executeAndCollect()) as string[];
  t.same(all.filter((l) => !l.startsWith('scored')).sort(), [
    '1:accepted:',
    '2-garbage:rejected:MODEL_LOAD_FAILED',
    '3-hash:rejected:MODEL_HASH_MISMATCH',
    '4-nan:rejected:MODEL_BAD_OUTPUT',
    '5-shape:rejected:MODEL_SCHEMA_MISMATCH',
  ]);
  const scoredLines = all.filter((l) => l.startsWith('scored'));
  t.equal(scoredLines.length, 300, 'scoring continued');
  t.ok(
    scoredLines.every((l) => l === 'scored:1'),
    'every record scored by the model that was accepted',
  );
});

t.test(
  'event-time switch: scored by the greatest validFrom ≤ t, exactly at validFrom, the same in two runs',
  async (t) => {
    const v1 = mlpDescriptor('v1', 7, undefined, { validFrom: 0 });
    const v2 = mlpDescriptor('v2', 8, undefined, { validFrom: 5000 });
    const recs = records(100, ['a', 'b', 'c']); // ts 0 … 9900
    const run = async () => {
      const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
      const data = env
        .fromCollection(recs)
        .assignTimestampsAndWatermarks(
          WatermarkStrategy.forMonotonousTimestamps<Rec>().withTimestampAssigner((r) => r.ts),
        );
      const models = env
        .fromCollection([v1, v2])
        .assignTimestampsAndWatermarks(
          WatermarkStrategy.forMonotonousTimestamps<ModelDescriptor>().withTimestampAssigner((d) => d.validFrom!),
        );
      const scored = ModelServing.broadcast<Rec>(data, models, {
        width: MLP_WIDTH,
        extract: features,
        policy: 'event-time',
        noModel: 'drop',
      }).uid('serve');
      return ((await scored.executeAndCollect()) as Scored<Rec>[])
        .map((s) => `${s.record.id}@${s.record.ts}:${s.version}:${s.prediction.toFixed(6)}`)
        .sort();
    };
    const first = await run();
    t.equal(first.length, 100);
    const wrong = first.filter((l) => {
      const ts = Number(/@(\d+)/.exec(l)![1]);
      return !l.includes(ts < 5000 ? ':v1:' : ':v2:');
    });
    t.same(wrong, [], 'ts < 5000 → v1, ts ≥ 5000 → v2');
    t.same(await run(), first, 'a second run scores identically');
  },
);

t.test('no-model policies: side output and drop', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const data = env.fromCollection(records(50, ['k'])).keyBy((r) => r.key);
  const none = env.fromCollection<ModelDescriptor>([mlpDescriptor('other', 1)]).keyBy(() => 'nobody');
  const scored = ModelServing.keyed<Rec, string>(data, none, {
    width: MLP_WIDTH,
    extract: features,
    noModel: 'side-output',
  }).uid('serve');
  const side = await scored
    .getSideOutput(NO_MODEL_TAG)
    .map((r) => (r as Rec).id)
    .executeAndCollect();
  t.equal(side.length, 50, 'every record without a model reaches the no-model side output');
  t.throws(
    () => ModelServing.keyed<Rec, string>(data, none, { width: 0, extract: features }),
    /width must be a positive integer/,
  );
  t.throws(
    () =>
      ModelServing.broadcast<Rec>(env.fromCollection(records(1, ['k'])), env.fromCollection<ModelDescriptor>([]), {
        width: 4,
        extract: features,
        policy: 'sometimes' as never,
      }),
    /unknown switch policy/,
  );
});

t.test(
  "output 'arrow-ipc': one Arrow IPC stream per scored batch, same predictions as per-record output",
  async (t) => {
    const { tableFromIPC } = await import('apache-arrow');
    const model = mlpDescriptor('arrow', 3);
    const run = async (output: 'records' | 'arrow-ipc') => {
      const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
      const data = env.fromCollection(records(300, ['a', 'b'])).keyBy((r) => r.key);
      const models = env
        .fromCollection([
          { ...model, name: 'a' },
          { ...model, name: 'b' },
        ])
        .keyBy((d) => d.name);
      return ModelServing.keyed<Rec, string>(data, models, {
        width: MLP_WIDTH,
        extract: features,
        noModel: 'buffer',
        maxBatchSize: 64,
        output,
      })
        .uid('serve')
        .executeAndCollect() as Promise<unknown[]>;
    };
    const perRecord = ((await run('records')) as Scored<Rec>[])
      .map((s) => `${s.key}:${s.timestampMs}:${s.prediction.toFixed(6)}`)
      .sort();
    const batches = (await run('arrow-ipc')) as Uint8Array[];
    t.ok(
      batches.length >= 300 / 64 && batches.every((b) => b instanceof Uint8Array),
      `${batches.length} Arrow IPC streams`,
    );
    const rows: string[] = [];
    for (const b of batches) {
      const table = tableFromIPC(b);
      t.same(
        table.schema.fields.map((f) => f.name),
        ['key', 'timestamp', 'prediction', 'model', 'version', 'sha256'],
      );
      for (const r of table.toArray()) rows.push(`${r.key}:${r.timestamp}:${(r.prediction as number).toFixed(6)}`);
    }
    t.same(rows.sort(), perRecord, 'the same scores, columnar');
  },
);
