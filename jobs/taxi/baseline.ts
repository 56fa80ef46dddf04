/**
 * Baselines the trained model must beat, fitted on the training trips and scored on held-out trips:
 * the global mean duration, and the mean duration per 1-km bucket of centroid distance (same-zone trips
 * in bucket 0, ≥ 30 km pooled; an empty bucket falls back to the global mean).
 * Invariants: pure functions of their inputs; MAE is in seconds.
 */
import { zoneDistanceKm } from './zones.js';
import type { LabelledTrip } from './trips.js';

const BUCKETS = 31;

export interface Baseline {
  globalMeanSec: number;
  /** Mean duration per distance bucket (NaN where the bucket had no training trips). */
  bucketMeanSec: Float64Array;
  predict(t: Pick<LabelledTrip, 'pickupZone' | 'dropoffZone'>): number;
}

function bucketOf(t: Pick<LabelledTrip, 'pickupZone' | 'dropoffZone'>): number {
  return Math.min(BUCKETS - 1, Math.floor(zoneDistanceKm(t.pickupZone, t.dropoffZone)));
}

export function fitDistanceBaseline(train: readonly LabelledTrip[]): Baseline {
  const sum = new Float64Array(BUCKETS);
  const n = new Float64Array(BUCKETS);
  let total = 0;
  for (const t of train) {
    const b = bucketOf(t);
    sum[b]! += t.durationSec;
    n[b]! += 1;
    total += t.durationSec;
  }
  const globalMeanSec = train.length > 0 ? total / train.length : 0;
  const bucketMeanSec = sum.map((s, i) => (n[i]! > 0 ? s / n[i]! : Number.NaN));
  return {
    globalMeanSec,
    bucketMeanSec,
    predict: (t) => {
      const m = bucketMeanSec[bucketOf(t)]!;
      return Number.isNaN(m) ? globalMeanSec : m;
    },
  };
}

export function maeSec(
  actual: readonly number[] | Float64Array,
  predicted: readonly number[] | Float32Array | Float64Array,
): number {
  if (actual.length === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i]! - predicted[i]!);
  return s / actual.length;
}

/** Held-out MAE of the distance-bucket baseline and of the global mean. */
export function baselineMae(
  train: readonly LabelledTrip[],
  test: readonly LabelledTrip[],
): { distanceBucketMaeSec: number; globalMeanMaeSec: number } {
  const b = fitDistanceBaseline(train);
  const actual = test.map((t) => t.durationSec);
  return {
    distanceBucketMaeSec: maeSec(
      actual,
      test.map((t) => b.predict(t)),
    ),
    globalMeanMaeSec: maeSec(
      actual,
      test.map(() => b.globalMeanSec),
    ),
  };
}
