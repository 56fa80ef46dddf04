/**
 * Training of the wide & deep taxi model with TensorFlow.js (the project's backend, wasm here): a time
 * split (the latest `testFraction` of trips by pickup time is held out), mini-batch Adam on the MSE of log
 * duration, and held-out MAE in seconds (exp of the predicted log) next to the baselines of baseline.ts.
 * `shuffleTargets` permutes the training labels (a control: such a model must NOT beat the baseline).
 * Invariants: deterministic for the same trips and options — batches are shuffled with `seededRandom`,
 * weights are seeded, no dropout, no TF.js RNG; every tensor made here is disposed (the optimizer too);
 * the returned model's variables belong to the caller (dispose it).
 */
import type { Tensor, Scalar } from '@tensorflow/tfjs';
import { loadTf } from 'sluice/ml';
import { platform, seededRandom } from 'sluice/platform';
import { baselineMae, maeSec } from './baseline.js';
import {
  DEEP_COUNT,
  DEEP_START,
  DENSE_COUNT,
  DENSE_START,
  FEATURE_WIDTH,
  WIDE_COUNT,
  WIDE_START,
  WIDE_VOCAB,
  encodeTrips,
} from './features.js';
import { DEFAULT_CONFIG, WideDeepModel, type WideDeepConfig, type WideDeepWeights } from './model.js';
import type { LabelledTrip } from './trips.js';

export interface TrainOptions {
  seed: number;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  config?: WideDeepConfig;
  /** Fraction of the latest trips held out for evaluation (default 0.2). */
  testFraction?: number;
  /** Control experiment: train on permuted labels. */
  shuffleTargets?: boolean;
}

export interface TaxiMetrics {
  /** Held-out MAE of the model, seconds. */
  maeSec: number;
  /** Held-out MAE of the mean duration per 1-km distance bucket. */
  baselineMaeSec: number;
  /** Held-out MAE of the global mean duration. */
  globalMeanMaeSec: number;
  /** 1 − maeSec / baselineMaeSec (> 0 means the model beats the baseline). */
  improvementOverBaseline: number;
  trainRows: number;
  testRows: number;
  epochs: number;
  /** Mean training loss (MSE of log seconds) of the last epoch. */
  finalLoss: number;
  trainMillis: number;
}

export interface TrainResult {
  model: WideDeepModel;
  weights: WideDeepWeights;
  metrics: TaxiMetrics;
  /** Pickup-time range of the trips used (train and test). */
  dataWindow: { fromMs: number; toMs: number };
}

/** Splits by pickup time: the earliest (1 − testFraction) for training, the rest held out. */
export function timeSplit(
  trips: readonly LabelledTrip[],
  testFraction: number,
): { train: LabelledTrip[]; test: LabelledTrip[] } {
  const sorted = [...trips].sort((a, b) => a.pickupMs - b.pickupMs);
  const cut = Math.max(1, Math.min(sorted.length - 1, Math.round(sorted.length * (1 - testFraction))));
  return { train: sorted.slice(0, cut), test: sorted.slice(cut) };
}

export async function trainWideDeep(trips: readonly LabelledTrip[], opts: TrainOptions): Promise<TrainResult> {
  if (trips.length < 10) throw new RangeError(`need at least 10 labelled trips to train, got ${trips.length}`);
  const started = platform.clock.monotonicMs();
  const { tf } = await loadTf();
  const epochs = opts.epochs ?? 8;
  const batchSize = opts.batchSize ?? 256;
  const { train, test } = timeSplit(trips, opts.testFraction ?? 0.2);
  const rnd = seededRandom(opts.seed ^ 0x5eed);

  const x = encodeTrips(train);
  const y = Float32Array.from(train, (t) => Math.log(t.durationSec));
  if (opts.shuffleTargets) shuffleInPlace(y, rnd);
  let meanLog = 0;
  for (const v of y) meanLog += v / y.length;

  const model = new WideDeepModel(tf, opts.config ?? DEFAULT_CONFIG, opts.seed, meanLog);
  const optimizer = tf.train.adam(opts.learningRate ?? 0.01);
  const multiHot = new Float32Array(batchSize * WIDE_VOCAB);
  const deepIds = new Int32Array(batchSize * DEEP_COUNT);
  const dense = new Float32Array(batchSize * DENSE_COUNT);
  const target = new Float32Array(batchSize);
  const order = Int32Array.from({ length: train.length }, (_, i) => i);
  let finalLoss = Number.NaN;

  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(order, rnd);
    let lossSum = 0;
    let lossRows = 0;
    for (let start = 0; start < order.length; start += batchSize) {
      const rows = Math.min(batchSize, order.length - start);
      for (let r = 0; r < rows; r++) {
        const o = order[start + r]! * FEATURE_WIDTH;
        for (let i = 0; i < WIDE_COUNT; i++) multiHot[r * WIDE_VOCAB + x[o + WIDE_START + i]!] = 1;
        for (let i = 0; i < DEEP_COUNT; i++) deepIds[r * DEEP_COUNT + i] = x[o + DEEP_START + i]!;
        for (let i = 0; i < DENSE_COUNT; i++) dense[r * DENSE_COUNT + i] = x[o + DENSE_START + i]!;
        target[r] = y[order[start + r]!]!;
      }
      const loss = tf.tidy(() => {
        const mh = tf.tensor2d(multiHot.subarray(0, rows * WIDE_VOCAB), [rows, WIDE_VOCAB]);
        const ids = tf.tensor1d(deepIds.subarray(0, rows * DEEP_COUNT), 'int32');
        const dn = tf.tensor2d(dense.subarray(0, rows * DENSE_COUNT), [rows, DENSE_COUNT]);
        const yt = tf.tensor2d(target.subarray(0, rows), [rows, 1]);
        return optimizer.minimize(
          () => tf.losses.meanSquaredError(yt, model.trainForward(mh, ids, dn)) as Scalar,
          true,
          model.variables,
        ) as Tensor;
      });
      lossSum += (loss.dataSync()[0] ?? 0) * rows;
      lossRows += rows;
      loss.dispose();
      for (let r = 0; r < rows; r++) {
        const o = order[start + r]! * FEATURE_WIDTH;
        for (let i = 0; i < WIDE_COUNT; i++) multiHot[r * WIDE_VOCAB + x[o + WIDE_START + i]!] = 0;
      }
    }
    finalLoss = lossSum / lossRows;
  }
  optimizer.dispose();

  const testX = encodeTrips(test);
  const predLog = model.predictLog(testX, test.length);
  const mae = maeSec(
    test.map((t) => t.durationSec),
    predLog.map(Math.exp),
  );
  const base = baselineMae(train, test);
  const all = [...train, ...test];
  return {
    model,
    weights: model.snapshot(),
    metrics: {
      maeSec: mae,
      baselineMaeSec: base.distanceBucketMaeSec,
      globalMeanMaeSec: base.globalMeanMaeSec,
      improvementOverBaseline: 1 - mae / base.distanceBucketMaeSec,
      trainRows: train.length,
      testRows: test.length,
      epochs,
      finalLoss,
      trainMillis: Math.round(platform.clock.monotonicMs() - started),
    },
    dataWindow: { fromMs: all[0]!.pickupMs, toMs: all[all.length - 1]!.pickupMs },
  };
}

function shuffleInPlace(a: Int32Array | Float32Array, rnd: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}
