/**
 * Stateless one-input operators: map, flatMap, filter. Output records keep the input timestamp.
 */
import { AbstractUdfOperator } from '../../runtime/api/abstract-operator.js';
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import { fnOf, type FilterFunction, type FlatMapFunction, type MapFunction } from '../../runtime/api/functions.js';

export class StreamMap<I, O> extends AbstractUdfOperator<MapFunction<I, O>> {
  private readonly fn = fnOf<(v: I) => O>(this.userFunction as never, 'map');
  processElement(r: StreamRecord): void {
    this.ctx.output.collect({ kind: ElementKind.Record, value: this.fn(r.value as I), timestamp: r.timestamp });
  }
}

export class StreamFlatMap<I, O> extends AbstractUdfOperator<FlatMapFunction<I, O>> {
  private readonly fn = fnOf<(v: I, out: { collect(v: O): void }) => void>(this.userFunction as never, 'flatMap');
  processElement(r: StreamRecord): void {
    this.currentTimestamp = r.timestamp;
    this.fn(r.value as I, this.collector as never);
  }
}

export class StreamFilter<I> extends AbstractUdfOperator<FilterFunction<I>> {
  private readonly fn = fnOf<(v: I) => boolean>(this.userFunction as never, 'filter');
  processElement(r: StreamRecord): void {
    if (this.fn(r.value as I)) this.ctx.output.collect(r);
  }
}
