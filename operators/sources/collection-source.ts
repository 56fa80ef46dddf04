/**
 * Bounded in-memory sources: `fromElements` (one split holding the elements and a position) and
 * `fromSequence` (the range split evenly into one split per subtask). Positions are the checkpointed split
 * state, so a restored job resumes exactly after the last checkpointed element.
 */
import type { InputStatus, ReaderOutput, Source, SourceReader } from '../../runtime/api/source.js';

interface IndexSplit {
  id: string;
  next: number;
  end: number; // exclusive
}

const BATCH = 1024;

class IndexReader<T> implements SourceReader<T, IndexSplit> {
  private splits: IndexSplit[] = [];
  constructor(private readonly valueAt: (i: number) => T) {}
  addSplits(splits: IndexSplit[]): void {
    this.splits.push(...splits.map((s) => ({ ...s })));
  }
  pollNext(out: ReaderOutput<T>): InputStatus {
    const s = this.splits[0];
    if (!s) return 'END_OF_INPUT';
    const stop = Math.min(s.end, s.next + BATCH);
    while (s.next < stop) {
      const v = this.valueAt(s.next);
      s.next++;
      out.collect(v);
    }
    if (s.next >= s.end) this.splits.shift();
    return this.splits.length ? 'MORE_AVAILABLE' : 'END_OF_INPUT';
  }
  isAvailable(): Promise<void> {
    return Promise.resolve();
  }
  snapshotState(): IndexSplit[] {
    return this.splits.map((s) => ({ ...s }));
  }
}

export class ElementsSource<T> implements Source<T, IndexSplit> {
  readonly boundedness = 'BOUNDED' as const;
  constructor(private readonly elements: readonly T[]) {}
  createSplits(): IndexSplit[] {
    return [{ id: 'elements', next: 0, end: this.elements.length }];
  }
  createReader(): SourceReader<T, IndexSplit> {
    return new IndexReader((i) => this.elements[i] as T);
  }
}

export class SequenceSource implements Source<number, IndexSplit> {
  readonly boundedness = 'BOUNDED' as const;
  constructor(
    private readonly from: number,
    private readonly to: number,
  ) {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from)
      throw new RangeError(`fromSequence(${from}, ${to}): need integers with from <= to`);
  }
  createSplits(parallelism: number): IndexSplit[] {
    const total = this.to - this.from + 1;
    const splits: IndexSplit[] = [];
    for (let i = 0; i < parallelism; i++) {
      const start = Math.floor((total * i) / parallelism);
      const end = Math.floor((total * (i + 1)) / parallelism);
      if (end > start) splits.push({ id: `seq-${i}`, next: start, end });
    }
    return splits;
  }
  createReader(): SourceReader<number, IndexSplit> {
    return new IndexReader((i) => this.from + i);
  }
}
