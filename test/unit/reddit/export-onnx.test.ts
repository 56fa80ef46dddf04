import t from 'tap';
import ort from 'onnxruntime-node';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import {
  trainModerationModel,
  generateComments,
  predictDense,
  checkFeatureSchema,
  commentFeatureExtractor,
  vectorizerFromDescriptor,
  TfidfVectorizer,
  CODE_VERSION,
  TFIDF_METADATA_KEY,
  type Comment,
} from '../../../jobs/reddit-moderation/index.js';
import { FeatureBatchBuilder, featureValues } from '../../../operators/ml/arrow-batch.js';
import { buildLogisticRegressionModel } from '../../../operators/ml/model-builders/onnx-builders.js';
import {
  decodeDescriptorJson,
  encodeDescriptorJson,
  sha256Hex,
  validateDescriptor,
} from '../../../operators/ml/descriptor.js';
import { defaultModelRegistry } from '../../../operators/ml/index.js';
import { OnnxModel } from '../../../operators/ml/onnx-model.js';

const trained = trainModerationModel({ seed: 3, trainSize: 3000, testSize: 800 });
const { descriptor, vectorizer, model, metrics } = trained;
const W = vectorizer.vocabSize;

/** 300 unseen comments, a third of them removed, as one row-major batch. */
const comments = generateComments({ seed: 303, toxicRate: 0.33 }, 300);
const batch = new Float32Array(comments.length * W);
comments.forEach((c, i) => vectorizer.transformInto(c.body, batch, i * W));
const jsScores = comments.map((_, i) => predictDense(model, batch, i * W));

t.test('the descriptor is a valid ONNX descriptor with training metadata', async (t) => {
  validateDescriptor(descriptor);
  t.equal(descriptor.modelType, 'ONNX');
  t.equal(descriptor.name, 'reddit-moderation');
  t.equal(descriptor.version, descriptor.sha256.slice(0, 12), 'content-addressed default version');
  t.equal(descriptor.sha256, sha256Hex(descriptor.data!));
  t.same(descriptor.inputSchema, [{ name: 'features', shape: [-1, W], dtype: 'float32' }]);
  t.same(descriptor.outputSchema, [{ name: 'score', shape: [-1, 1], dtype: 'float32' }]);
  const tr = descriptor.training!;
  t.equal(tr.codeVersion, CODE_VERSION);
  t.same(tr.metrics, metrics);
  t.ok(tr.metrics.auc! > 0.85, `held-out AUC ${tr.metrics.auc}`);
  t.ok(tr.dataWindow.fromMs < tr.dataWindow.toMs);
  t.equal(tr.trainedAt, tr.dataWindow.toMs, 'deterministic default: end of the training window');
  t.equal(tr.featureSchema[0], `tfidf-vocab-sha256:${vectorizer.vocabHash()}`);
  t.match(tr.featureSchema[1]!, /ngram=1\.\.3, vocab=1000, sublinear_tf=true/);
  checkFeatureSchema(descriptor, vectorizer);
  checkFeatureSchema(descriptor, TfidfVectorizer.fromJSON(JSON.stringify(vectorizer.toJSON())));
  const other = trainModerationModel({ seed: 4, trainSize: 500, testSize: 200 }).vectorizer;
  t.throws(() => checkFeatureSchema(descriptor, other), /trained on features/);
  t.same(decodeDescriptorJson(encodeDescriptorJson(descriptor)), descriptor, 'JSON codec round trip');
  const proto = onnxProto.onnx.ModelProto.decode(descriptor.data!);
  t.same(
    proto.metadataProps.map((p) => p.key),
    ['featureSchema', TFIDF_METADATA_KEY],
  );
  t.equal(proto.metadataProps[0]!.value, tr.featureSchema[0], 'the ONNX file carries the vocabulary hash too');
});

t.test('onnxruntime (OnnxModel) agrees with the JS prediction within 1e-5', async (t) => {
  const m = await OnnxModel.load(descriptor);
  t.teardown(() => m.dispose());
  const out = await m.scoreBatch(batch, comments.length, W);
  t.equal(out.length, comments.length);
  let maxDiff = 0;
  out.forEach((s, i) => (maxDiff = Math.max(maxDiff, Math.abs(s - jsScores[i]!))));
  t.ok(maxDiff < 1e-5, `max |onnx − js| = ${maxDiff.toExponential(2)}`);
  const spread = Math.max(...jsScores) - Math.min(...jsScores);
  t.ok(spread > 0.5, `scores are spread (${spread.toFixed(3)}), not a constant`);
});

t.test('raw onnxruntime-node through the default registry, one row at a time and as a batch', async (t) => {
  const served = await defaultModelRegistry().create(descriptor);
  t.teardown(() => served.dispose());
  for (const i of [0, 1, 2, 50, 299]) {
    const row = vectorizer.transform(comments[i]!.body);
    const [s] = await served.scoreBatch(row, 1, W);
    t.ok(Math.abs(s! - jsScores[i]!) < 1e-5, `row ${i}: ${s} vs ${jsScores[i]}`);
  }
  const session = await ort.InferenceSession.create(descriptor.data!);
  t.teardown(() => session.release());
  const res = await session.run({ features: new ort.Tensor('float32', batch, [comments.length, W]) });
  t.same(res.score!.dims, [comments.length, 1]);
  const data = res.score!.data as Float32Array;
  t.ok(jsScores.every((s, i) => Math.abs(s - data[i]!) < 1e-5));
});

t.test('the model carries its vectorizer: rebuilt from the descriptor alone, it gives the same rows', async (t) => {
  const back = vectorizerFromDescriptor(descriptor);
  t.equal(back.vocabHash(), vectorizer.vocabHash());
  for (const c of comments.slice(0, 20))
    t.same(Array.from(back.transform(c.body)), Array.from(vectorizer.transform(c.body)));
  const stripped = { ...descriptor, data: buildLogisticRegressionModel({ width: W }) };
  t.throws(() => vectorizerFromDescriptor(stripped), /no sluice.tfidfVectorizer/);
});

t.test('Arrow feature batch (FeatureBatchBuilder + commentFeatureExtractor) scores like the JS model', async (t) => {
  const builder = new FeatureBatchBuilder<Comment>(W, 64, commentFeatureExtractor(vectorizer));
  comments.slice(0, 50).forEach((c) => builder.append(c, c.id, c.createdUtcMs));
  const arrowBatch = builder.build();
  t.equal(arrowBatch.numRows, 50);
  const m = await OnnxModel.load(descriptor);
  t.teardown(() => m.dispose());
  const out = await m.scoreBatch(featureValues(arrowBatch), 50, W);
  t.ok(Array.from(out).every((s, i) => Math.abs(s - jsScores[i]!) < 1e-5));
});

t.test('same seed → byte-identical model and identical descriptor; another seed → another model', async (t) => {
  const a = trainModerationModel({ seed: 8, trainSize: 1500, testSize: 300 });
  const b = trainModerationModel({ seed: 8, trainSize: 1500, testSize: 300 });
  t.ok(Buffer.from(a.descriptor.data!).equals(Buffer.from(b.descriptor.data!)), 'byte-identical ONNX');
  t.equal(a.descriptor.sha256, b.descriptor.sha256);
  t.equal(encodeDescriptorJson(a.descriptor), encodeDescriptorJson(b.descriptor), 'identical descriptor JSON');
  t.equal(JSON.stringify(a.vectorizer.toJSON()), JSON.stringify(b.vectorizer.toJSON()));
  // Every process of a job rebuilds the graph (and so trains) on its own: another Node process must agree.
  // The job in this file's own form: the .ts source through tsx, or the unit tier's compiled build (dist/unit).
  const fromSources = import.meta.url.endsWith('.ts');
  const index = fileURLToPath(
    new URL(`../../../jobs/reddit-moderation/index.${fromSources ? 'ts' : 'js'}`, import.meta.url),
  );
  const script = `const m = await import(${JSON.stringify(index)}); console.log(m.trainModerationModel({ seed: 8, trainSize: 1500, testSize: 300 }).descriptor.sha256)`;
  const loader = fromSources ? ['--import', 'tsx'] : [];
  const childSha = execFileSync(process.execPath, [...loader, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  }).trim();
  t.equal(childSha, a.descriptor.sha256, 'same sha256 in a separate process');
  const c = trainModerationModel({ seed: 9, trainSize: 1500, testSize: 300 });
  t.not(c.descriptor.sha256, a.descriptor.sha256);
  const named = trainModerationModel({
    seed: 8,
    trainSize: 1500,
    testSize: 300,
    version: 'v1',
    validFrom: 42,
    trainedAt: 7,
  });
  t.equal(named.descriptor.sha256, a.descriptor.sha256, 'descriptor fields do not change the model bytes');
  t.equal(named.descriptor.version, 'v1');
  t.equal(named.descriptor.validFrom, 42);
  t.equal(named.descriptor.training!.trainedAt, 7);
});
