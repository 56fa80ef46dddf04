/**
 * KeyedStream: a stream partitioned by key group (Flink's hash partitioning). Every transformation on it
 * runs in the current key's context (keyed state; timers in process functions), map/flatMap/filter too.
 *
 * Invariant: composition, not inheritance, over DataStream (avoids an ESM import cycle); the partitioned
 * view is `stream`.
 */
import {
  fnOf,
  type FilterFunction,
  type FlatMapFunction,
  type KeyedProcessFunction,
  type MapFunction,
  type ReduceFunction,
} from '../api/functions.js';
import type { Sink } from '../api/source.js';
import { ProcessOperator } from '../../operators/core/process.js';
import { StreamGroupedReduce, fieldAggregation } from '../../operators/core/keyed-reduce.js';
import { StreamFilter, StreamFlatMap, StreamMap } from '../../operators/core/simple.js';
import {
  DataStream,
  streamClasses,
  type DataStreamSink,
  type SingleOutputStreamOperator,
  type TransformOptions,
} from './data-stream.js';
import type { StreamExecutionEnvironment } from './environment.js';
import { SluiceError } from '../errors/catalogue.js';
import { GlobalWindows } from '../../operators/windows/global-windows.js';
import { CountTrigger, PurgingTrigger } from '../../operators/windows/triggers.js';
import { CountEvictor } from '../../operators/windows/evictors.js';
import type { WindowAssigner } from '../../operators/windows/window-assigner.js';
import type { Trigger } from '../../operators/windows/trigger.js';
import type { Evictor } from '../../operators/windows/evictors.js';
import type { GlobalWindow, Window } from '../../operators/windows/window.js';

export class KeyedStream<T, K> {
  readonly stream: DataStream<T>;
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly nodeId: number,
    readonly keySelector: (v: T) => K,
    sideOutputTag?: string,
  ) {
    this.stream = new DataStream<T>(env, nodeId, 'hash', true, keySelector, sideOutputTag);
  }

  /** A keyed one-input operator (keyed state and timers available). */
  transformKeyed<O>(opts: TransformOptions): SingleOutputStreamOperator<O> {
    return this.stream.transform<O>({ ...opts, keyed: true });
  }

  process<O>(fn: KeyedProcessFunction<K, T, O>): SingleOutputStreamOperator<O> {
    return this.transformKeyed({
      name: 'KeyedProcess',
      factory: () => new ProcessOperator(fn as never),
      stateful: true,
      sideOutputs: ['*'],
    });
  }

  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T> {
    const f = fnOf<(a: T, b: T) => T>(fn as never, 'reduce');
    return this.transformKeyed({ name: 'Keyed Reduce', factory: () => new StreamGroupedReduce<T>(f), stateful: true });
  }

  sum(field: string | number): SingleOutputStreamOperator<T> {
    return this.aggregateField('sum', field);
  }
  min(field: string | number): SingleOutputStreamOperator<T> {
    return this.aggregateField('min', field);
  }
  max(field: string | number): SingleOutputStreamOperator<T> {
    return this.aggregateField('max', field);
  }
  /** The element with the minimum; on ties the first (default) or, with `first` false, the last. */
  minBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.aggregateField('minBy', field, first);
  }
  maxBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.aggregateField('maxBy', field, first);
  }
  private aggregateField(
    kind: 'sum' | 'min' | 'max' | 'minBy' | 'maxBy',
    field: string | number,
    first = true,
  ): SingleOutputStreamOperator<T> {
    const f = fieldAggregation<T>(kind, field, first);
    return this.transformKeyed({
      name: `Keyed Aggregation (${kind} ${field})`,
      factory: () => new StreamGroupedReduce<T>(f),
      stateful: true,
    });
  }

  /** Windows per key (Flink's KeyedStream.window): add trigger/evictor/lateness, then a window function. */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream<T, K, W>(this, assigner);
  }

  /** Count windows: every `size` elements per key (sliding by `slide` when given), as Flink's countWindow. */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    if (!(Number.isInteger(size) && size > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `countWindow(${size}): size must be a positive integer`);
    const windowed = this.window(GlobalWindows.create() as WindowAssigner<T, GlobalWindow>);
    if (slide === undefined)
      return windowed.trigger(PurgingTrigger.of(CountTrigger.of(size) as Trigger<T, GlobalWindow>));
    return windowed
      .evictor(CountEvictor.of(size) as Evictor<T, GlobalWindow>)
      .trigger(CountTrigger.of(slide) as Trigger<T, GlobalWindow>);
  }

  /** Event-time interval join with another keyed stream: `.between(lowerMs, upperMs).process(fn)`. */
  intervalJoin<R>(other: KeyedStream<R, K>): IntervalJoin<T, R, K> {
    return new IntervalJoin<T, R, K>(this, other);
  }

  // As in Flink, map/flatMap/filter on a keyed stream run in the key's context: a rich function may use
  // keyed state (getRuntimeContext().getState(…)).
  map<O>(fn: MapFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.transformKeyed({ name: 'Map', factory: () => new StreamMap(fn) });
  }
  flatMap<O>(fn: FlatMapFunction<T, O>): SingleOutputStreamOperator<O> {
    return this.transformKeyed({ name: 'Flat Map', factory: () => new StreamFlatMap(fn) });
  }
  filter(fn: FilterFunction<T>): SingleOutputStreamOperator<T> {
    return this.transformKeyed({ name: 'Filter', factory: () => new StreamFilter(fn) });
  }
  sinkTo(sink: Sink<T, any, any>): DataStreamSink {
    return this.stream.sinkTo(sink);
  }
  print(prefix?: string): DataStreamSink {
    return this.stream.print(prefix);
  }
  connect<U>(other: DataStream<U> | KeyedStream<U, K>): ConnectedStreams<T, U> {
    return new ConnectedStreams<T, U>(this.stream, other instanceof KeyedStream ? other.stream : other);
  }
}

import { ConnectedStreams } from './connected-streams.js';
import { WindowedStream } from './windowed-stream.js';
import { IntervalJoin } from './interval-join.js';

streamClasses.KeyedStream = KeyedStream;
