/**
 * The moderation training step (the seed's notebook: clean → tokenize → TF-IDF → LogisticRegression(C=1)).
 * Responsibility: split labelled comments by time, fit the TF-IDF vectorizer on the training part only, train
 * the logistic regression, and report held-out metrics (ROC AUC, accuracy, precision, recall, F1, log loss).
 *
 * Invariants: the held-out part is never seen by the vectorizer or the model; held-out scores are computed
 * on the serving path (float32 dense rows from `transform`, float32 parameters), so the reported metrics are
 * those of the deployed model; deterministic for the same comments and options.
 */
import type { Comment } from './comments.js';
import { binaryMetrics, type BinaryMetrics } from './metrics.js';
import {
  predictDense,
  trainLogisticRegression,
  type LogisticModel,
  type LogisticRegressionOptions,
} from './logistic-regression.js';
import { TfidfVectorizer, type TfidfOptions } from './text-features.js';

/** The seed's vectorizer: TfidfVectorizer(min_df=3, max_features=1000, ngram_range=(1, 3), sublinear_tf=1). */
export const SEED_TFIDF_OPTIONS: TfidfOptions = {
  ngramRange: [1, 3],
  maxFeatures: 1000,
  minDf: 3,
  sublinearTf: true,
  smoothIdf: true,
  norm: 'l2',
};

export interface TrainOptions {
  tfidf?: TfidfOptions;
  logisticRegression?: LogisticRegressionOptions;
  /** Decision threshold for accuracy/precision/recall (default 0.5). */
  threshold?: number;
}

export interface TrainResult {
  vectorizer: TfidfVectorizer;
  model: LogisticModel;
  /** Held-out metrics. */
  heldOut: BinaryMetrics;
  /** Event-time span of the training comments (inclusive). */
  dataWindow: { fromMs: number; toMs: number };
  trainSize: number;
  testSize: number;
}

/** Flat metrics for `ModelDescriptor.training.metrics`. */
export function metricsRecord(r: TrainResult): Record<string, number> {
  const h = r.heldOut;
  return {
    auc: h.auc,
    accuracy: h.accuracy,
    precision: h.precision,
    recall: h.recall,
    f1: h.f1,
    logLoss: h.logLoss,
    threshold: h.threshold,
    trainSize: r.trainSize,
    testSize: r.testSize,
    testPositives: h.positives,
    vocabSize: r.vectorizer.vocabSize,
    iterations: r.model.iterations,
  };
}

/** Oldest `1 − testFraction` for training, newest `testFraction` held out (order by createdUtcMs, then id). */
export function splitByTime(comments: readonly Comment[], testFraction = 0.2): { train: Comment[]; test: Comment[] } {
  if (!(testFraction > 0 && testFraction < 1))
    throw new RangeError(`testFraction must be in (0, 1), got ${testFraction}`);
  const sorted = comments
    .slice()
    .sort((a, b) => a.createdUtcMs - b.createdUtcMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const cut = Math.round(sorted.length * (1 - testFraction));
  return { train: sorted.slice(0, cut), test: sorted.slice(cut) };
}

function labelsOf(comments: readonly Comment[]): Uint8Array {
  return Uint8Array.from(comments, (c, i) => {
    if (c.label !== 0 && c.label !== 1) throw new Error(`comment ${i} (${c.id}) has no 0/1 label`);
    return c.label;
  });
}

/** Scores comments on the serving path: float32 TF-IDF row → P(removed). */
export function scoreComments(
  vectorizer: TfidfVectorizer,
  model: LogisticModel,
  comments: readonly Comment[],
): Float64Array {
  const row = new Float32Array(vectorizer.vocabSize);
  return Float64Array.from(comments, (c) => {
    vectorizer.transformInto(c.body, row, 0);
    return predictDense(model, row);
  });
}

/** Fits vectorizer and model on `train`, evaluates on `test`. */
export function trainOnComments(
  train: readonly Comment[],
  test: readonly Comment[],
  opts: TrainOptions = {},
): TrainResult {
  if (train.length === 0 || test.length === 0)
    throw new Error(`need training and held-out comments (got ${train.length} and ${test.length})`);
  const trainLabels = labelsOf(train);
  const testLabels = labelsOf(test);
  const vectorizer = TfidfVectorizer.fit(
    train.map((c) => c.body),
    opts.tfidf ?? SEED_TFIDF_OPTIONS,
  );
  const rows = train.map((c) => vectorizer.transformSparse(c.body));
  const model = trainLogisticRegression(rows, trainLabels, vectorizer.vocabSize, opts.logisticRegression);
  const heldOut = binaryMetrics(scoreComments(vectorizer, model, test), testLabels, opts.threshold ?? 0.5);
  let fromMs = Number.POSITIVE_INFINITY;
  let toMs = Number.NEGATIVE_INFINITY;
  for (const c of train) {
    fromMs = Math.min(fromMs, c.createdUtcMs);
    toMs = Math.max(toMs, c.createdUtcMs);
  }
  return { vectorizer, model, heldOut, dataWindow: { fromMs, toMs }, trainSize: train.length, testSize: test.length };
}
