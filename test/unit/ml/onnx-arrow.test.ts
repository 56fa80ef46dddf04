import t from 'tap';
import type { Tensor } from 'onnxruntime-node';
import { sha256Hex } from '../../../operators/ml/descriptor.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';
import { FeatureBatchBuilder, featureValues } from '../../../operators/ml/arrow-batch.js';
import { buildNanModel } from '../../../operators/ml/model-builders/onnx-builders.js';
import { seededRandom } from '../../../runtime/platform/random.js';

const W = MLP_WIDTH;

interface Rec {
  id: string;
  f: number[];
}
const extract = (r: Rec, out: Float32Array, off: number) => {
  for (let i = 0; i < W; i++) out[off + i] = r.f[i]!;
};

t.test('batched scores equal per-record scores; the tensor is the Arrow column buffer (zero copy)', async (t) => {
  const seen: Tensor[] = [];
  const model = await OnnxModel.load(mlpDescriptor(), { onInputTensor: (x) => seen.push(x) });
  t.teardown(() => model.dispose());
  const rnd = seededRandom(42);
  const recs: Rec[] = Array.from({ length: 100 }, (_, i) => ({
    id: `k${i}`,
    f: Array.from({ length: W }, () => rnd() * 4 - 2),
  }));
  const b = new FeatureBatchBuilder<Rec>(W, 128, extract);
  recs.forEach((r, i) => b.append(r, r.id, 1000 + i));
  const batch = b.build();
  t.equal(batch.numRows, 100);
  t.equal(batch.getChild('key')!.get(3), 'k3');
  t.equal(batch.getChild('timestamp')!.get(5), 1005);
  const values = featureValues(batch);
  t.equal(values.buffer, b.values.buffer, 'arrow column shares the builder storage');
  seen.length = 0;
  const out = await model.scoreBatch(values, 100, W);
  t.equal(seen.length, 1);
  const data = seen[0]!.data as Float32Array;
  t.equal(data.buffer, values.buffer, 'ort tensor data is the same ArrayBuffer as the Arrow values');
  t.equal(data.byteOffset, values.byteOffset, 'same byteOffset');
  t.equal(data.length, 100 * W);
  t.same(seen[0]!.dims, [100, W]);
  const distinct = new Set(Array.from(out).map((x) => x.toFixed(5)));
  t.ok(distinct.size > 50, 'outputs depend on inputs');
  for (let i = 0; i < recs.length; i++) {
    const one = await model.scoreBatch(Float32Array.from(recs[i]!.f), 1, W);
    t.ok(Math.abs(one[0]! - out[i]!) < 1e-5, `row ${i}: ${one[0]} vs ${out[i]}`);
  }
  b.reset();
  t.equal(b.rows, 0);
  t.throws(() => new FeatureBatchBuilder(0, 1, extract), { code: 'API_INVALID_ARGUMENT' });
});

t.test('bad models are rejected with specific codes', async (t) => {
  const garbage = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  await t.rejects(OnnxModel.load(mlpDescriptor('g', 1, garbage)), { code: 'MODEL_LOAD_FAILED' });
  const d = mlpDescriptor();
  await t.rejects(OnnxModel.load({ ...d, sha256: sha256Hex(new Uint8Array([9])) }), { code: 'MODEL_HASH_MISMATCH' });
  await t.rejects(OnnxModel.load({ ...d, inputSchema: [{ name: 'features', shape: [-1, 8] }] }), {
    code: 'MODEL_SCHEMA_MISMATCH',
    message: /axis 1 is 16/,
  });
  await t.rejects(OnnxModel.load({ ...d, outputSchema: [{ name: 'out', shape: [-1, 1] }] }), {
    code: 'MODEL_SCHEMA_MISMATCH',
  });
  await t.rejects(OnnxModel.load(mlpDescriptor('nan', 1, buildNanModel({ width: W }))), { code: 'MODEL_BAD_OUTPUT' });
  const m = await OnnxModel.load(d);
  t.teardown(() => m.dispose());
  await t.rejects(m.scoreBatch(new Float32Array(8), 1, 8), { code: 'MODEL_SCHEMA_MISMATCH' });
});
