import t from 'tap';
import type { io, Tensor } from '@tensorflow/tfjs';
import { TfModel, tfModelFactory } from '../../../operators/ml/tf-model.js';
import { loadTf, tfBackendInfo } from '../../../operators/ml/tf-backend.js';
import { encodeTfArtifacts } from '../../../operators/ml/tf-artifacts.js';
import { buildTfDenseModel } from '../../../operators/ml/model-builders/tf-builders.js';
import { descriptorFromBytes } from '../../../operators/ml/descriptor.js';
import { ModelFactoryRegistry } from '../../../operators/ml/model.js';
import { ModelManager } from '../../../operators/ml/model-manager.js';
import { systemClock } from '../../../runtime/platform/clock.js';

const W = 6;
const desc = (bytes: Uint8Array, version = '1', inW = W) =>
  descriptorFromBytes(
    {
      name: 'tf',
      version,
      description: '',
      dataType: 'x',
      modelType: 'TENSORFLOW',
      inputSchema: [{ name: 'x', shape: [-1, inW] }],
      outputSchema: [{ name: 'y', shape: [-1, 1] }],
    },
    bytes,
  );

/** Whether the native backend package is installed here (it is optional: its install downloads libtensorflow). */
async function nativeInstalled(): Promise<boolean> {
  try {
    await import('@tensorflow/tfjs-node' as string);
    return true;
  } catch {
    return false;
  }
}

t.test(
  'a layers model built in code loads from bytes on the installed backend and scores like tf predict',
  async (t) => {
    const logs: string[] = [];
    const { tf } = await loadTf((m) => logs.push(m));
    const info = await tfBackendInfo();
    const native = await nativeInstalled();
    // tfjs-node when it installed, the WASM fallback otherwise (as on machines without libtensorflow).
    t.equal(info?.backend, native ? 'tensorflow' : 'wasm', `backend ${info?.backend}`);
    if (!native) t.match(info?.fallbackReason ?? '', /tfjs-node unavailable/);
    t.match(logs.join('\n'), new RegExp(`tensorflow.js backend: ${info?.backend}`), 'the choice is logged once');
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [W], units: 8, activation: 'relu' }),
        tf.layers.dense({ units: 1, activation: 'sigmoid' }),
      ],
    });
    let saved: io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(
        async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } }),
      ),
    );
    const served = await TfModel.load(desc(encodeTfArtifacts(saved!)));
    t.teardown(() => served.dispose());
    t.equal(served.backend, `tfjs/${info?.backend}`);
    const rows = 10;
    const features = new Float32Array(rows * W).map((_, i) => Math.sin(i * 0.7) * 2);
    const want = tf.tidy(() => (model.predict(tf.tensor2d(features, [rows, W])) as Tensor).dataSync());
    const got = await served.scoreBatch(features, rows, W);
    t.equal(got.length, rows);
    for (let i = 0; i < rows; i++) t.ok(Math.abs(got[i]! - want[i]!) < 1e-6, `row ${i}: ${got[i]} vs ${want[i]}`);
    t.ok(new Set(Array.from(got)).size > 1, 'outputs vary with inputs');
    const before = tf.memory().numTensors;
    await served.scoreBatch(features, rows, W);
    t.equal(tf.memory().numTensors, before, 'no tensors leak per batch');
    model.dispose();
  },
);

t.test('builder bytes are deterministic; bad TF models are rejected through the manager', async (t) => {
  const a = await buildTfDenseModel({ layers: [W, 4, 1], seed: 3 });
  const b = await buildTfDenseModel({ layers: [W, 4, 1], seed: 3 });
  const m1 = await TfModel.load(desc(a, 'a'));
  const m2 = await TfModel.load(desc(b, 'b'));
  const f = new Float32Array(3 * W).fill(0.25);
  t.same(Array.from(await m1.scoreBatch(f, 3, W)), Array.from(await m2.scoreBatch(f, 3, W)));
  await m1.dispose();
  await m2.dispose();
  const manager = new ModelManager({
    registry: new ModelFactoryRegistry().register(tfModelFactory()),
    policy: 'processing-time',
    clock: systemClock,
  });
  t.teardown(() => manager.close());
  t.equal((await manager.install('k', desc(a, 'good'))).status, 'accepted');
  const bad = await manager.install('k', desc(new Uint8Array([1, 2, 3]), 'garbage'));
  t.equal(bad.code, 'MODEL_LOAD_FAILED');
  const shape = await manager.install('k', desc(a, 'shape', 5));
  t.equal(shape.code, 'MODEL_SCHEMA_MISMATCH');
  t.equal(manager.select('k', 0)!.descriptor.version, 'good', 'previous TF model keeps serving');
});

t.test(
  'a TensorFlow.js model serves in a stream: keyed join, event-time switch, scores equal to direct scoring',
  async (t) => {
    const { ModelServing, StreamExecutionEnvironment, WatermarkStrategy } = await import(
      '../../../runtime/exports/index.js'
    );
    type Rec = { id: number; key: string; ts: number };
    const v1 = desc(await buildTfDenseModel({ layers: [W, 8, 1], seed: 11 }), 'v1');
    const v2 = { ...desc(await buildTfDenseModel({ layers: [W, 8, 1], seed: 12 }), 'v2'), validFrom: 5_000 };
    const recs: Rec[] = Array.from({ length: 400 }, (_, i) => ({ id: i, key: `k${i % 4}`, ts: i * 25 }));
    const extract = (r: Rec, out: Float32Array, off: number) => {
      for (let i = 0; i < W; i++) out[off + i] = Math.cos(r.id * 0.13 + i);
    };
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const wm = WatermarkStrategy.forMonotonousTimestamps<Rec>().withTimestampAssigner((r) => r.ts);
    const data = env
      .fromCollection(recs)
      .assignTimestampsAndWatermarks(wm)
      .keyBy((r) => r.key);
    // Both versions for every key; v2 takes over at event time 5 000 (a replay scores the same way).
    const models = env
      .fromCollection(
        ['k0', 'k1', 'k2', 'k3'].flatMap((k) => [
          { ...v1, dataType: k },
          { ...v2, dataType: k },
        ]),
      )
      .assignTimestampsAndWatermarks(
        WatermarkStrategy.forMonotonousTimestamps<typeof v1>().withTimestampAssigner(() => 0),
      )
      .keyBy((d) => d.dataType);
    const out = await ModelServing.keyed<Rec, string>(data, models, {
      width: W,
      extract,
      policy: 'event-time',
      noModel: 'buffer',
      maxBatchSize: 64,
    })
      .uid('serve-tf')
      .executeAndCollect();
    t.equal(out.length, 400, 'every record scored once');
    const direct = { v1: await TfModel.load(v1), v2: await TfModel.load(v2) };
    t.teardown(async () => {
      await direct.v1.dispose();
      await direct.v2.dispose();
    });
    const f = new Float32Array(W);
    let bad = 0;
    for (const o of out) {
      const want = o.record.ts >= 5_000 ? 'v2' : 'v1';
      extract(o.record, f, 0);
      const ref = (await direct[want].scoreBatch(f, 1, W))[0]!;
      if (o.version !== want || Math.abs(o.prediction - ref) > 1e-5) bad++;
    }
    t.equal(bad, 0, 'each record scored by the version valid at its event time, as direct scoring does');
  },
);
