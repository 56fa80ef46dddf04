/**
 * Runs a Flink 1.x legacy `SinkFunction` (`stream.addSink(fn)`) as a sluice Sink: each subtask's writer
 * opens its own copy of the function (runtime context, `open`), calls `invoke(value, context)` per record
 * and `close` at the end. No committer: output is at-least-once across failures.
 */
import { copyUserFunction } from '../../runtime/api/abstract-operator.js';
import { openFunction } from '../../runtime/api/rich-functions.js';
import { createStatelessRuntimeContext } from '../../runtime/api/runtime-context.js';
import type { SinkFunction, SinkFunctionContext } from '../../runtime/api/sink-functions.js';
import type { Sink, SinkWriter, SinkWriterContext } from '../../runtime/api/source.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import { platform } from '../../runtime/platform/index.js';

export class SinkFunctionSink<T> implements Sink<T> {
  constructor(private readonly fn: SinkFunction<T>) {
    if (!fn || (typeof fn !== 'function' && typeof fn.invoke !== 'function'))
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'addSink(fn): expected a SinkFunction (an object with invoke(value, context)); for new code use sinkTo(sink)',
      );
  }

  async createWriter(ctx: SinkWriterContext): Promise<SinkWriter<T>> {
    const fn: SinkFunction<T> =
      typeof this.fn === 'function' ? { invoke: this.fn as SinkFunction<T>['invoke'] } : copyUserFunction(this.fn);
    await openFunction(fn, createStatelessRuntimeContext({ ...ctx, name: 'Sink' }, 'a sink'));
    let current = Number.NaN;
    const context: SinkFunctionContext = {
      timestamp: () => (Number.isNaN(current) ? null : current),
      currentProcessingTime: () => platform.clock.nowMs(),
    };
    return {
      write(value: T, timestamp: number) {
        current = timestamp;
        return fn.invoke(value, context);
      },
      async close() {
        await (fn as { close?: () => unknown }).close?.();
      },
    };
  }
}
