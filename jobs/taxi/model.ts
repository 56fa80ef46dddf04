/**
 * The wide & deep taxi model in TensorFlow.js, as plain variables (no layers API):
 *   wide  = Σ_g w[wideIndex_g]                      (linear model over the sparse one-hot groups)
 *   deep  = MLP(concat(E[deepId_1..5]·flatten, dense))  (shared embedding table E, ReLU hidden layers)
 *   logDurationSec = wide + deep                    (the deep part's last bias carries the intercept)
 * Two equivalent forward paths: `trainForward` expresses the lookups as one-hot/multi-hot matrix products,
 * because the wasm backend has no UnsortedSegmentSum kernel (the gradient of gather); `predictLog` uses
 * gather (inference only). Weights are initialised from `seededRandom` (Glorot-uniform dense layers,
 * uniform ±0.05 embeddings, zero wide weights), never from TF.js's own RNG.
 * Invariants: both paths compute the same function; `snapshot()` returns plain Float32Array copies in the
 * layout the exporters read; dispose() frees every variable.
 */
import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import type { Tf } from 'sluice/ml';
import { seededRandom } from 'sluice/platform';
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

export interface WideDeepConfig {
  embeddingDim: number;
  hidden: number[];
}

export const DEFAULT_CONFIG: WideDeepConfig = { embeddingDim: 8, hidden: [32, 16] };

export interface DenseLayerWeights {
  inDim: number;
  outDim: number;
  /** Row-major [inDim, outDim]. */
  kernel: Float32Array;
  bias: Float32Array;
}

/** Trained weights as plain arrays: what the ONNX and TF.js exporters read. */
export interface WideDeepWeights {
  config: WideDeepConfig;
  /** [WIDE_VOCAB] linear weights of the one-hot space. */
  wide: Float32Array;
  /** Row-major [DEEP_VOCAB, embeddingDim]. */
  embedding: Float32Array;
  /** Hidden layers (ReLU) then the output layer (linear, outDim 1). */
  layers: DenseLayerWeights[];
}

export function deepInputWidth(c: WideDeepConfig): number {
  return DEEP_COUNT * c.embeddingDim + DENSE_COUNT;
}

export class WideDeepModel {
  readonly variables: Variable[];
  private readonly wide: Variable;
  private readonly embedding: Variable;
  private readonly kernels: Variable[] = [];
  private readonly biases: Variable[] = [];

  constructor(
    private readonly tf: Tf,
    readonly config: WideDeepConfig,
    seed: number,
    /** Initial output bias (the mean log duration makes training start at the right scale). */
    initialBias: number,
  ) {
    const rnd = seededRandom(seed);
    const uniform = (n: number, scale: number) => {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = (rnd() * 2 - 1) * scale;
      return a;
    };
    // tidy disposes the initial-value tensor and keeps the variable
    const variable = (init: () => Tensor, name: string) => tf.tidy(() => tf.variable(init(), true, name));
    this.wide = variable(() => tf.zeros([WIDE_VOCAB, 1]), 'wide');
    const emb = uniform(DEEP_VOCAB * config.embeddingDim, 0.05);
    this.embedding = variable(() => tf.tensor2d(emb, [DEEP_VOCAB, config.embeddingDim]), 'embedding');
    const dims = [deepInputWidth(config), ...config.hidden, 1];
    for (let l = 0; l < dims.length - 1; l++) {
      const fanIn = dims[l]!;
      const fanOut = dims[l + 1]!;
      const k = uniform(fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut)));
      this.kernels.push(variable(() => tf.tensor2d(k, [fanIn, fanOut]), `dense${l}/kernel`));
      const b = new Float32Array(fanOut);
      if (l === dims.length - 2) b[0] = initialBias;
      this.biases.push(variable(() => tf.tensor1d(b), `dense${l}/bias`));
    }
    this.variables = [this.wide, this.embedding, ...this.kernels, ...this.biases];
  }

  private mlp(x: Tensor2D): Tensor2D {
    const tf = this.tf;
    let h = x;
    for (let l = 0; l < this.kernels.length; l++) {
      h = tf.add(tf.matMul(h, this.kernels[l]!), this.biases[l]!);
      if (l < this.kernels.length - 1) h = tf.relu(h);
    }
    return h;
  }

  /**
   * Differentiable forward pass: `wideMultiHot` [B, WIDE_VOCAB] (1 at each wide index), `deepIds` int32
   * [B·DEEP_COUNT], `dense` [B, DENSE_COUNT] → log duration [B, 1]. Call inside tf.tidy / optimizer.minimize.
   */
  trainForward(wideMultiHot: Tensor2D, deepIds: Tensor, dense: Tensor2D): Tensor2D {
    const tf = this.tf;
    const rows = dense.shape[0];
    const wide = tf.matMul(wideMultiHot, this.wide);
    const oneHot = tf.oneHot(deepIds, DEEP_VOCAB).toFloat() as Tensor2D;
    const emb = tf.matMul(oneHot, this.embedding).reshape([rows, DEEP_COUNT * this.config.embeddingDim]) as Tensor2D;
    return tf.add(wide, this.mlp(tf.concat([emb, dense], 1))) as Tensor2D;
  }

  /** Inference on flat feature rows (features.ts layout) with gather lookups → log duration per row. */
  predictLog(features: Float32Array, rows: number): Float32Array {
    const tf = this.tf;
    return tf
      .tidy(() => {
        const x = tf.tensor2d(features.subarray(0, rows * FEATURE_WIDTH), [rows, FEATURE_WIDTH]);
        const wideIdx = tf.slice(x, [0, WIDE_START], [rows, WIDE_COUNT]).toInt();
        const deepIds = tf.slice(x, [0, DEEP_START], [rows, DEEP_COUNT]).toInt();
        const dense = tf.slice(x, [0, DENSE_START], [rows, DENSE_COUNT]) as Tensor2D;
        const wide = tf.sum(tf.gather(this.wide.reshape([WIDE_VOCAB]), wideIdx), 1, true) as Tensor2D;
        const emb = tf
          .gather(this.embedding, deepIds)
          .reshape([rows, DEEP_COUNT * this.config.embeddingDim]) as Tensor2D;
        return tf.add(wide, this.mlp(tf.concat([emb, dense], 1))).dataSync() as Float32Array;
      })
      .slice();
  }

  snapshot(): WideDeepWeights {
    const copy = (v: Variable) => Float32Array.from(v.dataSync() as Float32Array);
    return {
      config: { embeddingDim: this.config.embeddingDim, hidden: [...this.config.hidden] },
      wide: copy(this.wide),
      embedding: copy(this.embedding),
      layers: this.kernels.map((k, l) => ({
        inDim: k.shape[0]!,
        outDim: k.shape[1]!,
        kernel: copy(k),
        bias: copy(this.biases[l]!),
      })),
    };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/** The model's function evaluated in plain JS from a weight snapshot (reference for export checks). */
export function predictLogFromWeights(w: WideDeepWeights, features: Float32Array, row: number): number {
  const o = row * FEATURE_WIDTH;
  const d = w.config.embeddingDim;
  let wide = 0;
  for (let i = 0; i < WIDE_COUNT; i++) wide += w.wide[features[o + WIDE_START + i]!]!;
  let h: number[] = [];
  for (let i = 0; i < DEEP_COUNT; i++) {
    const id = features[o + DEEP_START + i]!;
    for (let j = 0; j < d; j++) h.push(w.embedding[id * d + j]!);
  }
  for (let i = 0; i < DENSE_COUNT; i++) h.push(features[o + DENSE_START + i]!);
  w.layers.forEach((L, l) => {
    const next = Array.from(L.bias);
    for (let i = 0; i < L.inDim; i++)
      for (let j = 0; j < L.outDim; j++) next[j]! += h[i]! * L.kernel[i * L.outDim + j]!;
    h = l < w.layers.length - 1 ? next.map((v) => Math.max(0, v)) : next;
  });
  return wide + h[0]!;
}
