/**
 * FileSource: a replayable bounded source over files — JSON lines, CSV (header row, comma-separated, no
 * quoted commas), Arrow IPC, or text lines (`FileSource.forRecordStreamFormat(new TextLineInputFormat(),
 * path).build()`, Flink's builder). Each file is a split; the split position (line or row index) is
 * checkpointed, so a restored or replayed job continues exactly after the last checkpointed record.
 * A directory stands for the files under it, recursively, skipping hidden ones (names starting with `.`
 * or `_`, as Flink's default file filter). A malformed line goes to the task's malformed-record report
 * with the file, line and reason, and the source continues.
 *
 * Invariant: a malformed line is a record like any other — reported when the reader reaches its position,
 * in file order between its neighbours, and covered by the checkpointed position (a restore reports only
 * the malformed lines after it, once).
 */
import { join } from 'node:path';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from '../../runtime/api/source.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform } from '../../runtime/platform/index.js';
import { splitLines, type TextLineInputFormat } from './text-line-format.js';

export type FileFormat = 'jsonl' | 'csv' | 'arrow' | 'text';

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
  /** Text files: the Node encoding (default utf8). */
  encoding?: BufferEncoding;
}

type Arrow = typeof import('apache-arrow');
let arrow: Arrow | undefined;
let arrowLoading: Promise<void> | undefined;
/** apache-arrow loads when a reader first meets an Arrow file, not with the runtime (most jobs never read one). */
function loadArrow(): Promise<void> {
  arrowLoading ??= import('apache-arrow').then((m) => {
    arrow = m;
  });
  return arrowLoading;
}

/** A line that failed to decode, kept at its position until the reader reaches it. */
class Malformed {
  constructor(
    readonly raw: string,
    readonly reason: string,
  ) {}
}

function loadRecords(path: string, format: FileFormat, encoding: BufferEncoding = 'utf8'): Array<unknown> {
  if (format === 'text') return splitLines(platform.files.readBytes(path).toString(encoding));
  if (format === 'arrow') {
    const table = arrow!.tableFromIPC(platform.files.readBytes(path));
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
  /** Set while apache-arrow loads (the first Arrow file): isAvailable waits for it. */
  private loading: Promise<void> | undefined;
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
    if (this.o.format === 'arrow' && !arrow) {
      this.loading = loadArrow();
      return 'NOTHING_AVAILABLE';
    }
    this.records ??= loadRecords(s.path, this.o.format, this.o.encoding);
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
    return this.loading ?? Promise.resolve();
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
  /** Flink's builder: `FileSource.forRecordStreamFormat(new TextLineInputFormat(), path…).build()`. */
  static forRecordStreamFormat(
    format: TextLineInputFormat,
    ...paths: Array<string | { toString(): string }>
  ): { build(): FileSource<string> } {
    if (format?.format !== 'text')
      throw new SluiceError('API_INVALID_ARGUMENT', 'forRecordStreamFormat: expected a TextLineInputFormat');
    const files = paths.map(String);
    return { build: () => new FileSource<string>(files, { format: 'text', encoding: format.encoding }) };
  }

  createSplits(): FileSplit[] {
    const files: string[] = [];
    for (const path of this.paths) {
      if (!platform.files.exists(path))
        throw new SluiceError('API_INVALID_ARGUMENT', `FileSource: no such file ${path}`);
      if (platform.files.isDirectory(path)) files.push(...filesUnder(path));
      else files.push(path);
    }
    return files.sort().map((path) => ({ id: path, path, next: 0 }));
  }
  createReader(ctx: SourceReaderContext): SourceReader<T, FileSplit> {
    return new FileReader<T>(this.options, ctx);
  }
}

/** Regular files under `dir`, recursively, without hidden ones (`.x`, `_x`). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of platform.files.list(dir)) {
    if (name.startsWith('.') || name.startsWith('_')) continue;
    const p = join(dir, name);
    if (platform.files.isDirectory(p)) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}
