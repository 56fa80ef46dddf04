/**
 * Flink 1.x legacy sinks, accepted as deprecated aliases: `SinkFunction` (`invoke(value, context)`) and
 * `RichSinkFunction` (with `open`/`close` and the runtime context), run by `stream.addSink(fn)` through
 * operators/sinks/sink-function-sink.ts. Flink 2.x has only Sink V2 (`sinkTo`).
 *
 * Invariant: a legacy sink has no two-phase commit; its output is at-least-once across failures.
 */
import { AbstractRichFunction } from './rich-functions.js';

export interface SinkFunctionContext {
  /** The record's timestamp, or null when it has none. */
  timestamp(): number | null;
  currentProcessingTime(): number;
}

export interface SinkFunction<T> {
  invoke(value: T, context: SinkFunctionContext): void | Promise<void>;
}
export declare namespace SinkFunction {
  type Context = SinkFunctionContext;
}

export abstract class RichSinkFunction<T> extends AbstractRichFunction implements SinkFunction<T> {
  abstract invoke(value: T, context: SinkFunctionContext): void | Promise<void>;
}
