/**
 * FileSource: a replayable bounded source over files — JSON lines, CSV (header row, comma-separated, no
 * quoted commas) or Arrow IPC. Each file is a split; the split position (line or row index) is
 * checkpointed, so a restored or replayed job continues exactly after the last checkpointed record.
 * A malformed line goes to the task's malformed-record report with the file, line and reason, and the
 * source continues.
 *
 * Invariant: a malformed line is a record like any other — reported when the reader reaches its position,
 * in file order between its neighbours, and covered by the checkpointed position (a restore reports only
 * the malformed lines after it, once).
 */
import { tableFromIPC } from 'apache-arrow';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from '../../runtime/api/source.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform } from '../../runtime/platform/index.js';

export type FileFormat = 'jsonl' | 'csv' | 'arrow';

export interface FileSplit {
  id: string;
  path: string;
  /** Index of the next record (line for jsonl/csv after the header, row for arrow). */
  next: number;
}

export interface FileSourceOptions<T> {
  format: FileFormat;
  /** Event timestamp of a record (default none). */
  timestampOf?: (record: T) => number;
  /** Records per poll (default 1024). */
  batchSize?: number;
}

/** A line that failed to decode, kept at its position until the reader reaches it. */
class Malformed {
  constructor(
    readonly raw: string,
    readonly reason: string,
  ) {}
}

function loadRecords(path: string, format: FileFormat): Array<unknown> {
  if (format === 'arrow') {
    const table = tableFromIPC(platform.files.readBytes(path));
    return table.toArray().map((row) => row.toJSON());
  }
  const lines = platform.files.readText(path).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (format === 'jsonl') {
    return lines.map((line, i) => {
      try {
        return JSON.parse(line);
      } catch (e) {
        return new Malformed(line, `${path}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
    });
  }
  const header = (lines.shift() ?? '').split(',');
  return lines.map((line, i) => {
    const cells = line.split(',');
    if (cells.length !== header.length)
      return new Malformed(line, `${path}:${i + 2}: expected ${header.length} fields, got ${cells.length}`);
    return Object.fromEntries(header.map((h, k) => [h, cells[k]]));
  });
}

class FileReader<T> implements SourceReader<T, FileSplit> {
  private splits: FileSplit[] = [];
  private records: unknown[] | undefined;
  constructor(
    private readonly o: FileSourceOptions<T>,
    private readonly ctx: SourceReaderContext,
  ) {}
  addSplits(splits: FileSplit[]): void {
    this.splits.push(...splits.map((s) => ({ ...s })));
  }
  pollNext(out: ReaderOutput<T>): InputStatus {
    const s = this.splits[0];
    if (!s) return 'END_OF_INPUT';
    this.records ??= loadRecords(s.path, this.o.format);
    const stop = Math.min(this.records.length, s.next + (this.o.batchSize ?? 1024));
    while (s.next < stop) {
      const r = this.records[s.next++];
      if (r instanceof Malformed) {
        this.ctx.reportMalformed(r.raw, r.reason);
        continue;
      }
      out.collect(r as T, this.o.timestampOf ? this.o.timestampOf(r as T) : undefined);
    }
    if (s.next >= this.records.length) {
      this.splits.shift();
      this.records = undefined;
    }
    return this.splits.length ? 'MORE_AVAILABLE' : 'END_OF_INPUT';
  }
  isAvailable(): Promise<void> {
    return Promise.resolve();
  }
  snapshotState(): FileSplit[] {
    return this.splits.map((s) => ({ ...s }));
  }
}

export class FileSource<T> implements Source<T, FileSplit> {
  readonly boundedness = 'BOUNDED' as const;
  constructor(
    private readonly paths: string[],
    private readonly options: FileSourceOptions<T>,
  ) {
    if (!paths.length) throw new SluiceError('API_INVALID_ARGUMENT', 'FileSource needs at least one file');
  }
  createSplits(): FileSplit[] {
    return [...this.paths].sort().map((path) => {
      if (!platform.files.exists(path))
        throw new SluiceError('API_INVALID_ARGUMENT', `FileSource: no such file ${path}`);
      return { id: path, path, next: 0 };
    });
  }
  createReader(ctx: SourceReaderContext): SourceReader<T, FileSplit> {
    return new FileReader<T>(this.options, ctx);
  }
}
