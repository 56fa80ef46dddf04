/**
 * ONNX export of the moderation model and its `ModelDescriptor`. Responsibility: encode the trained logistic
 * regression as an ONNX graph — input `features` float32 [N, vocab] → Gemm(W [vocab, 1], B [1]) → Sigmoid →
 * output `score` float32 [N, 1] — and wrap it with training metadata for the model stream.
 *
 * Invariants: the bytes are a pure function of (weights, bias, vocabulary hash): no timestamps, fixed
 * producer fields, so the same seed gives a byte-identical model (and the same sha256); the ONNX
 * `metadata_props` and the descriptor's `training.featureSchema` both carry the vocabulary hash, so a
 * serving job can refuse a vectorizer that does not match (`checkFeatureSchema`); the ONNX metadata also
 * carries the vectorizer itself (`vectorizerFromDescriptor`), so a model version is self-contained, as the
 * seed's pickled vectorizer + model pair; `trainedAt` defaults to
 * the end of the training data window (deterministic, so every process building the job graph gets the
 * same descriptor) unless the caller passes a clock value.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { descriptorFromBytes, type ModelDescriptor } from 'sluice/ml';
import { floatTensor, valueInfo } from 'sluice/ml';
import type { LogisticModel } from './logistic-regression.js';
import { TfidfVectorizer } from './text-features.js';

const onnx = onnxProto.onnx;

export const MODEL_NAME = 'reddit-moderation';
export const INPUT_NAME = 'features';
export const OUTPUT_NAME = 'score';
/** Bumped when the features or the model code change meaning. */
export const CODE_VERSION = 'sluice/jobs/reddit-moderation@1';
const FEATURE_SCHEMA_PREFIX = 'tfidf-vocab-sha256:';
/** ONNX metadata key holding the vectorizer JSON, so a model version carries its own features. */
export const TFIDF_METADATA_KEY = 'sluice.tfidfVectorizer';

/** `training.featureSchema` for a vectorizer: the vocabulary hash, then a human-readable description. */
export function featureSchemaOf(vectorizer: TfidfVectorizer): string[] {
  const [lo, hi] = vectorizer.ngramRange;
  return [
    `${FEATURE_SCHEMA_PREFIX}${vectorizer.vocabHash()}`,
    `tfidf(ngram=${lo}..${hi}, vocab=${vectorizer.vocabSize}, sublinear_tf=${vectorizer.sublinearTf}, smooth_idf=${vectorizer.smoothIdf}, norm=${vectorizer.norm ?? 'none'})`,
  ];
}

/** Throws unless the descriptor was trained on this vectorizer's features (same vocabulary hash and width). */
export function checkFeatureSchema(descriptor: ModelDescriptor, vectorizer: TfidfVectorizer): void {
  const declared = descriptor.training?.featureSchema.find((s) => s.startsWith(FEATURE_SCHEMA_PREFIX));
  const expected = `${FEATURE_SCHEMA_PREFIX}${vectorizer.vocabHash()}`;
  if (declared !== expected) {
    throw new Error(
      `model ${descriptor.name}@${descriptor.version} was trained on features ${declared ?? '(undeclared)'}, the vectorizer has ${expected}`,
    );
  }
  const width = descriptor.inputSchema[0]?.shape[1];
  if (width !== vectorizer.vocabSize)
    throw new Error(`model input width ${width} != vocabulary size ${vectorizer.vocabSize}`);
}

/**
 * The vectorizer a model was trained with, read back from its ONNX metadata (a new model version on the
 * model stream brings its own vocabulary); checked against the descriptor's feature schema.
 */
export function vectorizerFromDescriptor(descriptor: ModelDescriptor): TfidfVectorizer {
  if (!descriptor.data) throw new Error(`model ${descriptor.name}@${descriptor.version}: no bytes`);
  const proto = onnx.ModelProto.decode(descriptor.data);
  const entry = proto.metadataProps.find((p) => p.key === TFIDF_METADATA_KEY);
  if (!entry?.value)
    throw new Error(`model ${descriptor.name}@${descriptor.version}: no ${TFIDF_METADATA_KEY} in the ONNX metadata`);
  const vectorizer = TfidfVectorizer.fromJSON(entry.value);
  checkFeatureSchema(descriptor, vectorizer);
  return vectorizer;
}

/** The ONNX bytes of sigmoid(features · W + b), with the vectorizer JSON and its hash in the metadata. */
export function exportLogisticOnnx(model: LogisticModel, vectorizer: TfidfVectorizer): Uint8Array {
  const width = model.weights.length;
  if (width !== vectorizer.vocabSize)
    throw new Error(`model has ${width} weights, vocabulary has ${vectorizer.vocabSize} terms`);
  const graph: OnnxTypes.IGraphProto = {
    name: MODEL_NAME,
    node: [
      { opType: 'Gemm', input: [INPUT_NAME, 'W', 'B'], output: ['logit'], name: 'linear' },
      { opType: 'Sigmoid', input: ['logit'], output: [OUTPUT_NAME], name: 'sigmoid' },
    ],
    initializer: [floatTensor('W', [width, 1], model.weights), floatTensor('B', [1], Float32Array.of(model.bias))],
    input: [valueInfo(INPUT_NAME, ['batch', width])],
    output: [valueInfo(OUTPUT_NAME, ['batch', 1])],
  };
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'sluice-reddit-moderation',
    producerVersion: CODE_VERSION,
    opsetImport: [{ domain: '', version: 13 }],
    docString: 'P(comment removed by moderators) = sigmoid(tfidf(body) . W + b)',
    metadataProps: [
      { key: 'featureSchema', value: featureSchemaOf(vectorizer)[0]! },
      { key: TFIDF_METADATA_KEY, value: JSON.stringify(vectorizer.toJSON()) },
    ],
    graph,
  });
  return onnx.ModelProto.encode(proto).finish();
}

export interface DescriptorOptions {
  name?: string;
  /** Default: the first 12 hex characters of the model's sha256 (content-addressed). */
  version?: string;
  validFrom?: number;
  /** Default: `dataWindow.toMs` (deterministic); pass the clock to record the real training time. */
  trainedAt?: number;
  description?: string;
}

export interface TrainedModelParts {
  model: LogisticModel;
  vectorizer: TfidfVectorizer;
  dataWindow: { fromMs: number; toMs: number };
  metrics: Record<string, number>;
}

/** ONNX bytes wrapped as a validated ONNX `ModelDescriptor` with `training` metadata. */
export function moderationDescriptor(parts: TrainedModelParts, opts: DescriptorOptions = {}): ModelDescriptor {
  const bytes = exportLogisticOnnx(parts.model, parts.vectorizer);
  const width = parts.vectorizer.vocabSize;
  const provisional = descriptorFromBytes(
    {
      name: opts.name ?? MODEL_NAME,
      version: opts.version ?? 'pending',
      description:
        opts.description ??
        `logistic regression over TF-IDF (${width} terms, 1-3-grams) of reddit comment bodies; score = P(removed)`,
      dataType: 'reddit-comment',
      modelType: 'ONNX',
      inputSchema: [{ name: INPUT_NAME, shape: [-1, width], dtype: 'float32' }],
      outputSchema: [{ name: OUTPUT_NAME, shape: [-1, 1], dtype: 'float32' }],
      ...(opts.validFrom !== undefined ? { validFrom: opts.validFrom } : {}),
      training: {
        trainedAt: opts.trainedAt ?? parts.dataWindow.toMs,
        dataWindow: { ...parts.dataWindow },
        metrics: { ...parts.metrics },
        featureSchema: featureSchemaOf(parts.vectorizer),
        codeVersion: CODE_VERSION,
      },
    },
    bytes,
  );
  return opts.version !== undefined ? provisional : { ...provisional, version: provisional.sha256.slice(0, 12) };
}
