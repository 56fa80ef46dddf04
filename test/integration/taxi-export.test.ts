import t from 'tap';
import onnxProto from 'onnx-proto';
import { codeVersion } from 'sluice/ml'; // what jobs/taxi reads: the built package (dist/), stamped at build time
import { trainTaxiModel, type TrainedTaxiModel } from '../../jobs/taxi/index.js';
import { FEATURE_SCHEMA, FEATURE_WIDTH, encodeTrips, writeFeatures } from '../../jobs/taxi/features.js';
import { predictLogFromWeights } from '../../jobs/taxi/model.js';
import { generateTrips, type LabelledTrip } from '../../jobs/taxi/trips.js';
import { maeSec } from '../../jobs/taxi/baseline.js';
import { decodeTfArtifacts } from '../../operators/ml/tf-artifacts.js';
import { FeatureBatchBuilder, featureValues } from '../../operators/ml/arrow-batch.js';
import { decodeDescriptorMsgpack, encodeDescriptorMsgpack, validateDescriptor } from '../../operators/ml/descriptor.js';
import { defaultModelRegistry } from '../../operators/ml/index.js';

const SEED = 31;
const trips = generateTrips(8000, { seed: SEED });
let trained: TrainedTaxiModel;

t.before(async () => {
  trained = await trainTaxiModel({ seed: SEED, trips, epochs: 5, trainedAt: 1_700_000_000_000, version: 'v1' });
});

t.test('descriptors: schema, training block, valid and msgpack round-trip', async (t) => {
  for (const d of [trained.onnx, trained.tfjs]) {
    validateDescriptor(d);
    t.same(d.inputSchema, [{ name: 'features', shape: [-1, FEATURE_WIDTH], dtype: 'float32' }]);
    t.same(d.outputSchema, [{ name: 'score', shape: [-1, 1], dtype: 'float32' }]);
    t.equal(d.version, 'v1');
    t.equal(d.training!.trainedAt, 1_700_000_000_000);
    t.same(d.training!.dataWindow, { fromMs: trips[0]!.pickupMs, toMs: trips[trips.length - 1]!.pickupMs });
    t.equal(d.training!.metrics.maeSec, trained.metrics.maeSec);
    t.ok(d.training!.metrics.baselineMaeSec! > d.training!.metrics.maeSec!);
    t.same(d.training!.featureSchema, FEATURE_SCHEMA);
    t.equal(d.training!.codeVersion, codeVersion(), 'the code version of the build that trained it');
    t.match(d.training!.codeVersion, /^sluice@\d+\.\d+\.\d+\+([0-9a-f]{12}(\.dirty)?|unknown)$/);
    t.equal(decodeDescriptorMsgpack(encodeDescriptorMsgpack(d)).sha256, d.sha256);
  }
  t.equal(trained.onnx.modelType, 'ONNX');
  t.equal(trained.tfjs.modelType, 'TENSORFLOW');
  const model = onnxProto.onnx.ModelProto.decode(trained.onnx.data!);
  const ops = model.graph!.node!.map((n) => n.opType);
  for (const op of ['Slice', 'Cast', 'Gather', 'Split', 'Reshape', 'Concat', 'MatMul', 'Add', 'Relu', 'Exp'])
    t.ok(ops.includes(op), `ONNX graph uses ${op}`);
  const { format, artifacts } = decodeTfArtifacts(trained.tfjs.data!);
  t.equal(format, 'graph-model');
  t.ok(artifacts.weightSpecs!.some((s) => s.name === 'embedding'));
});

t.test(
  'ONNX (onnxruntime, Arrow batch) = TF.js graph model (TfModel) = the trained weights, within 1e-3 relative',
  async (t) => {
    const registry = defaultModelRegistry();
    const onnx = await registry.create(trained.onnx);
    const tfjs = await registry.create(trained.tfjs);
    t.teardown(async () => {
      await onnx.dispose();
      await tfjs.dispose();
    });
    t.equal(onnx.backend, 'onnxruntime-node/cpu');
    t.match(tfjs.backend, /^tfjs\//);
    const fresh = generateTrips(300, { seed: SEED + 1000 });
    const builder = new FeatureBatchBuilder<LabelledTrip>(FEATURE_WIDTH, 512, writeFeatures);
    for (const tr of fresh) builder.append(tr, tr.tripId, tr.pickupMs);
    const values = featureValues(builder.build());
    const a = await onnx.scoreBatch(values, fresh.length, FEATURE_WIDTH);
    const b = await tfjs.scoreBatch(values, fresh.length, FEATURE_WIDTH);
    let worstTf = 0;
    let worstRef = 0;
    for (let i = 0; i < fresh.length; i++) {
      worstTf = Math.max(worstTf, Math.abs(a[i]! - b[i]!) / Math.abs(b[i]!));
      const ref = Math.exp(predictLogFromWeights(trained.weights, values, i));
      worstRef = Math.max(worstRef, Math.abs(a[i]! - ref) / ref);
    }
    t.comment(
      `max relative difference ONNX vs TF.js ${worstTf.toExponential(2)}, ONNX vs weights ${worstRef.toExponential(2)}`,
    );
    t.ok(worstTf < 1e-3, 'ONNX = TF.js');
    t.ok(worstRef < 1e-3, 'ONNX = reference');
    const mae = maeSec(
      fresh.map((x) => x.durationSec),
      a,
    );
    t.ok(
      mae < trained.metrics.baselineMaeSec,
      `served predictions are in seconds and accurate (MAE ${mae.toFixed(0)} s on fresh trips)`,
    );
    const one = new Float32Array(FEATURE_WIDTH);
    writeFeatures(fresh[7]!, one, 0);
    t.ok(
      Math.abs((await onnx.scoreBatch(one, 1, FEATURE_WIDTH))[0]! - a[7]!) < 1e-3 * a[7]!,
      'one record scores like in the batch',
    );
  },
);

t.test('drift makes the served model stale (what triggers retraining)', async (t) => {
  const onnx = await defaultModelRegistry().create(trained.onnx);
  t.teardown(() => onnx.dispose());
  const later = generateTrips(9000, { seed: SEED }).slice(8000);
  const drifted = generateTrips(9000, { seed: SEED, drift: { slowdown: 1.6 } }).slice(8000);
  const x = encodeTrips(later);
  const pred = await onnx.scoreBatch(x, later.length, FEATURE_WIDTH);
  const before = maeSec(
    later.map((d) => d.durationSec),
    pred,
  );
  const after = maeSec(
    drifted.map((d) => d.durationSec),
    pred,
  );
  t.comment(`MAE on the same requests: ${before.toFixed(0)} s without drift, ${after.toFixed(0)} s with traffic ×1.6`);
  t.ok(after > before * 2, 'MAE more than doubles');
});

t.test('same seed and trips → byte-identical ONNX and TF.js models; another seed → different bytes', async (t) => {
  const small = trips.slice(0, 3000);
  const a = await trainTaxiModel({ seed: 5, trips: small, epochs: 2, trainedAt: 0 });
  const b = await trainTaxiModel({ seed: 5, trips: small, epochs: 2, trainedAt: 1 });
  const c = await trainTaxiModel({ seed: 6, trips: small, epochs: 2, trainedAt: 0 });
  t.equal(a.onnx.sha256, b.onnx.sha256, 'ONNX bytes identical (trainedAt is metadata only)');
  t.equal(a.tfjs.sha256, b.tfjs.sha256, 'TF.js artifact bytes identical');
  t.not(a.onnx.sha256, c.onnx.sha256);
  t.not(a.tfjs.sha256, c.tfjs.sha256);
  const g = await trainTaxiModel({ seed: 5, trips: 3000, epochs: 1, trainedAt: 0, drift: { slowdown: 1.5 } });
  t.ok(
    g.metrics.trainRows === 2400 && g.onnx.version.startsWith('v5-'),
    'trips generated from a count, default version',
  );
});
