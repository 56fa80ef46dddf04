/**
 * FileSink: an exactly-once file sink with two-phase commit (Flink's FileSink lifecycle). Records go to a
 * hidden in-progress part file per subtask and attempt; at a barrier the part is closed and renamed to a
 * hidden pending file (the committable, stored in the checkpoint); when the checkpoint completes the
 * committer renames pending → `part-<subtask>-<checkpoint>-<attempt>-<n>` (visible). Commit is idempotent,
 * so committables restored from a checkpoint are committed again safely; in-progress and pending files of
 * failed attempts are never made visible (readers take only `part-*` files).
 *
 * A restore from checkpoint M first withdraws the visible parts committed by later checkpoints (`part-s-C-…`
 * with C > M, or `final`): their input is replayed from M, so after a fallback past a corrupt checkpoint
 * (or a restore from an older savepoint) the directory holds each record once. A withdrawn part is renamed
 * to a hidden `.withdrawn-part-…` file (kept, never read); subtask i withdraws the parts of former subtasks
 * s ≡ i (mod parallelism), so a rescaled restore covers every part exactly once.
 */
import { join } from 'node:path';
import type { Committer, Sink, SinkWriter, SinkWriterContext } from '../../runtime/api/source.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform } from '../../runtime/platform/index.js';
import type { Encoder } from './row-encoders.js';

/** A visible part's name: `part-<subtask>-<checkpoint id, 6+ digits, or final>-…`. */
const PART_NAME = /^part-(\d+)-(\d{6,}|final)-/;

/** Whether a visible part was committed by a checkpoint after `checkpointId` (end of input counts as after). */
export function committedAfter(name: string, checkpointId: number): { subtask: number } | undefined {
  const m = PART_NAME.exec(name);
  if (!m) return undefined;
  return m[2] === 'final' || Number(m[2]) > checkpointId ? { subtask: Number(m[1]) } : undefined;
}

export interface FileCommittable {
  pending: string;
  final: string;
}

export interface FileSinkOptions<T> {
  /** One line per record; default JSON. */
  encode?: (value: T) => string;
  /** Row format (Flink's Encoder): writes each record's bytes itself; takes precedence over `encode`. */
  encoder?: Encoder<T>;
}

export class FileSink<T> implements Sink<T, FileCommittable, never> {
  constructor(
    readonly directory: string,
    private readonly options: FileSinkOptions<T> = {},
  ) {
    if (!directory) throw new SluiceError('API_INVALID_ARGUMENT', 'FileSink needs an output directory');
  }

  describe(): string {
    return `FileSink: ${this.directory}`;
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<T, FileCommittable, never> {
    const files = platform.files;
    files.mkdirs(this.directory);
    const encode = this.options.encode ?? ((v: T) => JSON.stringify(v));
    const encoder = this.options.encoder;
    let bytes: Uint8Array[] = [];
    const toBytes = { write: (c: string | Uint8Array) => void bytes.push(typeof c === 'string' ? Buffer.from(c) : c) };
    const base = `${ctx.subtaskIndex}-${ctx.attemptNumber}-${platform.random.hex(6)}`;
    let part = 0;
    let lines: string[] = [];
    let written = 0;
    const inProgress = () => join(this.directory, `.part-${base}-${part}.inprogress`);
    let buffered = 0;
    const flushLines = () => {
      buffered = 0;
      if (encoder) {
        if (!bytes.length) return;
        files.appendText(inProgress(), Buffer.concat(bytes));
        bytes = [];
        return;
      }
      if (!lines.length) return;
      files.appendText(inProgress(), lines.join('\n') + '\n');
      lines = [];
    };
    return {
      write(value: T) {
        written++;
        if (encoder) encoder.encode(value, toBytes);
        else lines.push(encode(value));
        if (++buffered >= 4096) flushLines();
      },
      flush() {
        flushLines();
      },
      prepareCommit: (checkpointId: number) => {
        flushLines();
        if (written === 0 || !files.exists(inProgress())) return []; // nothing written (or encoded to no bytes)
        const pending = join(this.directory, `.part-${base}-${part}.pending`);
        files.fsync(inProgress());
        files.rename(inProgress(), pending);
        const cid = checkpointId === Number.MAX_SAFE_INTEGER ? 'final' : String(checkpointId).padStart(6, '0');
        const final = join(this.directory, `part-${ctx.subtaskIndex}-${cid}-${base}-${part}`);
        part++;
        written = 0;
        return [{ pending, final }];
      },
    };
  }

  /** Flink's builder: `FileSink.forRowFormat(path, new SimpleStringEncoder()).build()`. */
  static forRowFormat<IN>(basePath: string | { toString(): string }, encoder: Encoder<IN>): { build(): FileSink<IN> } {
    if (!encoder || typeof encoder.encode !== 'function')
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'FileSink.forRowFormat: expected an Encoder (e.g. new SimpleStringEncoder())',
      );
    const dir = String(basePath);
    return { build: () => new FileSink<IN>(dir, { encoder }) };
  }

  createCommitter(ctx: SinkWriterContext): Committer<FileCommittable> {
    const directory = this.directory;
    return {
      withdrawCommittedAfter(restoredCheckpointId) {
        const files = platform.files;
        if (!files.exists(directory)) return;
        for (const name of files.list(directory)) {
          const after = committedAfter(name, restoredCheckpointId);
          if (!after || after.subtask % ctx.parallelism !== ctx.subtaskIndex) continue;
          files.rename(join(directory, name), join(directory, `.withdrawn-${name}`));
        }
      },
      commit(committables) {
        for (const c of committables) {
          if (platform.files.exists(c.final)) continue; // already committed before a failure: idempotent
          if (!platform.files.exists(c.pending))
            throw new SluiceError(
              'CHECKPOINT_STORAGE',
              `FileSink: pending file ${c.pending} of a committed checkpoint is missing`,
            );
          platform.files.rename(c.pending, c.final);
        }
      },
    };
  }
}
