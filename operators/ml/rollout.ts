/**
 * Rollout policies for a new model version (the candidate) next to the serving one (the baseline), per model
 * key: `ab` serves the candidate to a fixed share of routing keys (a stable hash of the record's routing key,
 * so a key always sees the same version); `canary` does the same and then, once both versions have
 * `minSamples` labelled records, promotes the candidate if its live quality is within `tolerance` of the
 * baseline's and rolls it back otherwise; `shadow` scores every record with the candidate as well, measures
 * it, and never serves it (its outputs go to a side output). Quality is measured live from labels the records
 * carry (`labelOf`): mean absolute error, or accuracy of a 0.5 threshold for binary labels.
 *
 * Invariants: routing is deterministic per routing key; a decision is taken once per candidate; quality
 * counters are per model version and start empty after a restore (a canary in progress is evaluated anew).
 */
export interface RolloutOptions<T> {
  mode: 'ab' | 'canary' | 'shadow';
  /** ab and canary: the share of routing keys the candidate serves, in percent (default 10). */
  candidatePercent?: number;
  /** The routing key of a record (default: its model key; broadcast serving should give the record's own key). */
  routeKeyOf?: (record: T) => string;
  /** The record's label, when it has one: quality is measured on labelled records. */
  labelOf?: (record: T) => number | undefined;
  /** 'mae' (default; lower is better) or 'accuracy' (binary labels, prediction > 0.5; higher is better). */
  metric?: 'mae' | 'accuracy';
  /** canary: labelled records each version needs before the decision (default 200). */
  minSamples?: number;
  /** canary: how much worse than the baseline the candidate may be, as a fraction (default 0.05). */
  tolerance?: number;
}

export const CANDIDATE_SUFFIX = '\u0000candidate';
export const candidateKey = (key: string) => `${key}${CANDIDATE_SUFFIX}`;

/** FNV-1a over the routing key's UTF-16 units, in [0, 100): stable across processes and runs. */
export function routeBucket(routeKey: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < routeKey.length; i++) {
    h ^= routeKey.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 100;
}

export class QualityTracker {
  private readonly sums = new Map<string, { n: number; total: number }>();
  constructor(readonly metric: 'mae' | 'accuracy') {}

  observe(version: string, prediction: number, label: number): { samples: number; value: number } {
    const s = this.sums.get(version) ?? { n: 0, total: 0 };
    s.n++;
    s.total += this.metric === 'mae' ? Math.abs(prediction - label) : Number(prediction > 0.5 === label > 0.5);
    this.sums.set(version, s);
    return { samples: s.n, value: s.total / s.n };
  }

  samples(version: string): number {
    return this.sums.get(version)?.n ?? 0;
  }

  value(version: string): number {
    const s = this.sums.get(version);
    return s?.n ? s.total / s.n : Number.NaN;
  }

  /** canary: 'promote', 'rollback', or undefined while either version lacks samples. */
  decide(
    baseline: string,
    candidate: string,
    minSamples: number,
    tolerance: number,
  ): 'promote' | 'rollback' | undefined {
    if (this.samples(baseline) < minSamples || this.samples(candidate) < minSamples) return undefined;
    const b = this.value(baseline);
    const c = this.value(candidate);
    const ok = this.metric === 'mae' ? c <= b * (1 + tolerance) : c >= b * (1 - tolerance);
    return ok ? 'promote' : 'rollback';
  }
}
