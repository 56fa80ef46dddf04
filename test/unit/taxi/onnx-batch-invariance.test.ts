/**
 * The taxi ONNX model scores a trip bit-identically whatever batch it is scored in. Serving cuts batches by
 * arrival (batch size, linger timer, watermarks), which differs from run to run, so a replay reproduces its
 * scores only if a row's result does not depend on its batch: here the same 12 000 trips of the taxi job are
 * scored in batches of 256, of 1, of 3, and of seeded random sizes, under the serving's session options, and
 * every score must have the same bits. (With the wide part summed by onnxruntime's ReduceSum, about 60 of the
 * 12 000 differed in their last bits and, after the job's rounding to 0.1 s, one printed prediction in about
 * three runs.)
 */
import t from 'tap';
import { DEFAULT_START_MS, generateTrips } from '../../../jobs/taxi/trips.js';
import { FEATURE_WIDTH, WIDE_VOCAB, DEEP_VOCAB, encodeTrips } from '../../../jobs/taxi/features.js';
import { DEFAULT_CONFIG, deepInputWidth, type WideDeepWeights } from '../../../jobs/taxi/model.js';
import { onnxDescriptor } from '../../../jobs/taxi/export.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';
import { seededRandom } from '../../../runtime/platform/index.js';

/** Seeded weights of the trained model's scale (a trained wide part is not zero; the bias is a mean log duration). */
function weights(seed: number): WideDeepWeights {
  const rnd = seededRandom(seed);
  const uniform = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
  const dims = [deepInputWidth(DEFAULT_CONFIG), ...DEFAULT_CONFIG.hidden, 1];
  const layers = dims.slice(0, -1).map((inDim, l) => {
    const outDim = dims[l + 1]!;
    const bias = uniform(outDim, 0.1);
    if (l === dims.length - 2) bias[0] = 6.5;
    return { inDim, outDim, kernel: uniform(inDim * outDim, Math.sqrt(6 / (inDim + outDim))), bias };
  });
  return {
    config: DEFAULT_CONFIG,
    wide: uniform(WIDE_VOCAB, 0.3),
    embedding: uniform(DEEP_VOCAB * DEFAULT_CONFIG.embeddingDim, 0.05),
    layers,
  };
}

t.test('every trip scores bit-identically in batches of 256, 1, 3 and random sizes', async (t) => {
  const model = await OnnxModel.load(
    onnxDescriptor(weights(11), { version: 'v1', trainedAt: 0, dataWindow: { fromMs: 0, toMs: 0 }, metrics: {} }),
  );
  t.teardown(() => model.dispose());
  const trips = generateTrips(12_000, { seed: 7, drift: { slowdown: 1.7, fromMs: DEFAULT_START_MS + 3 * 86_400_000 } });
  const features = encodeTrips(trips);
  const score = async (batchSize: (start: number) => number): Promise<Float32Array> => {
    const out = new Float32Array(trips.length);
    for (let i = 0; i < trips.length; ) {
      const rows = Math.min(batchSize(i), trips.length - i);
      const batch = features.slice(i * FEATURE_WIDTH, (i + rows) * FEATURE_WIDTH); // a buffer of its own
      out.set((await model.scoreBatch(batch, rows, FEATURE_WIDTH)).subarray(0, rows), i);
      i += rows;
    }
    return out;
  };
  const reference = await score(() => 256);
  t.ok(
    reference.every((s) => Number.isFinite(s) && s > 0),
    'scores are durations in seconds',
  );
  const rnd = seededRandom(3);
  for (const [name, size] of [
    ['1', () => 1],
    ['3', () => 3],
    ['random 1..256', () => 1 + Math.floor(rnd() * 256)],
  ] as const) {
    const scores = await score(size);
    const differing = reference.filter((s, i) => s !== scores[i]).length;
    t.equal(differing, 0, `batches of ${name}: ${differing} of ${trips.length} scores differ from batches of 256`);
  }
});
