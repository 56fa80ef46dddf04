/**
 * L2-regularised logistic regression trained with L-BFGS on sparse rows. Responsibility: fit weights w and
 * intercept b minimising scikit-learn's LogisticRegression(C) objective
 *     C · Σᵢ cᵢ · log(1 + exp(−ỹᵢ (xᵢ·w + b))) + ½‖w‖²      (ỹ ∈ {−1, +1}, intercept not penalised,
 *                                                         cᵢ = 1 or sklearn's 'balanced' class weights)
 * (scaled by 1 / (C·n) internally so tolerances do not depend on n), and predict sigmoid(x·w + b).
 *
 * Invariants: deterministic — no randomness, every sum runs in a fixed order, so the same rows and options
 * give bit-identical weights; the returned parameters are rounded to float32 once (the exported ONNX model
 * holds exactly these values, and JS prediction uses them); the line search only accepts steps that
 * satisfy the Armijo condition, so the loss never increases.
 */
import type { SparseRow } from './text-features.js';

export interface LogisticRegressionOptions {
  /** Inverse regularisation strength (sklearn's C, default 1). */
  C?: number;
  /** L-BFGS iterations (default 300). */
  maxIter?: number;
  /** Stop when the max-norm of the (scaled) gradient is below this (default 1e-8: coefficients within ~1e-5 of sklearn's). */
  tol?: number;
  /** L-BFGS memory (default 10). */
  history?: number;
  /** 'balanced' weighs class k by n / (2 · n_k), as sklearn's class_weight='balanced' (default: none). */
  classWeight?: 'balanced' | null;
}

export interface LogisticModel {
  weights: Float32Array;
  bias: number;
  iterations: number;
  converged: boolean;
  /** Final value of the scaled objective (mean weighted log loss + ‖w‖² / (2·C·n)). */
  loss: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + exp(z)) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Fits the model; `labels[i]` is 0 or 1 for `rows[i]`, every row has columns < width. */
export function trainLogisticRegression(
  rows: readonly SparseRow[],
  labels: ArrayLike<number>,
  width: number,
  opts: LogisticRegressionOptions = {},
): LogisticModel {
  const n = rows.length;
  if (n === 0) throw new Error('logistic regression: no rows');
  if (labels.length !== n) throw new RangeError(`logistic regression: ${n} rows but ${labels.length} labels`);
  const C = opts.C ?? 1;
  const maxIter = opts.maxIter ?? 300;
  const tol = opts.tol ?? 1e-8;
  const m = opts.history ?? 10;
  if (!(C > 0)) throw new RangeError(`logistic regression: C must be positive, got ${C}`);
  const positives = Array.from(labels).filter((y) => y === 1).length;
  const sampleWeight = new Float64Array(n).fill(1);
  if (opts.classWeight === 'balanced' && positives > 0 && positives < n) {
    for (let i = 0; i < n; i++) sampleWeight[i] = labels[i] === 1 ? n / (2 * positives) : n / (2 * (n - positives));
  }
  const dim = width + 1; // weights then intercept
  const lambda = 1 / (C * n);

  const evaluate = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let f = 0;
    const b = theta[width]!;
    for (let i = 0; i < n; i++) {
      const { indices, values } = rows[i]!;
      let z = b;
      for (let k = 0; k < indices.length; k++) z += values[k]! * theta[indices[k]!]!;
      const y = labels[i] === 1 ? 1 : 0;
      const sw = sampleWeight[i]!;
      f += sw * softplus(y === 1 ? -z : z);
      const r = (sw * (sigmoid(z) - y)) / n;
      for (let k = 0; k < indices.length; k++) grad[indices[k]!] = grad[indices[k]!]! + r * values[k]!;
      grad[width] = grad[width]! + r;
    }
    f /= n;
    let reg = 0;
    for (let j = 0; j < width; j++) {
      reg += theta[j]! * theta[j]!;
      grad[j] = grad[j]! + lambda * theta[j]!;
    }
    return f + 0.5 * lambda * reg;
  };

  const theta = new Float64Array(dim);
  let grad = new Float64Array(dim);
  let f = evaluate(theta, grad);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(dim);
  const next = new Float64Array(dim);
  let nextGrad = new Float64Array(dim);
  const alpha = new Float64Array(m);
  let iterations = 0;
  let converged = false;
  const maxAbs = (g: Float64Array): number => g.reduce((mx, x) => Math.max(mx, Math.abs(x)), 0);

  for (; iterations < maxIter; iterations++) {
    if (maxAbs(grad) < tol) {
      converged = true;
      break;
    }
    // Two-loop recursion: dir = −H·grad.
    for (let j = 0; j < dim; j++) dir[j] = -grad[j]!;
    for (let k = S.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(S[k]!, dir);
      const yk = Y[k]!;
      for (let j = 0; j < dim; j++) dir[j] = dir[j]! - alpha[k]! * yk[j]!;
    }
    const gamma =
      S.length > 0
        ? dot(S[S.length - 1]!, Y[Y.length - 1]!) / dot(Y[Y.length - 1]!, Y[Y.length - 1]!)
        : 1 / Math.max(1e-12, Math.sqrt(dot(grad, grad)));
    for (let j = 0; j < dim; j++) dir[j] = dir[j]! * gamma;
    for (let k = 0; k < S.length; k++) {
      const beta = rho[k]! * dot(Y[k]!, dir);
      const sk = S[k]!;
      for (let j = 0; j < dim; j++) dir[j] = dir[j]! + (alpha[k]! - beta) * sk[j]!;
    }
    let slope = dot(grad, dir);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let j = 0; j < dim; j++) dir[j] = -grad[j]!;
      slope = dot(grad, dir);
    }
    // Backtracking line search (Armijo, c1 = 1e-4).
    let step = 1;
    let fNext = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 40; tries++) {
      for (let j = 0; j < dim; j++) next[j] = theta[j]! + step * dir[j]!;
      fNext = evaluate(next, nextGrad);
      if (fNext <= f + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNext <= f + 1e-4 * step * slope)) break; // no progress possible at float64 precision
    const s = new Float64Array(dim);
    const y = new Float64Array(dim);
    for (let j = 0; j < dim; j++) {
      s[j] = next[j]! - theta[j]!;
      y[j] = nextGrad[j]! - grad[j]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    theta.set(next);
    [grad, nextGrad] = [nextGrad, grad];
    const fPrev = f;
    f = fNext;
    if (Math.abs(fPrev - f) <= 1e-14 * Math.max(1, Math.abs(f))) {
      converged = true;
      iterations++;
      break;
    }
  }
  return {
    weights: Float32Array.from(theta.subarray(0, width)),
    bias: Math.fround(theta[width]!),
    iterations,
    converged,
    loss: f,
  };
}

/** P(label = 1) for a dense row (float64 arithmetic over the float32 parameters). */
export function predictDense(model: LogisticModel, x: ArrayLike<number>, offset = 0): number {
  const w = model.weights;
  let z = model.bias;
  for (let j = 0; j < w.length; j++) z += x[offset + j]! * w[j]!;
  return sigmoid(z);
}

/** P(label = 1) for a sparse row. */
export function predictSparse(model: LogisticModel, row: SparseRow): number {
  let z = model.bias;
  for (let k = 0; k < row.indices.length; k++) z += row.values[k]! * model.weights[row.indices[k]!]!;
  return sigmoid(z);
}
