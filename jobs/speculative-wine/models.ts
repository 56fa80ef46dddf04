/**
 * The three wine models, trained here and exported as ONNX descriptors: `linear` (logistic regression:
 * fast, rough), `mlp` (11→6→1: medium), `big` (11→32→1 plus a chain of identity layers: deliberately
 * slow, and the best on held-out data). Responsibility: `buildWineModels(opts)` → descriptors with their
 * held-out `accuracy` and `logLoss` declared in `training.metrics` (what the quality strategy compares).
 * Invariant: deterministic for the same options; training takes well under a second (it runs on the event
 * loop of the task that emits the models).
 */
import type { ModelDescriptor } from 'sluice/ml';
import { exportDenseOnnx, wineDescriptor } from './onnx-export.js';
import { evaluate, trainDense, type Metrics } from './train.js';
import { WIDTH, wine, wineFeatures } from './wine.js';

export interface WineModelOptions {
  seed?: number;
  trainSize?: number;
  testSize?: number;
  /** Identity layers making `big` slow (default 48 of width 256). */
  slowDepth?: number;
  slowHidden?: number;
}

/** The model names in declaration (installation) order; `linear` is the deadline fallback. */
export const MODEL_NAMES = ['linear', 'mlp', 'big'] as const;

/** Index of the first wine after the default training and test data (where the job's stream starts). */
export function streamStartOf(o: Pick<WineModelOptions, 'trainSize' | 'testSize'> = {}): number {
  return (o.trainSize ?? 2500) + (o.testSize ?? 2000);
}

export interface WineModels {
  descriptors: ModelDescriptor[];
  metrics: Record<string, Metrics>;
  /** Index of the first wine after the training and test data (the stream starts there). */
  streamStart: number;
}

export function buildWineModels(o: WineModelOptions = {}): WineModels {
  const seed = o.seed ?? 2;
  const trainSize = o.trainSize ?? 2500;
  const testSize = o.testSize ?? 2000;
  const gen = wine(seed);
  const sample = (from: number, n: number) => {
    const xs: Float64Array[] = [];
    const ys: number[] = [];
    for (let i = from; i < from + n; i++) {
      const w = gen(i);
      const x = new Float64Array(WIDTH);
      wineFeatures(w, x, 0);
      xs.push(x);
      ys.push(w.good ? 1 : 0);
    }
    return { xs, ys };
  };
  const train = sample(0, trainSize);
  const test = sample(trainSize, testSize);
  const window = { fromMs: 0, toMs: trainSize };
  const specs = [
    { name: 'linear', layers: [WIDTH, 1], epochs: 8, lr: 0.02, about: 'logistic regression (fast, rough)' },
    { name: 'mlp', layers: [WIDTH, 6, 1], epochs: 15, lr: 0.01, about: 'MLP 11-6-1 (medium)' },
    {
      name: 'big',
      layers: [WIDTH, 32, 1],
      epochs: 15,
      lr: 0.01,
      about: 'MLP 11-32-1 behind identity layers (slow, best)',
    },
  ];
  const metrics: Record<string, Metrics> = {};
  const descriptors = specs.map((s, k) => {
    const net = trainDense(train.xs, train.ys, {
      layers: s.layers,
      epochs: s.epochs,
      seed: seed * 100 + k,
      learningRate: s.lr,
    });
    const m = evaluate(net, test.xs, test.ys);
    metrics[s.name] = m;
    const slow = s.name === 'big' ? { depth: o.slowDepth ?? 48, hidden: o.slowHidden ?? 256 } : undefined;
    return wineDescriptor(s.name, '1', exportDenseOnnx(net, slow), m, window, s.about);
  });
  return { descriptors, metrics, streamStart: streamStartOf(o) };
}
