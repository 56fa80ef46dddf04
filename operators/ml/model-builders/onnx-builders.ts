/**
 * ONNX model builders (onnx-proto): small, seeded, deterministic models that tests and jobs use as real
 * onnxruntime inputs — an MLP (Gemm+Relu layers), a logistic regression, and a deliberately slow model
 * (many chained MatMuls). Every model has one float32 input `features` [batch, width] and one float32
 * output `score` [batch, outDim]. Invariant: same options → byte-identical model.
 */
import onnxProto from 'onnx-proto';
import { seededRandom } from '../../../runtime/platform/random.js';

import type { onnx as OnnxTypes } from 'onnx-proto';

const onnx = onnxProto.onnx;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export interface MlpOptions {
  /** Layer widths, input first, output last, e.g. [16, 64, 64, 1]. */
  layers: number[];
  seed?: number;
  /** Apply a Sigmoid to the output. */
  sigmoid?: boolean;
  inputName?: string;
  outputName?: string;
}

/** A float32 tensor's name, type and shape (a string dim is symbolic, e.g. 'batch'); shared by every ONNX exporter. */
export function valueInfo(name: string, dims: (number | string)[]): OnnxTypes.IValueInfoProto {
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

/** A float32 initializer with `values` as raw little-endian data (numbers other than Float32Array are converted). */
export function floatTensor(
  name: string,
  dims: number[],
  values: Float32Array | ArrayLike<number>,
): OnnxTypes.ITensorProto {
  const f = values instanceof Float32Array ? values : Float32Array.from(values);
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) };
}

function encodeModel(graph: OnnxTypes.IGraphProto): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'sluice-model-builders',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

function randomWeights(rnd: () => number, n: number, scale: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = (rnd() * 2 - 1) * scale;
  return w;
}

/** A multilayer perceptron: Gemm (+Relu between layers), optional Sigmoid at the end. */
export function buildMlpModel(opts: MlpOptions): Uint8Array {
  const { layers } = opts;
  if (layers.length < 2) throw new Error('an MLP needs at least input and output widths');
  const rnd = seededRandom(opts.seed ?? 1);
  const inputName = opts.inputName ?? 'features';
  const outputName = opts.outputName ?? 'score';
  const nodes: OnnxTypes.INodeProto[] = [];
  const initializer: OnnxTypes.ITensorProto[] = [];
  let current = inputName;
  for (let l = 0; l < layers.length - 1; l++) {
    const inW = layers[l]!;
    const outW = layers[l + 1]!;
    const last = l === layers.length - 2;
    initializer.push(floatTensor(`W${l}`, [inW, outW], randomWeights(rnd, inW * outW, 1 / Math.sqrt(inW))));
    initializer.push(floatTensor(`B${l}`, [outW], randomWeights(rnd, outW, 0.1)));
    const gemmOut = last && !opts.sigmoid ? outputName : `gemm${l}`;
    nodes.push({ opType: 'Gemm', input: [current, `W${l}`, `B${l}`], output: [gemmOut], name: `gemm${l}` });
    current = gemmOut;
    if (!last) {
      nodes.push({ opType: 'Relu', input: [current], output: [`relu${l}`], name: `relu${l}` });
      current = `relu${l}`;
    } else if (opts.sigmoid) {
      nodes.push({ opType: 'Sigmoid', input: [current], output: [outputName], name: 'sigmoid' });
    }
  }
  return encodeModel({
    name: 'mlp',
    node: nodes,
    initializer,
    input: [valueInfo(inputName, ['batch', layers[0]!])],
    output: [valueInfo(outputName, ['batch', layers[layers.length - 1]!])],
  });
}

/** Logistic regression: sigmoid(x·w + b), output [batch, 1]. */
export function buildLogisticRegressionModel(opts: { width: number; seed?: number }): Uint8Array {
  return buildMlpModel({ layers: [opts.width, 1], seed: opts.seed ?? 7, sigmoid: true });
}

/**
 * A deliberately slow model: `depth` chained [hidden×hidden] MatMuls (with Relu), for worker-pool and
 * deadline tests. Cost grows with depth·hidden²·batch.
 */
export function buildSlowModel(opts: { width: number; hidden?: number; depth?: number; seed?: number }): Uint8Array {
  const hidden = opts.hidden ?? 256;
  const depth = opts.depth ?? 64;
  const layers = [opts.width, ...new Array<number>(depth).fill(hidden), 1];
  return buildMlpModel({ layers, seed: opts.seed ?? 3, sigmoid: true });
}

/** Builds a model whose output is NaN for every input (x·NaN), to test bad-output rejection. */
export function buildNanModel(opts: { width: number }): Uint8Array {
  const w = new Float32Array(opts.width).fill(Number.NaN);
  return encodeModel({
    name: 'nan',
    node: [{ opType: 'MatMul', input: ['features', 'W'], output: ['score'], name: 'mm' }],
    initializer: [floatTensor('W', [opts.width, 1], w)],
    input: [valueInfo('features', ['batch', opts.width])],
    output: [valueInfo('score', ['batch', 1])],
  });
}
