/**
 * StatsSummary as Flink keeps it for checkpoint statistics: min/max/sum/count over every value ≥ 0,
 * plus a sliding window (10 000 values) for percentiles computed like commons-math's Percentile with
 * its default (LEGACY) estimation, which Flink's DescriptiveStatisticsHistogram uses.
 *
 * JSON (StatsSummaryDto): `{min, max, avg, p50, p90, p95, p99, p999}`; avg is integer division; with no
 * values min/max/avg are 0 and the percentiles are NaN, which Jackson writes as the string "NaN".
 */
export const HISTOGRAM_WINDOW_SIZE = 10_000;

export interface StatsSummaryDto {
  min: number;
  max: number;
  avg: number;
  p50: number | 'NaN';
  p90: number | 'NaN';
  p95: number | 'NaN';
  p99: number | 'NaN';
  p999: number | 'NaN';
}

/** commons-math Percentile (EstimationType.LEGACY) of sorted values; NaN for none. */
export function legacyPercentile(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0]!;
  const pos = (p * (n + 1)) / 100;
  const fpos = Math.floor(pos);
  const d = pos - fpos;
  if (pos < 1) return sorted[0]!;
  if (pos >= n) return sorted[n - 1]!;
  const lower = sorted[fpos - 1]!;
  const upper = sorted[fpos]!;
  return lower + d * (upper - lower);
}

export class StatsSummary {
  private min = 0;
  private max = 0;
  private sum = 0;
  private count = 0;
  private readonly window: number[] = [];

  constructor(private readonly windowSize = HISTOGRAM_WINDOW_SIZE) {}

  /** Adds a value if it is ≥ 0 (negative means "unknown" in Flink and is ignored). */
  add(value: number): void {
    if (!(value >= 0)) return;
    if (this.count > 0) {
      this.min = Math.min(this.min, value);
      this.max = Math.max(this.max, value);
    } else {
      this.min = value;
      this.max = value;
    }
    this.count++;
    this.sum += value;
    this.window.push(value);
    if (this.window.length > this.windowSize) this.window.shift();
  }

  get size(): number {
    return this.count;
  }

  toDto(): StatsSummaryDto {
    const sorted = [...this.window].sort((a, b) => a - b);
    const q = (p: number): number | 'NaN' => {
      const v = legacyPercentile(sorted, p);
      return Number.isNaN(v) ? 'NaN' : v;
    };
    return {
      min: this.min,
      max: this.max,
      avg: this.count === 0 ? 0 : Math.trunc(this.sum / this.count),
      p50: q(50),
      p90: q(90),
      p95: q(95),
      p99: q(99),
      p999: q(99.9),
    };
  }
}
