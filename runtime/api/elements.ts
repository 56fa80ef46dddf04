/**
 * The ordered union that flows through every channel: record | watermark | watermark status |
 * checkpoint barrier | end of input. Operators see records and watermarks through their contract; the
 * other kinds are consumed by the task (alignment, valve, shutdown) and never reach user code.
 *
 * Invariants: `kind` is a small integer so a switch on it is cheap; records carry `timestamp` NaN when
 * they have none (Flink's "no timestamp"); elements are plain objects so msgpackr can encode them.
 */
export const enum ElementKind {
  Record = 0,
  Watermark = 1,
  WatermarkStatus = 2,
  Barrier = 3,
  EndOfInput = 4,
}

export interface StreamRecord<T = unknown> {
  kind: ElementKind.Record;
  value: T;
  /** Event timestamp in ms, NaN when the record has none. */
  timestamp: number;
}

export interface WatermarkElement {
  kind: ElementKind.Watermark;
  timestamp: number;
}

export interface WatermarkStatusElement {
  kind: ElementKind.WatermarkStatus;
  idle: boolean;
}

export const CHECKPOINT_KINDS = ['CHECKPOINT', 'SAVEPOINT', 'SYNC_SAVEPOINT'] as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

export interface CheckpointBarrier {
  kind: ElementKind.Barrier;
  checkpointId: number;
  timestampMs: number;
  checkpointKind: CheckpointKind;
  /** Stop-with-savepoint with drain: sources emit MAX_WATERMARK before the barrier. */
  drain?: boolean;
}

export interface EndOfInputElement {
  kind: ElementKind.EndOfInput;
  /**
   * Stop-with-savepoint without drain: the input was suspended, not exhausted. Operators are closed without
   * finish() (no flushing of windows, buffers or sink transactions past the savepoint), as in Flink.
   */
  suspended?: boolean;
}

export type StreamElement =
  | StreamRecord
  | WatermarkElement
  | WatermarkStatusElement
  | CheckpointBarrier
  | EndOfInputElement;

export function record<T>(value: T, timestamp = NaN): StreamRecord<T> {
  return { kind: ElementKind.Record, value, timestamp };
}

export function watermark(timestamp: number): WatermarkElement {
  return { kind: ElementKind.Watermark, timestamp };
}

export function hasTimestamp(r: StreamRecord): boolean {
  return !Number.isNaN(r.timestamp);
}
