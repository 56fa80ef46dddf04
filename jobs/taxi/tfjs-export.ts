/**
 * TensorFlow.js export of trained wide & deep weights as a GRAPH model built by hand: a GraphDef in the JSON
 * form tensorflowjs_converter writes (`modelTopology`), whose Const nodes get their values from
 * `weightSpecs` + `weightData` by name, packed with operators/ml/tf-artifacts.ts. It mirrors onnx-export.ts
 * node for node (Slice, Cast, GatherV2, Sum, Reshape, ConcatV2, MatMul, AddV2, Relu, Exp), so the artifact
 * has the serving contract of the ONNX model — one float32 input `features` [N, FEATURE_WIDTH], one output
 * `score` [N, 1] in seconds — and TfModel (tf.loadGraphModel) scores the same batches. A layers model is not
 * used because the layers API has no exp activation and no column slicing of a single input.
 * Invariants: same weights → byte-identical artifact; weightData is the float32/int32 values in weightSpecs
 * order, little-endian.
 */
import type { io } from '@tensorflow/tfjs';
import { encodeTfArtifacts } from 'sluice/ml';
import {
  DEEP_COUNT,
  DEEP_START,
  DEEP_VOCAB,
  DENSE_COUNT,
  DENSE_START,
  FEATURE_WIDTH,
  WIDE_COUNT,
  WIDE_START,
  WIDE_VOCAB,
} from './features.js';
import type { WideDeepWeights } from './model.js';

export const TFJS_INPUT = 'features';
export const TFJS_OUTPUT = 'score';

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

const DT_FLOAT = { type: 'DT_FLOAT' };
const DT_INT32 = { type: 'DT_INT32' };

export function buildTaxiTfjsArtifacts(w: WideDeepWeights): io.ModelArtifacts {
  const d = w.config.embeddingDim;
  if (w.wide.length !== WIDE_VOCAB || w.embedding.length !== DEEP_VOCAB * d)
    throw new RangeError('weights do not match the feature layout');
  const nodes: GraphNode[] = [];
  const specs: io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  const constant = (name: string, shape: number[], values: Float32Array | Int32Array) => {
    const dtype = values instanceof Float32Array ? 'float32' : 'int32';
    const dt = dtype === 'float32' ? DT_FLOAT : DT_INT32;
    nodes.push({
      name,
      op: 'Const',
      attr: {
        dtype: dt,
        value: { tensor: { dtype: dt.type, tensorShape: { dim: shape.map((s) => ({ size: String(s) })) } } },
      },
    });
    specs.push({ name, shape, dtype });
    const copy = values instanceof Float32Array ? Float32Array.from(values) : Int32Array.from(values);
    chunks.push(new Uint8Array(copy.buffer));
    return name;
  };
  const op = (name: string, opName: string, input: string[], attr: Record<string, unknown> = {}) => {
    nodes.push({ name, op: opName, input, attr });
    return name;
  };
  const i32 = (...v: number[]) => Int32Array.from(v);

  nodes.push({
    name: TFJS_INPUT,
    op: 'Placeholder',
    attr: { dtype: DT_FLOAT, shape: { shape: { dim: [{ size: '-1' }, { size: String(FEATURE_WIDTH) }] } } },
  });
  const wideW = constant('wide_w', [WIDE_VOCAB], w.wide);
  const embedding = constant('embedding', [DEEP_VOCAB, d], w.embedding);
  const axis0 = constant('axis0', [], i32(0));
  const axis1 = constant('axis1', [], i32(1));
  const sumAxis = constant('sum_axis', [1], i32(1));
  const columns = (name: string, start: number, count: number) =>
    op(name, 'Slice', [
      TFJS_INPUT,
      constant(`${name}/begin`, [2], i32(0, start)),
      constant(`${name}/size`, [2], i32(-1, count)),
    ]);

  const wideIdx = op('wide_idx', 'Cast', [columns('slice_wide', WIDE_START, WIDE_COUNT)], {
    SrcT: DT_FLOAT,
    DstT: DT_INT32,
  });
  const wideTerms = op('gather_wide', 'GatherV2', [wideW, wideIdx, axis0], { batch_dims: { i: '0' } });
  const wide = op('sum_wide', 'Sum', [wideTerms, sumAxis], { keep_dims: { b: true } });
  const deepIds = op('deep_ids', 'Cast', [columns('slice_deep', DEEP_START, DEEP_COUNT)], {
    SrcT: DT_FLOAT,
    DstT: DT_INT32,
  });
  const emb3 = op('gather_emb', 'GatherV2', [embedding, deepIds, axis0], { batch_dims: { i: '0' } });
  const emb = op('flatten_emb', 'Reshape', [emb3, constant('emb_shape', [2], i32(-1, DEEP_COUNT * d))]);
  const dense = columns('slice_dense', DENSE_START, DENSE_COUNT);
  let h = op('concat', 'ConcatV2', [emb, dense, axis1], { N: { i: '2' } });
  w.layers.forEach((L, l) => {
    const mm = op(`matmul${l}`, 'MatMul', [h, constant(`W${l}`, [L.inDim, L.outDim], L.kernel)], {
      transpose_a: { b: false },
      transpose_b: { b: false },
    });
    h = op(`bias${l}`, 'AddV2', [mm, constant(`B${l}`, [L.outDim], L.bias)]);
    if (l < w.layers.length - 1) h = op(`relu${l}`, 'Relu', [h]);
  });
  const logDuration = op('wide_plus_deep', 'AddV2', [h, wide]);
  op(TFJS_OUTPUT, 'Exp', [logDuration]);

  const total = chunks.reduce((a, c) => a + c.byteLength, 0);
  const weightData = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    weightData.set(c, at);
    at += c.byteLength;
  }
  return {
    format: 'graph-model',
    generatedBy: 'sluice-jobs-taxi',
    convertedBy: null,
    modelTopology: { node: nodes, library: {}, versions: { producer: 1 } },
    weightSpecs: specs,
    weightData: weightData.buffer,
  };
}

/** The artifact as descriptor bytes (tf-artifacts.ts msgpack bundle). */
export function buildTaxiTfjs(w: WideDeepWeights): Uint8Array {
  return encodeTfArtifacts(buildTaxiTfjsArtifacts(w));
}
