/**
 * Training of the wine models in the project: a dense network (Relu hidden layers, sigmoid output) fitted
 * with mini-batch Adam on binary cross-entropy; `layers: [11, 1]` is logistic regression. Responsibility:
 * `trainDense` (seeded, deterministic: the same options give bit-identical weights in every process),
 * `predictDense` and `evaluate` (held-out accuracy and log-loss, the metrics the descriptors declare).
 * Weights are row-major [in, out] per layer, as ONNX Gemm takes them.
 */
import { seededRandom } from 'sluice/platform';

export interface DenseNet {
  layers: number[];
  W: Float64Array[];
  B: Float64Array[];
}

export interface TrainOptions {
  layers: number[];
  epochs: number;
  seed: number;
  batchSize?: number;
  learningRate?: number;
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** Forward pass of one row; returns every layer's activations (last = [p]). */
function forward(net: DenseNet, x: ArrayLike<number>): Float64Array[] {
  const acts: Float64Array[] = [Float64Array.from(x)];
  for (let l = 0; l < net.W.length; l++) {
    const inW = net.layers[l]!;
    const outW = net.layers[l + 1]!;
    const a = acts[l]!;
    const z = Float64Array.from(net.B[l]!);
    const W = net.W[l]!;
    for (let i = 0; i < inW; i++) {
      const ai = a[i]!;
      if (ai === 0) continue;
      for (let j = 0; j < outW; j++) z[j]! += ai * W[i * outW + j]!;
    }
    const last = l === net.W.length - 1;
    for (let j = 0; j < outW; j++) z[j] = last ? sigmoid(z[j]!) : Math.max(0, z[j]!);
    acts.push(z);
  }
  return acts;
}

export function predictDense(net: DenseNet, x: ArrayLike<number>): number {
  const acts = forward(net, x);
  return acts[acts.length - 1]![0]!;
}

export function trainDense(xs: Float64Array[], ys: number[], o: TrainOptions): DenseNet {
  const rnd = seededRandom(o.seed);
  const L = o.layers.length - 1;
  const net: DenseNet = { layers: o.layers, W: [], B: [] };
  for (let l = 0; l < L; l++) {
    const inW = o.layers[l]!;
    const outW = o.layers[l + 1]!;
    const scale = Math.sqrt(2 / inW);
    net.W.push(Float64Array.from({ length: inW * outW }, () => (rnd() * 2 - 1) * scale));
    net.B.push(new Float64Array(outW));
  }
  const params = [...net.W, ...net.B];
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  const grads = params.map((p) => new Float64Array(p.length));
  const bs = o.batchSize ?? 64;
  const lr = o.learningRate ?? 0.01;
  const order = xs.map((_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += bs) {
      for (const g of grads) g.fill(0);
      const end = Math.min(order.length, start + bs);
      for (let k = start; k < end; k++) {
        const idx = order[k]!;
        const acts = forward(net, xs[idx]!);
        let delta = Float64Array.of(acts[L]![0]! - ys[idx]!); // dLoss/dz of the sigmoid output under BCE
        for (let l = L - 1; l >= 0; l--) {
          const inW = o.layers[l]!;
          const outW = o.layers[l + 1]!;
          const a = acts[l]!;
          const gW = grads[l]!;
          const gB = grads[L + l]!;
          for (let j = 0; j < outW; j++) gB[j]! += delta[j]!;
          const prev = new Float64Array(inW);
          const W = net.W[l]!;
          for (let i = 0; i < inW; i++) {
            let s = 0;
            for (let j = 0; j < outW; j++) {
              gW[i * outW + j]! += a[i]! * delta[j]!;
              s += W[i * outW + j]! * delta[j]!;
            }
            prev[i] = l > 0 && a[i]! <= 0 ? 0 : s; // Relu derivative of the layer below
          }
          delta = prev;
        }
      }
      step++;
      const n = end - start;
      const c1 = 1 - 0.9 ** step;
      const c2 = 1 - 0.999 ** step;
      params.forEach((p, pi) => {
        const g = grads[pi]!;
        const mp = m[pi]!;
        const vp = v[pi]!;
        for (let q = 0; q < p.length; q++) {
          const gq = g[q]! / n;
          mp[q] = 0.9 * mp[q]! + 0.1 * gq;
          vp[q] = 0.999 * vp[q]! + 0.001 * gq * gq;
          p[q]! -= (lr * (mp[q]! / c1)) / (Math.sqrt(vp[q]! / c2) + 1e-8);
        }
      });
    }
  }
  return net;
}

export interface Metrics {
  accuracy: number;
  logLoss: number;
  [k: string]: number;
}

export function evaluate(net: DenseNet, xs: Float64Array[], ys: number[]): Metrics {
  let correct = 0;
  let loss = 0;
  xs.forEach((x, i) => {
    const p = Math.min(1 - 1e-7, Math.max(1e-7, predictDense(net, x)));
    if ((p >= 0.5 ? 1 : 0) === ys[i]) correct++;
    loss -= ys[i]! ? Math.log(p) : Math.log(1 - p);
  });
  return { accuracy: correct / xs.length, logLoss: loss / xs.length };
}
