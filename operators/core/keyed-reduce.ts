/**
 * StreamGroupedReduce: keyed rolling reduce with the running value in keyed ValueState (uid required);
 * emits the updated value per input, as Flink's KeyedStream.reduce/sum/min/max.
 */
import { AbstractUdfOperator } from '../../runtime/api/abstract-operator.js';
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import { fnOf, type ReduceFunction } from '../../runtime/api/functions.js';
import { ValueStateDescriptor, type ValueState } from '../../runtime/api/state.js';

export class StreamGroupedReduce<T> extends AbstractUdfOperator<ReduceFunction<T>> {
  private readonly fn = fnOf<(a: T, b: T) => T>(this.userFunction as never, 'reduce');
  private state!: ValueState<T>;

  override async open(): Promise<void> {
    this.state = this.ctx.keyedStateBackend!.getState(new ValueStateDescriptor<T>('_op_state'));
    await super.open();
  }

  processElement(r: StreamRecord): void {
    const cur = this.state.value();
    const next = cur === undefined ? (r.value as T) : this.fn(cur, r.value as T);
    this.state.update(next);
    this.ctx.output.collect({ kind: ElementKind.Record, value: next, timestamp: r.timestamp });
  }
}

/** sum/min/max/minBy/maxBy over a field (Flink's semantics): see field-aggregation.ts. */
export { fieldAggregation } from './field-aggregation.js';
