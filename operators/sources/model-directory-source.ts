/**
 * ModelDirectorySource: a model stream read from a directory — every `*.model.json` file (a ModelDescriptor
 * in its JSON encoding) becomes one record, in file-name order, once. A training job "publishes" a model
 * by writing the file atomically (temp file + rename), which makes the success of training an event on
 * the stream without a broker. The source ends when a file named `_done` appears (bounded runs), so
 * it can close a job whose trainer is part of the same dataflow.
 *
 * Invariants: one split; its state is the set of file names already emitted, so a restore never emits a
 * model twice and never skips one. The reader marks its output idle from the start: a quiet model stream
 * must not hold back event time downstream (records still flow while idle). Files that fail to parse are
 * reported as malformed with the reason, and skipped.
 */
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from '../../runtime/api/source.js';
import { platform } from '../../runtime/platform/index.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { decodeDescriptorJson, type ModelDescriptor } from '../ml/descriptor.js';

export interface ModelDirectorySplit {
  id: string;
  emitted: string[];
}

export const MODEL_FILE_SUFFIX = '.model.json';
export const DONE_FILE = '_done';

export class ModelDirectorySource implements Source<ModelDescriptor, ModelDirectorySplit> {
  readonly boundedness = 'CONTINUOUS_UNBOUNDED' as const;

  constructor(
    readonly directory: string,
    private readonly pollIntervalMs = 200,
  ) {
    if (!directory) throw new SluiceError('API_INVALID_ARGUMENT', 'ModelDirectorySource needs a directory');
  }

  createSplits(): ModelDirectorySplit[] {
    return [{ id: 'models', emitted: [] }];
  }

  createReader(ctx: SourceReaderContext): SourceReader<ModelDescriptor, ModelDirectorySplit> {
    return new ModelDirectoryReader(this.directory, this.pollIntervalMs, ctx);
  }
}

class ModelDirectoryReader implements SourceReader<ModelDescriptor, ModelDirectorySplit> {
  private split: ModelDirectorySplit | undefined;
  private emitted = new Set<string>();
  private markedIdle = false;

  constructor(
    private readonly dir: string,
    private readonly pollIntervalMs: number,
    private readonly ctx: SourceReaderContext,
  ) {}

  addSplits(splits: ModelDirectorySplit[]): void {
    for (const s of splits) {
      this.split = s;
      this.emitted = new Set(s.emitted);
    }
  }

  pollNext(output: ReaderOutput<ModelDescriptor>): InputStatus {
    if (!this.split) return 'END_OF_INPUT';
    if (!this.markedIdle) {
      output.markIdle();
      this.markedIdle = true;
    }
    platform.files.mkdirs(this.dir);
    const names = platform.files.list(this.dir).sort();
    for (const name of names) {
      if (!name.endsWith(MODEL_FILE_SUFFIX) || this.emitted.has(name)) continue;
      this.emitted.add(name);
      try {
        output.collect(decodeDescriptorJson(platform.files.readText(`${this.dir}/${name}`)));
      } catch (e) {
        this.ctx.reportMalformed(name, `model file ${name}: ${(e as Error).message}`);
      }
      return 'MORE_AVAILABLE'; // one model per poll keeps checkpoints between models
    }
    return names.includes(DONE_FILE) ? 'END_OF_INPUT' : 'NOTHING_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    return new Promise((resolve) => platform.clock.setTimeout(resolve, this.pollIntervalMs));
  }

  snapshotState(): ModelDirectorySplit[] {
    return this.split ? [{ id: this.split.id, emitted: [...this.emitted].sort() }] : [];
  }
}

/** Publishes a descriptor into a model directory atomically (what a trainer calls). */
export function publishModel(
  directory: string,
  d: ModelDescriptor,
  fileStem: string,
  encode: (d: ModelDescriptor) => string,
): string {
  const file = `${directory}/${fileStem}${MODEL_FILE_SUFFIX}`;
  // the temporary name does not end in MODEL_FILE_SUFFIX, so a polling source never reads a partial file
  platform.files.writeFileAtomic(file, encode(d));
  return file;
}
