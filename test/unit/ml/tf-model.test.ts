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

t.test('a layers model built in code loads from bytes on the wasm backend and scores like tf predict', async (t) => {
  const logs: string[] = [];
  const { tf } = await loadTf((m) => logs.push(m));
  const info = await tfBackendInfo();
  t.equal(info?.backend, 'wasm', 'tfjs-node is not installable here: wasm fallback');
  t.match(info?.fallbackReason ?? '', /tfjs-node unavailable/);
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
  t.equal(served.backend, 'tfjs/wasm');
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
});

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
