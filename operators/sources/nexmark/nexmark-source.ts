/**
 * NexmarkSource: the Nexmark generator as a sluice source. Split i of p generates events i, i + p, i + 2p, …
 * (interleaved, so every subtask's event time advances at the same pace and windows close together, unlike
 * contiguous ranges). Each record carries its event time as the source timestamp; a job gives the source a
 * monotonous watermark strategy (`WatermarkStrategy.forMonotonousTimestamps()`), since each split's timestamps
 * never decrease. The next event number of each split is its checkpointed position: a restored or replayed
 * job regenerates exactly the events after it, at any parallelism.
 *
 * Invariant: a split emits its events in increasing event number; a reader with several splits emits them
 * round-robin, each through its own split output (per-split watermarks, combined by min).
 */
import type {
  InputStatus,
  ReaderOutput,
  Source,
  SourceReader,
  SourceReaderContext,
} from '../../../runtime/api/source.js';
import { platform } from '../../../runtime/platform/index.js';
import { type NexmarkConfig, nexmarkConfig } from './config.js';
import { NexmarkGenerator } from './generator.js';
import type { NexmarkEvent } from './model.js';

export interface NexmarkSplit {
  id: string;
  /** Next event number this split generates. */
  next: number;
  /** Distance between this split's event numbers (the parallelism at the first start). */
  stride: number;
  /** Exclusive end (the configured event count; Infinity when unbounded). */
  end: number;
}

const BATCH = 1024;

class NexmarkReader implements SourceReader<NexmarkEvent, NexmarkSplit> {
  private splits: NexmarkSplit[] = [];
  private readonly gen: NexmarkGenerator;
  private readonly ratePerSubtask: number;
  private readonly startMs = platform.clock.monotonicMs();
  private emitted = 0;

  constructor(config: NexmarkConfig, parallelism: number) {
    this.gen = new NexmarkGenerator(config);
    this.ratePerSubtask = config.maxEmitPerSecond ? config.maxEmitPerSecond / parallelism : 0;
  }

  addSplits(splits: NexmarkSplit[]): void {
    this.splits.push(...splits.map((s) => ({ ...s })));
  }

  private allowance(): number {
    if (!this.ratePerSubtask) return BATCH;
    const due = Math.floor(((platform.clock.monotonicMs() - this.startMs) / 1000) * this.ratePerSubtask) - this.emitted;
    return Math.max(0, Math.min(BATCH, due));
  }

  pollNext(out: ReaderOutput<NexmarkEvent>): InputStatus {
    if (!this.splits.length) return 'END_OF_INPUT';
    let budget = this.allowance();
    if (budget === 0) return 'NOTHING_AVAILABLE';
    const perSplit = Math.max(1, Math.floor(budget / this.splits.length));
    for (const s of this.splits) {
      const o = this.splits.length > 1 && out.createOutputForSplit ? out.createOutputForSplit(s.id) : out;
      for (let k = 0; k < perSplit && s.next < s.end && budget > 0; k++, budget--) {
        const ev = this.gen.generate(s.next);
        s.next += s.stride;
        o.collect(ev, ev.dateTime);
        this.emitted++;
      }
    }
    for (const done of this.splits.filter((s) => s.next >= s.end)) out.releaseOutputForSplit?.(done.id);
    this.splits = this.splits.filter((s) => s.next < s.end);
    return this.splits.length ? 'MORE_AVAILABLE' : 'END_OF_INPUT';
  }

  isAvailable(): Promise<void> {
    if (!this.ratePerSubtask) return Promise.resolve();
    const waitMs = Math.max(1, Math.ceil(1000 / this.ratePerSubtask));
    return new Promise((r) => platform.clock.setTimeout(r, Math.min(waitMs, 50)));
  }

  snapshotState(): NexmarkSplit[] {
    return this.splits.map((s) => ({ ...s }));
  }
}

export class NexmarkSource implements Source<NexmarkEvent, NexmarkSplit> {
  readonly boundedness;
  readonly config: NexmarkConfig;

  /** Options are Nexmark's workload knobs (see config.ts); invalid ones throw NEXMARK_CONFIG here. */
  constructor(options: Partial<NexmarkConfig> = {}) {
    this.config = nexmarkConfig(options);
    this.boundedness = Number.isFinite(this.config.events) ? ('BOUNDED' as const) : ('CONTINUOUS_UNBOUNDED' as const);
  }

  createSplits(parallelism: number): NexmarkSplit[] {
    const splits: NexmarkSplit[] = [];
    for (let i = 0; i < parallelism && i < this.config.events; i++) {
      splits.push({ id: `nexmark-${i}`, next: i, stride: parallelism, end: this.config.events });
    }
    return splits;
  }

  createReader(ctx: SourceReaderContext): SourceReader<NexmarkEvent, NexmarkSplit> {
    return new NexmarkReader(this.config, ctx.parallelism);
  }
}
