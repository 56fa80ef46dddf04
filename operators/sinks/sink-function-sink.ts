/**
 * Runs a Flink 1.x legacy `SinkFunction` (`stream.addSink(fn)`) as a sluice Sink: each subtask's writer
 * opens its own copy of the function (runtime context, `open`), calls `invoke(value, context)` per record
 * and `close` at the end. No committer: output is at-least-once across failures.
 */
import { copyUserFunction } from '../../runtime/api/abstract-operator.js';
import type { RuntimeContext } from '../../runtime/api/functions.js';
import { openFunction } from '../../runtime/api/rich-functions.js';
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
    await openFunction(fn, sinkRuntimeContext(ctx));
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

function sinkRuntimeContext(ctx: SinkWriterContext): RuntimeContext {
  const noKeyedState = (): never => {
    throw new SluiceError('API_NOT_KEYED', 'keyed state is not available in a sink');
  };
  return {
    getIndexOfThisSubtask: () => ctx.subtaskIndex,
    getNumberOfParallelSubtasks: () => ctx.parallelism,
    getMaxNumberOfParallelSubtasks: () => ctx.parallelism,
    getTaskName: () => 'Sink',
    getAttemptNumber: () => ctx.attemptNumber,
    getState: noKeyedState,
    getListState: noKeyedState,
    getMapState: noKeyedState,
    getReducingState: noKeyedState,
    getAggregatingState: noKeyedState,
    getTaskNameWithSubtasks() {
      return `${this.getTaskName()} (${this.getIndexOfThisSubtask() + 1}/${this.getNumberOfParallelSubtasks()})#${this.getAttemptNumber()}`;
    },
    getTaskInfo() {
      return this;
    },
    getJobParameter: (k, dflt) => ctx.jobConfig[k] ?? dflt,
    getMetricGroup: () => {
      const inert = () => ({ inc: () => {}, getCount: () => 0 });
      return { counter: inert, userCounter: inert, gauge: () => {} };
    },
  };
}
