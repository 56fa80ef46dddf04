/**
 * Per-model serving statistics: since, usage (records scored), batches, total/min/max duration, p50/p99
 * from a fixed log-bucket histogram, a batch-size histogram (power-of-two buckets), failures; and per
 * serving operator the rejected descriptors with their reasons. Invariants: O(1) memory per model
 * (fixed buckets); percentiles are bucket upper bounds clamped to [min, max] (≤ 10% relative error).
 */

/** Log-scale buckets: bound[i] = 0.001 ms · 1.1^i, up to ~10 min. */
const BUCKET_FACTOR = 1.1;
const BUCKET_BASE_MS = 0.001;
const BUCKETS = 200;

export class DurationHistogram {
  private readonly counts = new Float64Array(BUCKETS + 1);
  count = 0;

  record(ms: number): void {
    const v = Math.max(ms, BUCKET_BASE_MS);
    const i = Math.min(BUCKETS, Math.ceil(Math.log(v / BUCKET_BASE_MS) / Math.log(BUCKET_FACTOR)));
    this.counts[i]! += 1;
    this.count++;
  }

  /** Upper bound of the bucket holding quantile q (0..1); 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i <= BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return BUCKET_BASE_MS * BUCKET_FACTOR ** i;
    }
    return BUCKET_BASE_MS * BUCKET_FACTOR ** BUCKETS;
  }
}

export interface ModelStatsSnapshot {
  name: string;
  version: string;
  sha256: string;
  modelType: string;
  backend: string;
  sinceMs: number;
  usage: number;
  batches: number;
  failures: number;
  durationMs: { total: number; min: number; max: number; mean: number; p50: number; p95: number; p99: number };
  /** Rows per batch: exact min/max/average. */
  batchSize: { min: number; max: number; avg: number };
  /** Batch-size histogram: key "≤N" (N a power of two) → batches. */
  batchSizes: Record<string, number>;
  wins: number;
  quality?: { metric: string; samples: number; value: number };
}

export class ModelStats {
  usage = 0;
  batches = 0;
  failures = 0;
  wins = 0;
  /** Live quality from labelled records (rollout.ts), when measured. */
  quality: { metric: string; samples: number; value: number } | undefined;
  totalMs = 0;
  minMs = Number.POSITIVE_INFINITY;
  maxMs = 0;
  minRows = Number.POSITIVE_INFINITY;
  maxRows = 0;
  private readonly hist = new DurationHistogram();
  private readonly sizeBuckets = new Map<number, number>();

  constructor(
    readonly name: string,
    readonly version: string,
    readonly sha256: string,
    readonly modelType: string,
    readonly backend: string,
    readonly sinceMs: number,
  ) {}

  recordBatch(rows: number, durationMs: number): void {
    this.usage += rows;
    this.batches++;
    this.totalMs += durationMs;
    if (durationMs < this.minMs) this.minMs = durationMs;
    if (durationMs > this.maxMs) this.maxMs = durationMs;
    this.hist.record(durationMs);
    if (rows < this.minRows) this.minRows = rows;
    if (rows > this.maxRows) this.maxRows = rows;
    const bucket = 2 ** Math.ceil(Math.log2(Math.max(1, rows)));
    this.sizeBuckets.set(bucket, (this.sizeBuckets.get(bucket) ?? 0) + 1);
  }

  recordFailure(): void {
    this.failures++;
  }

  recordWin(): void {
    this.wins++;
  }

  private clamp(v: number): number {
    return this.batches === 0 ? 0 : Math.min(this.maxMs, Math.max(this.minMs, v));
  }

  snapshot(): ModelStatsSnapshot {
    const batchSizes: Record<string, number> = {};
    for (const [k, v] of [...this.sizeBuckets.entries()].sort((a, b) => a[0] - b[0])) batchSizes[`≤${k}`] = v;
    return {
      name: this.name,
      version: this.version,
      sha256: this.sha256,
      modelType: this.modelType,
      backend: this.backend,
      sinceMs: this.sinceMs,
      usage: this.usage,
      batches: this.batches,
      failures: this.failures,
      wins: this.wins,
      durationMs: {
        total: this.totalMs,
        min: this.batches === 0 ? 0 : this.minMs,
        max: this.maxMs,
        mean: this.batches === 0 ? 0 : this.totalMs / this.batches,
        p50: this.clamp(this.hist.quantile(0.5)),
        p95: this.clamp(this.hist.quantile(0.95)),
        p99: this.clamp(this.hist.quantile(0.99)),
      },
      batchSize: {
        min: this.batches === 0 ? 0 : this.minRows,
        max: this.maxRows,
        avg: this.batches === 0 ? 0 : this.usage / this.batches,
      },
      batchSizes,
      ...(this.quality ? { quality: { ...this.quality } } : {}),
    };
  }
}

export interface RejectedDescriptor {
  name: string;
  version: string;
  code: string;
  reason: string;
  atMs: number;
}

/** Stats of every model an operator instance served, keyed by name@version, plus rejections (bounded). */
export class ServingStats {
  private readonly models = new Map<string, ModelStats>();
  readonly rejected: RejectedDescriptor[] = [];
  rejectedTotal = 0;

  constructor(private readonly maxRejectedKept = 100) {}

  forModel(
    m: { name: string; version: string; sha256: string; modelType: string },
    backend: string,
    sinceMs: number,
  ): ModelStats {
    const id = `${m.name}@${m.version}`;
    let s = this.models.get(id);
    if (!s) {
      s = new ModelStats(m.name, m.version, m.sha256, m.modelType, backend, sinceMs);
      this.models.set(id, s);
    }
    return s;
  }

  get(id: string): ModelStats | undefined {
    return this.models.get(id);
  }

  recordRejected(r: RejectedDescriptor): void {
    this.rejectedTotal++;
    this.rejected.push(r);
    if (this.rejected.length > this.maxRejectedKept) this.rejected.shift();
  }

  snapshot(): { models: ModelStatsSnapshot[]; rejected: RejectedDescriptor[]; rejectedTotal: number } {
    return {
      models: [...this.models.values()].map((m) => m.snapshot()),
      rejected: [...this.rejected],
      rejectedTotal: this.rejectedTotal,
    };
  }
}
