/**
 * The reddit-moderation model pipeline as a library (seed 001): generate labelled comments, fit TF-IDF +
 * logistic regression, export to ONNX and wrap as a `ModelDescriptor`. Responsibility: the one call a job
 * needs (`trainModerationModel`) plus re-exports of the parts.
 *
 * Invariants: offline and deterministic — the same options give the same vectorizer, byte-identical ONNX
 * model and an identical descriptor (trainedAt defaults to the end of the training window); training uses
 * comments [0, trainSize) of the generator and the held-out set is the next testSize comments (later in
 * event time), so a job streaming comments from index trainSize + testSize on scores unseen data.
 */
import { createCommentGenerator, type CommentOptions } from './comments.js';
import { moderationDescriptor, type DescriptorOptions } from './export-onnx.js';
import type { LogisticModel, LogisticRegressionOptions } from './logistic-regression.js';
import type { BinaryMetrics } from './metrics.js';
import type { TfidfVectorizer, TfidfOptions } from './text-features.js';
import type { Comment } from './comments.js';
import { metricsRecord, trainOnComments } from './train.js';
import type { ModelDescriptor } from 'sluice/ml';

export * from './comments.js';
export * from './text-analyzer.js';
export * from './text-features.js';
export * from './metrics.js';
export * from './logistic-regression.js';
export * from './train.js';
export * from './export-onnx.js';

export interface TrainModerationOptions extends DescriptorOptions {
  seed: number;
  /** Training comments (indices [0, trainSize)). */
  trainSize: number;
  /** Held-out comments after them (default max(200, trainSize / 4)). */
  testSize?: number;
  /** Concept drift of the generated data (0..1, default 0). */
  drift?: number;
  /** Other generator options (toxicRate, startMs, intervalMs). */
  comments?: Omit<CommentOptions, 'seed' | 'drift' | 'labels'>;
  tfidf?: TfidfOptions;
  logisticRegression?: LogisticRegressionOptions;
  threshold?: number;
}

export interface TrainedModerationModel {
  vectorizer: TfidfVectorizer;
  descriptor: ModelDescriptor;
  /** Held-out metrics as recorded in `descriptor.training.metrics`. */
  metrics: Record<string, number>;
  model: LogisticModel;
  heldOut: BinaryMetrics;
}

/** Trains the moderation model on seeded comments and returns what the serving job needs. */
export function trainModerationModel(opts: TrainModerationOptions): TrainedModerationModel {
  const { seed, trainSize } = opts;
  if (!(Number.isSafeInteger(trainSize) && trainSize > 0))
    throw new RangeError(`trainSize must be a positive integer, got ${trainSize}`);
  const testSize = opts.testSize ?? Math.max(200, Math.floor(trainSize / 4));
  const gen = createCommentGenerator({ ...opts.comments, seed, drift: opts.drift ?? 0, labels: true });
  const train = Array.from({ length: trainSize }, (_, i) => gen(i));
  const test = Array.from({ length: testSize }, (_, i) => gen(trainSize + i));
  const result = trainOnComments(train, test, {
    ...(opts.tfidf ? { tfidf: opts.tfidf } : {}),
    ...(opts.logisticRegression ? { logisticRegression: opts.logisticRegression } : {}),
    ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
  });
  const metrics = metricsRecord(result);
  const descriptor = moderationDescriptor(
    { model: result.model, vectorizer: result.vectorizer, dataWindow: result.dataWindow, metrics },
    {
      ...(opts.name !== undefined ? { name: opts.name } : {}),
      ...(opts.version !== undefined ? { version: opts.version } : {}),
      ...(opts.validFrom !== undefined ? { validFrom: opts.validFrom } : {}),
      ...(opts.trainedAt !== undefined ? { trainedAt: opts.trainedAt } : {}),
      ...(opts.description !== undefined ? { description: opts.description } : {}),
    },
  );
  return { vectorizer: result.vectorizer, descriptor, metrics, model: result.model, heldOut: result.heldOut };
}

/** A `FeatureBatchBuilder` extractor: writes the TF-IDF row of a comment's body at `out[offset…]`. */
export function commentFeatureExtractor(
  vectorizer: TfidfVectorizer,
): (comment: Comment, out: Float32Array, offset: number) => void {
  return (comment, out, offset) => vectorizer.transformInto(comment.body, out, offset);
}
