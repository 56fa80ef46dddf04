/**
 * Flink 1.x legacy sources, accepted as deprecated aliases: `SourceFunction` (an object with `run(ctx)` and
 * `cancel()`), `RichSourceFunction`, `RichParallelSourceFunction` and `Watermark`, run by
 * `env.addSource(fn)` through operators/sources/source-function-source.ts. Flink 2.x has only FLIP-27
 * sources (`env.fromSource`).
 *
 * Invariants: `run` may be async and, for an unbounded source, must await between emissions (it runs on
 * the task's event loop, not in a thread of its own); the source ends when `run` settles. A legacy source
 * is not checkpointable: its checkpointed state is empty, so after a failure or restore it runs again from
 * the beginning (Flink's `CheckpointedFunction` on legacy sources is not supported; write a `Source`).
 */
import { AbstractRichFunction } from './rich-functions.js';

/** Flink's `org.apache.flink.streaming.api.watermark.Watermark`. */
export class Watermark {
  constructor(readonly timestamp: number) {}
  getTimestamp(): number {
    return this.timestamp;
  }
  toString(): string {
    return `Watermark @ ${this.timestamp}`;
  }
}

export interface SourceContext<T> {
  collect(element: T): void;
  collectWithTimestamp(element: T, timestampMs: number): void;
  /** Ignored when the stream has a WatermarkStrategy downstream, as in Flink. */
  emitWatermark(mark: Watermark): void;
  markAsTemporarilyIdle(): void;
  /** Java code synchronises on this; in sluice every call already runs on the task's one thread. */
  getCheckpointLock(): object;
  close(): void;
}

export interface SourceFunction<T> {
  run(ctx: SourceContext<T>): void | Promise<void>;
  cancel(): void;
}
type OuterSourceContext<T> = SourceContext<T>;
export declare namespace SourceFunction {
  type SourceContext<T> = OuterSourceContext<T>;
}

export abstract class RichSourceFunction<T> extends AbstractRichFunction implements SourceFunction<T> {
  abstract run(ctx: SourceContext<T>): void | Promise<void>;
  abstract cancel(): void;
}

/** Runs at the operator's parallelism, one copy per subtask (a plain SourceFunction runs at parallelism 1). */
export abstract class RichParallelSourceFunction<T> extends RichSourceFunction<T> {
  readonly isParallelSource = true;
}
