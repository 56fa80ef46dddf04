/**
 * ONNX export of the trained wine networks and their descriptors. Responsibility: encode a DenseNet as
 * Gemm (+Relu) layers with a Sigmoid output — input `features` float32 [N, 11] → output `score` [N, 1] —
 * optionally followed, after the last hidden layer, by a chain of `slow.depth` identity layers of width
 * `slow.hidden` (MatMul with an identity block + Relu): they leave every output bit-identical (Relu of
 * non-negative activations times an identity block is the activation itself) and cost depth·hidden² per
 * row, which makes the best model deliberately slow, like `buildSlowModel` but with trained weights.
 * Invariant: the bytes are a pure function of the weights and options (no timestamps), so every process
 * building the job graph gets the same model and sha256.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { descriptorFromBytes, type ModelDescriptor } from 'sluice/ml';
import { floatTensor, valueInfo } from 'sluice/ml';
import type { DenseNet, Metrics } from './train.js';
import { FEATURE_NAMES } from './wine.js';

const onnx = onnxProto.onnx;
export const CODE_VERSION = 'sluice/jobs/speculative-wine@1';

export function exportDenseOnnx(net: DenseNet, slow?: { depth: number; hidden: number }): Uint8Array {
  const nodes: OnnxTypes.INodeProto[] = [];
  const init: OnnxTypes.ITensorProto[] = [];
  const L = net.W.length;
  let current = 'features';
  for (let l = 0; l < L; l++) {
    const inW = net.layers[l]!;
    const outW = net.layers[l + 1]!;
    const last = l === L - 1;
    if (last && slow && L > 1) current = identityChain(nodes, init, current, inW, slow);
    init.push(floatTensor(`W${l}`, [inW, outW], net.W[l]!), floatTensor(`B${l}`, [outW], net.B[l]!));
    nodes.push({ opType: 'Gemm', input: [current, `W${l}`, `B${l}`], output: [`gemm${l}`], name: `gemm${l}` });
    current = `gemm${l}`;
    if (!last) {
      nodes.push({ opType: 'Relu', input: [current], output: [`relu${l}`], name: `relu${l}` });
      current = `relu${l}`;
    }
  }
  nodes.push({ opType: 'Sigmoid', input: [current], output: ['score'], name: 'sigmoid' });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'sluice-speculative-wine',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'wine',
      node: nodes,
      initializer: init,
      input: [valueInfo('features', ['batch', FEATURE_NAMES.length])],
      output: [valueInfo('score', ['batch', 1])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** width → hidden (identity block), depth−1 × hidden → hidden (identity), hidden → width (identity block). */
function identityChain(
  nodes: OnnxTypes.INodeProto[],
  init: OnnxTypes.ITensorProto[],
  input: string,
  width: number,
  slow: { depth: number; hidden: number },
): string {
  const h = Math.max(slow.hidden, width);
  const eye = (rows: number, cols: number) => {
    const m = new Float32Array(rows * cols);
    for (let i = 0; i < Math.min(rows, cols); i++) m[i * cols + i] = 1;
    return m;
  };
  init.push(
    floatTensor('slow_in', [width, h], eye(width, h)),
    floatTensor('slow_hh', [h, h], eye(h, h)),
    floatTensor('slow_out', [h, width], eye(h, width)),
  );
  let cur = input;
  const step = (weight: string, i: number) => {
    nodes.push({ opType: 'MatMul', input: [cur, weight], output: [`slow_mm${i}`], name: `slow_mm${i}` });
    nodes.push({ opType: 'Relu', input: [`slow_mm${i}`], output: [`slow_relu${i}`], name: `slow_relu${i}` });
    cur = `slow_relu${i}`;
  };
  step('slow_in', 0);
  for (let i = 1; i < slow.depth; i++) step('slow_hh', i);
  step('slow_out', slow.depth);
  return cur;
}

export function wineDescriptor(
  name: string,
  version: string,
  bytes: Uint8Array,
  metrics: Metrics,
  dataWindow: { fromMs: number; toMs: number },
  description: string,
): ModelDescriptor {
  return descriptorFromBytes(
    {
      name,
      version,
      description,
      dataType: 'wine',
      modelType: 'ONNX',
      inputSchema: [{ name: 'features', shape: [-1, FEATURE_NAMES.length] }],
      outputSchema: [{ name: 'score', shape: [-1, 1] }],
      training: {
        trainedAt: dataWindow.toMs,
        dataWindow,
        metrics,
        featureSchema: FEATURE_NAMES.map((f) => `standardised ${f}`),
        codeVersion: CODE_VERSION,
      },
    },
    bytes,
  );
}
