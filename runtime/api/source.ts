/**
 * The source contract (a simplified FLIP-27): a source describes its splits and creates one reader per
 * parallel subtask. Split assignment is deterministic (split i goes to subtask i % parallelism) so every
 * process derives the same assignment; on restore the readers get their checkpointed splits instead.
 *
 * Invariants: `snapshotState` returns the reader's current split positions (msgpack-encodable), taken
 * between two `pollNext` calls; a reader never emits a record after returning END_OF_INPUT.
 */
import { OutputTag } from './output-tag.js';

export type Boundedness = 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';

export type InputStatus = 'MORE_AVAILABLE' | 'NOTHING_AVAILABLE' | 'END_OF_INPUT';

export interface ReaderOutput<T> {
  /** Emits a record; `timestamp` is the source timestamp (NaN or omitted when none). */
  collect(value: T, timestamp?: number): void;
  /** Per-split output so per-split watermarks are combined by min (Flink's split-local watermarks). */
  createOutputForSplit?(splitId: string): ReaderOutput<T>;
  releaseOutputForSplit?(splitId: string): void;
  markIdle(): void;
  /** A watermark from the source itself (legacy SourceFunctions); ignored when a WatermarkStrategy runs. */
  emitWatermark?(timestampMs: number): void;
}

/** What a source reports for input it cannot decode: the source's uid, the reason and the raw input. */
export interface MalformedRecord {
  source: string;
  subtaskIndex: number;
  reason: string;
  raw: unknown;
}

/**
 * Side output of every source: `env.fromSource(…).getSideOutput(MALFORMED_TAG)` is the stream of input
 * the source could not decode (a Kafka record with topic, partition and offset, a bad file line), each
 * with its reason. Without a consumer the records are counted (`numMalformedRecords`) and dropped.
 */
export const MALFORMED_TAG = new OutputTag<MalformedRecord>('malformed');

export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly jobConfig: Readonly<Record<string, string>>;
  /** Side output for malformed input, with a reason (records are never silently lost). */
  reportMalformed(raw: unknown, reason: string): void;
}

export interface SourceReader<T, Split> {
  start?(): void | Promise<void>;
  addSplits(splits: Split[]): void;
  /** Emits up to a bounded number of records; must not block. */
  pollNext(output: ReaderOutput<T>): InputStatus;
  /** Resolves when pollNext may make progress again after NOTHING_AVAILABLE. */
  isAvailable(): Promise<void>;
  snapshotState(checkpointId: number): Split[];
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface Source<T, Split = unknown> {
  readonly boundedness: Boundedness;
  /** Splits of a fresh start for the given parallelism (deterministic across processes). */
  createSplits(parallelism: number): Split[] | Promise<Split[]>;
  createReader(ctx: SourceReaderContext): SourceReader<T, Split>;
}

/** Sink contract (Sink V2 shaped): writers per subtask, optional two-phase commit. */
export interface SinkWriterContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly attemptNumber: number;
  readonly jobId: string;
  readonly jobConfig: Readonly<Record<string, string>>;
}

export interface SinkWriter<T, CommT = unknown, WriterStateT = unknown> {
  /** A returned promise is back-pressure: the task takes no further input until it settles. */
  write(value: T, timestamp: number): void | Promise<void>;
  /** Called at barriers (endOfInput false) and at end of input (true). */
  flush?(endOfInput: boolean): void | Promise<void>;
  /** Two-phase commit: committables of the transaction that ends at this checkpoint. */
  prepareCommit?(checkpointId: number): CommT[] | Promise<CommT[]>;
  snapshotState?(checkpointId: number): WriterStateT[];
  close?(): void | Promise<void>;
}

export interface Committer<CommT> {
  /** Commits; must be idempotent (a committable may be committed again after recovery). */
  commit(committables: CommT[]): void | Promise<void>;
  /**
   * Restore from checkpoint `restoredCheckpointId`, before its committables are committed again: withdraw
   * what commits of later checkpoints made visible, since the input after the restored checkpoint is
   * replayed (a fallback past a corrupt checkpoint, a restore from an older savepoint). Each subtask
   * withdraws the output of former subtasks `s` with `s % parallelism === subtaskIndex`. Optional: a sink
   * whose commits cannot be undone (a Kafka transaction) duplicates the replayed span after such a fallback.
   */
  withdrawCommittedAfter?(restoredCheckpointId: number): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface Sink<T, CommT = unknown, WriterStateT = unknown> {
  createWriter(
    ctx: SinkWriterContext,
    restoredState: WriterStateT[],
  ): SinkWriter<T, CommT, WriterStateT> | Promise<SinkWriter<T, CommT, WriterStateT>>;
  createCommitter?(ctx: SinkWriterContext): Committer<CommT>;
  /**
   * What the sink writes, as its default operator name in the plan, the dashboard and task failures
   * (`FileSink: out/taxi/predictions`, `KafkaSink: taxi.predictions`); `.name()` on the sink overrides it.
   */
  describe?(): string;
}
