/**
 * ONNX export of trained wide & deep weights, built by hand with onnx-proto (opset 13). The graph takes ONE
 * float32 input `features` [N, FEATURE_WIDTH] (features.ts layout) and returns `score` [N, 1], the predicted
 * duration in SECONDS:
 *   wide  = t0 + t1 + … + t5, left to right, where t0..t5 = Split(Gather(wide_w[WIDE_VOCAB],
 *           Cast<int64>(Slice(features, cols 0..6))), axis 1) — the linear part as a Gather over the sparse
 *           indices (no dense one-hot matrix), summed by elementwise Adds: the last bits of onnxruntime's
 *           CPU ReduceSum over axis 1 depend on the batch's row count and the row's place in it (measured:
 *           a quarter of the rows' sums, about one score in 200), so a row's score would depend on the
 *           batch it happens to be scored in
 *   emb   = Reshape(Gather(embedding[DEEP_VOCAB, d], Cast<int64>(Slice(cols 6..11))), [-1, 5·d])
 *   h     = Concat(emb, Slice(cols 11..13)) → (MatMul + Add + Relu)* → MatMul + Add
 *   score = Exp(h + wide)
 * Invariants: same weights → byte-identical model (initializers are raw little-endian bytes, fixed node
 * order); the graph computes model.ts's function followed by exp; every operation is row-local with a fixed
 * order of additions, so a row's score is bit-identical whatever batch it is scored in (a replay whose
 * batches are cut differently gives the same scores).
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import {
  DEEP_COUNT,
  DEEP_START,
  DENSE_COUNT,
  DENSE_START,
  FEATURE_WIDTH,
  WIDE_COUNT,
  WIDE_START,
  WIDE_VOCAB,
  DEEP_VOCAB,
} from './features.js';
import type { WideDeepWeights } from './model.js';

const onnx = onnxProto.onnx;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;

export const ONNX_INPUT = 'features';
export const ONNX_OUTPUT = 'score';

function valueInfo(name: string, dims: (number | string)[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTypes.ITensorProto {
  const copy = Float32Array.from(values);
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(copy.buffer) };
}

function int64Tensor(name: string, values: number[]): OnnxTypes.ITensorProto {
  const b = BigInt64Array.from(values.map((v) => BigInt(v)));
  return { name, dims: [values.length], dataType: INT64, rawData: new Uint8Array(b.buffer) };
}

function attrInt(name: string, i: number): OnnxTypes.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i };
}

export function buildTaxiOnnx(w: WideDeepWeights): Uint8Array {
  const d = w.config.embeddingDim;
  if (w.wide.length !== WIDE_VOCAB || w.embedding.length !== DEEP_VOCAB * d)
    throw new RangeError('weights do not match the feature layout');
  const init: OnnxTypes.ITensorProto[] = [
    floatTensor('wide_w', [WIDE_VOCAB], w.wide),
    floatTensor('embedding', [DEEP_VOCAB, d], w.embedding),
    int64Tensor('axis1', [1]),
    int64Tensor('wide_begin', [WIDE_START]),
    int64Tensor('wide_end', [WIDE_START + WIDE_COUNT]),
    int64Tensor('deep_begin', [DEEP_START]),
    int64Tensor('deep_end', [DEEP_START + DEEP_COUNT]),
    int64Tensor('dense_begin', [DENSE_START]),
    int64Tensor('dense_end', [DENSE_START + DENSE_COUNT]),
    int64Tensor('emb_shape', [-1, DEEP_COUNT * d]),
  ];
  const node: OnnxTypes.INodeProto[] = [
    {
      opType: 'Slice',
      input: [ONNX_INPUT, 'wide_begin', 'wide_end', 'axis1'],
      output: ['wide_idx_f'],
      name: 'slice_wide',
    },
    {
      opType: 'Cast',
      input: ['wide_idx_f'],
      output: ['wide_idx'],
      name: 'cast_wide',
      attribute: [attrInt('to', INT64)],
    },
    {
      opType: 'Gather',
      input: ['wide_w', 'wide_idx'],
      output: ['wide_terms'],
      name: 'gather_wide',
      attribute: [attrInt('axis', 0)],
    },
    {
      opType: 'Split',
      input: ['wide_terms'],
      output: Array.from({ length: WIDE_COUNT }, (_, i) => `wide_t${i}`),
      name: 'split_wide',
      attribute: [attrInt('axis', 1)],
    },
    ...Array.from({ length: WIDE_COUNT - 1 }, (_, i) => ({
      opType: 'Add',
      input: [i === 0 ? 'wide_t0' : `wide_s${i}`, `wide_t${i + 1}`],
      output: [i === WIDE_COUNT - 2 ? 'wide' : `wide_s${i + 1}`],
      name: `sum_wide${i + 1}`,
    })),
    {
      opType: 'Slice',
      input: [ONNX_INPUT, 'deep_begin', 'deep_end', 'axis1'],
      output: ['deep_ids_f'],
      name: 'slice_deep',
    },
    {
      opType: 'Cast',
      input: ['deep_ids_f'],
      output: ['deep_ids'],
      name: 'cast_deep',
      attribute: [attrInt('to', INT64)],
    },
    {
      opType: 'Gather',
      input: ['embedding', 'deep_ids'],
      output: ['emb3'],
      name: 'gather_emb',
      attribute: [attrInt('axis', 0)],
    },
    { opType: 'Reshape', input: ['emb3', 'emb_shape'], output: ['emb'], name: 'flatten_emb' },
    {
      opType: 'Slice',
      input: [ONNX_INPUT, 'dense_begin', 'dense_end', 'axis1'],
      output: ['dense'],
      name: 'slice_dense',
    },
    { opType: 'Concat', input: ['emb', 'dense'], output: ['h_in'], name: 'concat', attribute: [attrInt('axis', 1)] },
  ];
  let h = 'h_in';
  w.layers.forEach((L, l) => {
    init.push(floatTensor(`W${l}`, [L.inDim, L.outDim], L.kernel), floatTensor(`B${l}`, [L.outDim], L.bias));
    node.push({ opType: 'MatMul', input: [h, `W${l}`], output: [`mm${l}`], name: `matmul${l}` });
    node.push({ opType: 'Add', input: [`mm${l}`, `B${l}`], output: [`lin${l}`], name: `bias${l}` });
    h = `lin${l}`;
    if (l < w.layers.length - 1) {
      node.push({ opType: 'Relu', input: [h], output: [`relu${l}`], name: `relu${l}` });
      h = `relu${l}`;
    }
  });
  node.push({ opType: 'Add', input: [h, 'wide'], output: ['log_duration'], name: 'wide_plus_deep' });
  node.push({ opType: 'Exp', input: ['log_duration'], output: [ONNX_OUTPUT], name: 'seconds' });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'sluice-jobs-taxi',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'taxi_wide_deep',
      node,
      initializer: init,
      input: [valueInfo(ONNX_INPUT, ['batch', FEATURE_WIDTH])],
      output: [valueInfo(ONNX_OUTPUT, ['batch', 1])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
