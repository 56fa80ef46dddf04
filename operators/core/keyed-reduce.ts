/**
 * StreamGroupedReduce: keyed rolling reduce with the running value in keyed ValueState (uid required);
 * emits the updated value per input, as Flink's KeyedStream.reduce/sum/min/max.
 */
import { Tuple } from '../../runtime/api/tuple.js';
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

/** sum/min/max/minBy/maxBy over a field, as Flink's aggregation functions on tuples/POJOs. */
export function fieldAggregation<T>(
  kind: 'sum' | 'min' | 'max' | 'minBy' | 'maxBy',
  field: string | number,
): (a: T, b: T) => T {
  const get = (v: T) =>
    (v instanceof Tuple && typeof field === 'number'
      ? v.getField(field)
      : (v as Record<string | number, number>)[field]) as number;
  const set = (v: T, x: number): T => {
    if (v instanceof Tuple) {
      const c = v.copy(); // a tuple stays a tuple of its arity
      (c as unknown as Record<string, number>)[typeof field === 'number' ? `f${field}` : field] = x;
      return c as T;
    }
    if (Array.isArray(v)) {
      const c = v.slice();
      c[field as number] = x;
      return c as T;
    }
    return { ...(v as object), [field]: x } as T;
  };
  switch (kind) {
    case 'sum':
      return (a, b) => set(a, get(a) + get(b));
    case 'min':
      return (a, b) => set(a, Math.min(get(a), get(b)));
    case 'max':
      return (a, b) => set(a, Math.max(get(a), get(b)));
    case 'minBy':
      return (a, b) => (get(b) < get(a) ? b : a);
    case 'maxBy':
      return (a, b) => (get(b) > get(a) ? b : a);
  }
}
