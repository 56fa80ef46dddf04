/**
 * DataGeneratorSource (Flink's name): a deterministic generator `index → record` over [0, count), split
 * evenly across subtasks, with an optional rate limit per source. The next index of each split is its
 * checkpointed position, so a restored or replayed job regenerates exactly the same records after it.
 *
 * The rate limit is a token bucket holding at most one second of records (as Guava's RateLimiter behind
 * Flink's `RateLimiterStrategy.perSecond`): after a stall (a busy downstream, a GC pause, a loaded
 * machine) the reader catches up by at most one second's worth at full speed, not by everything it fell
 * behind — an unbounded catch-up would turn every stall into a burst that queues through the whole job.
 */
import type { InputStatus, ReaderOutput, Source, SourceReader } from '../../runtime/api/source.js';
import { platform } from '../../runtime/platform/index.js';

export interface GeneratorSplit {
  id: string;
  next: number;
  end: number; // exclusive
}

export interface DataGeneratorOptions {
  /** Records per second over all subtasks; 0 or absent = unlimited. */
  recordsPerSecond?: number;
  /** Event timestamp of record i (default: none). */
  timestampOf?: (index: number) => number;
  /** Records per poll batch (default 1024). */
  batchSize?: number;
}

/** How far behind a rate-limited reader may catch up at full speed. */
const MAX_BURST_SECONDS = 1;

class GeneratorReader<T> implements SourceReader<T, GeneratorSplit> {
  private splits: GeneratorSplit[] = [];
  private readonly ratePerSubtask: number;
  /** Records the reader may emit now (token bucket), and when it was last refilled. */
  private tokens = 0;
  private refilledMs = platform.clock.monotonicMs();
  constructor(
    private readonly gen: (i: number) => T,
    private readonly o: DataGeneratorOptions,
    parallelism: number,
  ) {
    this.ratePerSubtask = o.recordsPerSecond ? o.recordsPerSecond / parallelism : 0;
  }
  addSplits(splits: GeneratorSplit[]): void {
    this.splits.push(...splits.map((s) => ({ ...s })));
  }
  private allowance(): number {
    const batch = this.o.batchSize ?? 1024;
    if (!this.ratePerSubtask) return batch;
    const now = platform.clock.monotonicMs();
    const capacity = Math.max(1, this.ratePerSubtask * MAX_BURST_SECONDS);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.refilledMs) / 1000) * this.ratePerSubtask);
    this.refilledMs = now;
    return Math.max(0, Math.min(batch, Math.floor(this.tokens)));
  }
  pollNext(out: ReaderOutput<T>): InputStatus {
    const s = this.splits[0];
    if (!s) return 'END_OF_INPUT';
    const n = Math.min(this.allowance(), s.end - s.next);
    if (n === 0) return 'NOTHING_AVAILABLE';
    const ts = this.o.timestampOf;
    for (let k = 0; k < n; k++) {
      const i = s.next++;
      out.collect(this.gen(i), ts ? ts(i) : undefined);
    }
    if (this.ratePerSubtask) this.tokens -= n;
    if (s.next >= s.end) this.splits.shift();
    return this.splits.length ? 'MORE_AVAILABLE' : 'END_OF_INPUT';
  }
  isAvailable(): Promise<void> {
    if (!this.ratePerSubtask) return Promise.resolve();
    const waitMs = Math.max(1, Math.ceil(1000 / this.ratePerSubtask));
    return new Promise((r) => platform.clock.setTimeout(r, Math.min(waitMs, 50)));
  }
  snapshotState(): GeneratorSplit[] {
    return this.splits.map((s) => ({ ...s }));
  }
}

export class DataGeneratorSource<T> implements Source<T, GeneratorSplit> {
  readonly boundedness;
  constructor(
    private readonly generator: (index: number) => T,
    private readonly count: number,
    private readonly options: DataGeneratorOptions = {},
  ) {
    if (!(count > 0)) throw new RangeError(`DataGeneratorSource: count must be positive, got ${count}`);
    this.boundedness = Number.isFinite(count) ? ('BOUNDED' as const) : ('CONTINUOUS_UNBOUNDED' as const);
  }
  createSplits(parallelism: number): GeneratorSplit[] {
    const total = Number.isFinite(this.count) ? this.count : Number.MAX_SAFE_INTEGER;
    const splits: GeneratorSplit[] = [];
    for (let i = 0; i < parallelism; i++) {
      const start = Math.floor((total / parallelism) * i);
      const end = i === parallelism - 1 ? total : Math.floor((total / parallelism) * (i + 1));
      if (end > start) splits.push({ id: `gen-${i}`, next: start, end });
    }
    return splits;
  }
  createReader(ctx: { parallelism: number }): SourceReader<T, GeneratorSplit> {
    return new GeneratorReader(this.generator, this.options, ctx.parallelism);
  }
}
