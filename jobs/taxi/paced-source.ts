/**
 * PacedSource: wraps a Source so its readers emit at most `perSecond` records per second in total (each of
 * the p readers gets perSecond / p). The taxi job reads its trip topic through it in Kafka mode, so a
 * replay of a filled topic runs at the demo's event rate, as the generator does in file mode — otherwise
 * the whole topic would pass the serving operator before the retrainer's first model is even trained.
 *
 * Invariants: splits, split state, snapshots and checkpoint notifications are the inner source's,
 * unchanged (pacing is not state: a restored reader starts with an empty bucket); a token bucket holding at
 * most 0.2 s of records bounds bursts after an idle period; a poll can overshoot by one inner batch, which
 * the next polls pay back by waiting.
 */
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from 'sluice';
import { delay, platform } from 'sluice/platform';

export class PacedSource<T, S> implements Source<T, S> {
  readonly boundedness;

  constructor(
    private readonly inner: Source<T, S>,
    private readonly perSecond: number,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`PacedSource: perSecond must be positive, got ${perSecond}`);
    this.boundedness = inner.boundedness;
  }

  createSplits(parallelism: number): S[] | Promise<S[]> {
    return this.inner.createSplits(parallelism);
  }

  createReader(ctx: SourceReaderContext): SourceReader<T, S> {
    return new PacedReader(this.inner.createReader(ctx), this.perSecond / ctx.parallelism);
  }
}

class PacedReader<T, S> implements SourceReader<T, S> {
  private tokens = 0;
  private last = platform.clock.monotonicMs();
  private waitMs = 0;
  private readonly cap: number;

  constructor(
    private readonly inner: SourceReader<T, S>,
    private readonly rate: number,
  ) {
    this.cap = Math.max(1, rate * 0.2);
  }

  start(): void | Promise<void> {
    return this.inner.start?.();
  }

  addSplits(splits: S[]): void {
    this.inner.addSplits(splits);
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    const now = platform.clock.monotonicMs();
    this.tokens = Math.min(this.cap, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) {
      this.waitMs = Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
      return 'NOTHING_AVAILABLE';
    }
    this.waitMs = 0;
    if (output !== this.output) {
      this.output = output;
      this.counted = this.counting(output);
    }
    return this.inner.pollNext(this.counted!);
  }

  private output?: ReaderOutput<T>;
  private counted?: ReaderOutput<T>;

  private counting(output: ReaderOutput<T>): ReaderOutput<T> {
    const take = () => void (this.tokens -= 1);
    const wrap = (o: ReaderOutput<T>): ReaderOutput<T> => ({
      collect: (value, timestamp) => {
        take();
        o.collect(value, timestamp);
      },
      markIdle: () => o.markIdle(),
      ...(o.createOutputForSplit ? { createOutputForSplit: (id: string) => wrap(o.createOutputForSplit!(id)) } : {}),
      ...(o.releaseOutputForSplit ? { releaseOutputForSplit: (id: string) => o.releaseOutputForSplit!(id) } : {}),
    });
    return wrap(output);
  }

  isAvailable(): Promise<void> {
    if (this.waitMs > 0) return delay(platform.clock, this.waitMs);
    return this.inner.isAvailable();
  }

  snapshotState(checkpointId: number): S[] {
    return this.inner.snapshotState(checkpointId);
  }

  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return this.inner.notifyCheckpointComplete?.(checkpointId);
  }

  close(): void | Promise<void> {
    return this.inner.close?.();
  }
}
