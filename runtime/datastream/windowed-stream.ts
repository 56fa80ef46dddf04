/**
 * WindowedStream (`keyBy(...).window(assigner)`) and AllWindowedStream (`windowAll(assigner)`), Flink's
 * builders: trigger, evictor, allowedLateness, sideOutputLateData, then one window function — reduce,
 * aggregate or process, reduce/aggregate optionally followed by a process function, or a field
 * aggregation (sum/min/max/minBy/maxBy) — which adds the WindowOperator to the graph.
 *
 * Invariants: a builder adds nothing until the window function is given; windowAll is the same operator
 * keyed by one constant key at parallelism 1 (as Flink), and its process function gets no key.
 */
import { toMillis, type TimeSpan } from '../api/duration.js';
import {
  fnOf,
  type AggregateFunction,
  type Collector,
  type ReduceFunction,
  type RichFunction,
} from '../api/functions.js';
import type { OutputTag } from '../api/output-tag.js';
import { SluiceError } from '../errors/catalogue.js';
import { fieldAggregation } from '../../operators/core/keyed-reduce.js';
import type { Evictor } from '../../operators/windows/evictors.js';
import type { Trigger } from '../../operators/windows/trigger.js';
import type { WindowAssigner } from '../../operators/windows/window-assigner.js';
import type {
  ProcessWindowContext,
  ProcessWindowFunction,
  WindowFunctionSpec,
} from '../../operators/windows/window-functions.js';
import { WindowOperator } from '../../operators/windows/window-operator.js';
import {
  type AllWindowFunctionLike,
  fromAllWindowFunction,
  fromWindowFunction,
  type WindowFunctionLike,
} from '../../operators/windows/window-function-adapters.js';
import type { Window } from '../../operators/windows/window.js';
import type { SingleOutputStreamOperator } from './data-stream.js';
import type { KeyedStream } from './keyed-stream.js';

/** ProcessAllWindowFunction: a ProcessWindowFunction without the key. */
export type ProcessAllWindowFunction<IN, OUT, W extends Window> =
  | ((context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>) => void)
  | (RichFunction & {
      process(context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
      clear?(context: ProcessWindowContext<W>): void;
    });

type FieldAggregation = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

export class WindowedStream<T, K, W extends Window> {
  private triggerFn: Trigger<T, W> | undefined;
  private evictorFn: Evictor<T, W> | undefined;
  private latenessMs = 0;
  private lateTag: OutputTag<T> | undefined;

  constructor(
    readonly input: KeyedStream<T, K>,
    readonly assigner: WindowAssigner<T, W>,
    private readonly operatorName = 'Window',
  ) {
    if (!assigner || typeof assigner.assignWindows !== 'function')
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'window(assigner): not a WindowAssigner (e.g. TumblingEventTimeWindows.of(60_000))',
      );
  }

  trigger(trigger: Trigger<T, W>): this {
    this.triggerFn = trigger;
    return this;
  }
  evictor(evictor: Evictor<T, W>): this {
    this.evictorFn = evictor;
    return this;
  }
  /** Elements up to `ms` behind the watermark still update (and re-fire) their windows. */
  allowedLateness(lateness: TimeSpan): this {
    const ms = toMillis(lateness, 'allowedLateness');
    if (!(ms >= 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `allowedLateness(${ms}): the allowed lateness cannot be negative`);
    if (ms > 0 && !this.assigner.isEventTime())
      throw new SluiceError('API_INVALID_ARGUMENT', 'allowedLateness applies to event-time windows only');
    this.latenessMs = ms;
    return this;
  }
  /** Late elements (dropped otherwise) go to this side output. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag;
    return this;
  }

  reduce(fn: ReduceFunction<T>): SingleOutputStreamOperator<T>;
  reduce<O>(fn: ReduceFunction<T>, windowFn: ProcessWindowFunction<T, O, K, W>): SingleOutputStreamOperator<O>;
  reduce<O>(fn: ReduceFunction<T>, windowFn?: ProcessWindowFunction<T, O, K, W>): SingleOutputStreamOperator<O> {
    return this.build<O>(
      { kind: 'reduce', reduce: fn, ...(windowFn ? { process: windowFn } : {}) } as WindowFunctionSpec<T, O, K, W>,
      'Reduce',
    );
  }

  aggregate<ACC, R>(fn: AggregateFunction<T, ACC, R>): SingleOutputStreamOperator<R>;
  aggregate<ACC, R, O>(
    fn: AggregateFunction<T, ACC, R>,
    windowFn: ProcessWindowFunction<R, O, K, W>,
  ): SingleOutputStreamOperator<O>;
  aggregate<ACC, R, O>(
    fn: AggregateFunction<T, ACC, R>,
    windowFn?: ProcessWindowFunction<R, O, K, W>,
  ): SingleOutputStreamOperator<O> {
    for (const m of ['createAccumulator', 'add', 'getResult'] as const) {
      if (typeof (fn as unknown as Record<string, unknown>)?.[m] !== 'function')
        throw new SluiceError('API_INVALID_ARGUMENT', `aggregate(): the AggregateFunction has no ${m}()`);
    }
    return this.build<O>(
      { kind: 'aggregate', aggregate: fn, ...(windowFn ? { process: windowFn } : {}) } as WindowFunctionSpec<
        T,
        O,
        K,
        W
      >,
      'Aggregate',
    );
  }

  process<O>(fn: ProcessWindowFunction<T, O, K, W>): SingleOutputStreamOperator<O> {
    fnOf(fn as never, 'process'); // validates the shape now, not at run time
    return this.build<O>({ kind: 'process', process: fn }, 'Process');
  }

  /** Flink's WindowFunction: `apply(key, window, input, out)` (function or object). */
  apply<O>(fn: WindowFunctionLike<T, O, K, W>): SingleOutputStreamOperator<O> {
    return this.build<O>({ kind: 'process', process: fromWindowFunction(fn) }, 'Apply');
  }

  sum(field: string | number): SingleOutputStreamOperator<T> {
    return this.field('sum', field);
  }
  min(field: string | number): SingleOutputStreamOperator<T> {
    return this.field('min', field);
  }
  max(field: string | number): SingleOutputStreamOperator<T> {
    return this.field('max', field);
  }
  /** The element with the minimum; on ties the first (default) or, with `first` false, the last. */
  minBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.field('minBy', field, first);
  }
  maxBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.field('maxBy', field, first);
  }

  private field(kind: FieldAggregation, field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.build<T>({ kind: 'reduce', reduce: fieldAggregation<T>(kind, field, first) }, `${kind}(${field})`);
  }

  private build<O>(fn: WindowFunctionSpec<T, O, K, W>, what: string): SingleOutputStreamOperator<O> {
    const options = {
      assigner: this.assigner,
      ...(this.triggerFn ? { trigger: this.triggerFn } : {}),
      ...(this.evictorFn ? { evictor: this.evictorFn } : {}),
      allowedLatenessMs: this.latenessMs,
      ...(this.lateTag ? { lateDataOutputTag: this.lateTag } : {}),
      function: fn,
    };
    new WindowOperator(options); // fail at build time on bad combinations (merging assigner + non-merging trigger…)
    const name = `${this.operatorName}(${assignerName(this.assigner)}, ${what}${this.evictorFn ? ', evicting' : ''})`;
    return this.input.transformKeyed<O>({
      name,
      factory: () => new WindowOperator(options),
      stateful: true,
      sideOutputs: ['*'],
    });
  }
}

/** windowAll: every element in one window operator instance (parallelism 1). */
export class AllWindowedStream<T, W extends Window> {
  private readonly windowed: WindowedStream<T, number, W>;

  constructor(input: KeyedStream<T, number>, assigner: WindowAssigner<T, W>) {
    this.windowed = new WindowedStream<T, number, W>(input, assigner, 'AllWindow');
  }

  trigger(trigger: Trigger<T, W>): this {
    this.windowed.trigger(trigger);
    return this;
  }
  evictor(evictor: Evictor<T, W>): this {
    this.windowed.evictor(evictor);
    return this;
  }
  allowedLateness(lateness: TimeSpan): this {
    this.windowed.allowedLateness(lateness);
    return this;
  }
  sideOutputLateData(tag: OutputTag<T>): this {
    this.windowed.sideOutputLateData(tag);
    return this;
  }
  reduce<O = T>(fn: ReduceFunction<T>, windowFn?: ProcessAllWindowFunction<T, O, W>): SingleOutputStreamOperator<O> {
    const op = windowFn
      ? this.windowed.reduce<O>(fn, dropKey(windowFn))
      : (this.windowed.reduce(fn) as unknown as SingleOutputStreamOperator<O>);
    return op.setParallelism(1);
  }
  aggregate<ACC, R, O = R>(
    fn: AggregateFunction<T, ACC, R>,
    windowFn?: ProcessAllWindowFunction<R, O, W>,
  ): SingleOutputStreamOperator<O> {
    const op = windowFn
      ? this.windowed.aggregate<ACC, R, O>(fn, dropKey(windowFn))
      : (this.windowed.aggregate(fn) as unknown as SingleOutputStreamOperator<O>);
    return op.setParallelism(1);
  }
  process<O>(fn: ProcessAllWindowFunction<T, O, W>): SingleOutputStreamOperator<O> {
    return this.windowed.process<O>(dropKey(fn)).setParallelism(1);
  }
  /** Flink's AllWindowFunction: `apply(window, input, out)` (function or object). */
  apply<O>(fn: AllWindowFunctionLike<T, O, W>): SingleOutputStreamOperator<O> {
    return this.windowed.process<O>(fromAllWindowFunction(fn)).setParallelism(1);
  }
  sum(field: string | number): SingleOutputStreamOperator<T> {
    return this.windowed.sum(field).setParallelism(1);
  }
  min(field: string | number): SingleOutputStreamOperator<T> {
    return this.windowed.min(field).setParallelism(1);
  }
  max(field: string | number): SingleOutputStreamOperator<T> {
    return this.windowed.max(field).setParallelism(1);
  }
  minBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.windowed.minBy(field, first).setParallelism(1);
  }
  maxBy(field: string | number, first = true): SingleOutputStreamOperator<T> {
    return this.windowed.maxBy(field, first).setParallelism(1);
  }
}

function dropKey<IN, OUT, W extends Window>(
  fn: ProcessAllWindowFunction<IN, OUT, W>,
): ProcessWindowFunction<IN, OUT, number, W> {
  if (typeof fn === 'function') return (_key, ctx, elements, out) => fn(ctx, elements, out);
  if (!fn || typeof fn.process !== 'function')
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      'process(): expected a function or an object with process(context, elements, out)',
    );
  // Same prototype and own fields (so each parallel copy gets its own fields, open/close/clear still
  // work on the copy); only process changes shape.
  const userProcess = fn.process;
  const adapted = Object.assign(Object.create(Object.getPrototypeOf(fn) as object) as object, fn);
  return Object.assign(adapted, {
    process(this: unknown, _key: number, ctx: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>) {
      userProcess.call(this, ctx, elements, out);
    },
  }) as ProcessWindowFunction<IN, OUT, number, W>;
}

function assignerName(a: object): string {
  return a.constructor?.name && a.constructor.name !== 'Object' ? a.constructor.name : 'WindowAssigner';
}
