/**
 * User function types with Flink's names. Each may be a plain function (Flink's lambda) or an object /
 * class instance implementing the interface with optional `open`/`close` (Flink's rich functions).
 * `fnOf` normalises both forms to a callable bound to the object.
 */
import type { OutputTag } from './output-tag.js';
import type { RuntimeContext } from './runtime-context.js';
import type { BroadcastState, MapStateDescriptor, ReadOnlyBroadcastState, StateDescriptor, StateOf } from './state.js';
import type { TimeDomain } from './time.js';
import { SluiceError } from '../errors/catalogue.js';
import { deprecated } from './deprecation.js';
import { Tuple } from './tuple.js';

export interface Collector<T> {
  collect(value: T): void;
}

export type { RuntimeContext, TaskInfo } from './runtime-context.js';

export interface RichFunction {
  open?(ctx: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

export type MapFunction<I, O> = ((value: I) => O) | (RichFunction & { map(value: I): O });
export type FlatMapFunction<I, O> =
  | ((value: I, out: Collector<O>) => void)
  | (RichFunction & { flatMap(value: I, out: Collector<O>): void });
export type FilterFunction<I> = ((value: I) => boolean) | (RichFunction & { filter(value: I): boolean });
export type KeySelector<T, K> = ((value: T) => K) | { getKey(value: T): K };
export type ReduceFunction<T> = ((a: T, b: T) => T) | (RichFunction & { reduce(a: T, b: T): T });

export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge(a: ACC, b: ACC): ACC;
}

export interface TimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(time: number): void;
  registerProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
}

export interface ProcessContext {
  /** Timestamp of the element, or null when it has none. */
  timestamp(): number | null;
  timerService(): TimerService;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export interface KeyedProcessContext<K> extends ProcessContext {
  getCurrentKey(): K;
}

export interface OnTimerContext<K = unknown> extends KeyedProcessContext<K> {
  timeDomain(): TimeDomain;
}

export type ProcessFunction<I, O> =
  | ((value: I, ctx: ProcessContext, out: Collector<O>) => void)
  | (RichFunction & {
      processElement(value: I, ctx: ProcessContext, out: Collector<O>): void;
      onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
    });

export type KeyedProcessFunction<K, I, O> =
  | ((value: I, ctx: KeyedProcessContext<K>, out: Collector<O>) => void)
  | (RichFunction & {
      processElement(value: I, ctx: KeyedProcessContext<K>, out: Collector<O>): void;
      onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
    });

export interface CoProcessFunction<I1, I2, O> extends RichFunction {
  processElement1(value: I1, ctx: ProcessContext, out: Collector<O>): void;
  processElement2(value: I2, ctx: ProcessContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext, out: Collector<O>): void;
}

export interface KeyedCoProcessFunction<K, I1, I2, O> extends RichFunction {
  /** May return a Promise: the task processes nothing else until it settles. */
  processElement1(value: I1, ctx: KeyedProcessContext<K>, out: Collector<O>): void | Promise<void>;
  processElement2(value: I2, ctx: KeyedProcessContext<K>, out: Collector<O>): void | Promise<void>;
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<O>): void;
}

export interface CoFlatMapFunction<I1, I2, O> extends RichFunction {
  flatMap1(value: I1, out: Collector<O>): void;
  flatMap2(value: I2, out: Collector<O>): void;
}

export interface CoMapFunction<I1, I2, O> extends RichFunction {
  map1(value: I1): O;
  map2(value: I2): O;
}

export interface BroadcastReadOnlyContext extends ProcessContext {
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

export interface BroadcastContext extends ProcessContext {
  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

export interface KeyedBroadcastContext extends BroadcastContext {
  applyToKeyedState<D extends StateDescriptor>(desc: D, fn: (key: unknown, state: StateOf<D>) => void): void;
}

export interface BroadcastProcessFunction<I1, I2, O> extends RichFunction {
  processElement(value: I1, ctx: BroadcastReadOnlyContext, out: Collector<O>): void;
  processBroadcastElement(value: I2, ctx: BroadcastContext, out: Collector<O>): void;
}

export interface KeyedBroadcastProcessFunction<K, I1, I2, O> extends RichFunction {
  processElement(value: I1, ctx: BroadcastReadOnlyContext & KeyedProcessContext<K>, out: Collector<O>): void;
  processBroadcastElement(value: I2, ctx: KeyedBroadcastContext, out: Collector<O>): void;
  onTimer?(timestamp: number, ctx: OnTimerContext<K> & BroadcastReadOnlyContext, out: Collector<O>): void;
}

/** Normalises a lambda-or-object function to a callable. */
export function fnOf<F extends (...args: any[]) => any>(f: F | Record<string, any>, method: string): F {
  if (typeof f === 'function') return f as F;
  if (f && typeof (f as Record<string, unknown>)[method] === 'function')
    return ((f as Record<string, F>)[method] as F).bind(f) as F;
  throw new TypeError(`expected a function or an object with a ${method}() method`);
}

/** A field position (tuples, arrays) or field expression (`'word'`, `'f0'`, nested `'user.id'`). */
export type FieldKey = number | string;

/**
 * The key selector of `keyBy(selector)` or of Flink 1.x `keyBy(fields…)`: one field keys by its value
 * (which routes as Flink's Tuple1 key does: Tuple1's hashCode is its field's), several by a Tuple of them.
 */
export function keySelectorFn<T, K>(k: KeySelector<T, K> | FieldKey, more: readonly FieldKey[] = []): (value: T) => K {
  if (typeof k === 'string' || typeof k === 'number') {
    const fields = [k, ...more];
    for (const f of fields)
      if (!(typeof f === 'string' ? f.length > 0 : Number.isInteger(f) && f >= 0))
        throw new SluiceError(
          'API_INVALID_ARGUMENT',
          `keyBy(${fields.join(', ')}): ${String(f)} is not a field position or name`,
        );
    deprecated(`keyBy(${typeof k === 'number' ? 'int' : 'String'}...)`, 'keyBy(KeySelector), e.g. keyBy((t) => t.f0)');
    if (fields.length === 1) return (v: T) => fieldOf(v, k) as K;
    return (v: T) => Tuple.fromArray(fields.map((f) => fieldOf(v, f))) as K;
  }
  return fnOf(k as KeySelector<T, K> & ((v: T) => K), 'getKey');
}

/** Field `f` of a record: tuple position, array index, or (dotted) property path. */
export function fieldOf(value: unknown, f: FieldKey): unknown {
  if (typeof f === 'number') {
    if (value instanceof Tuple) return value.getField(f);
    if (Array.isArray(value)) return value[f];
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `field position ${f} needs a Tuple or array record; this record is ${value === null ? 'null' : typeof value}; use a field name or a KeySelector`,
    );
  }
  let v = value;
  for (const part of f.split('.')) v = v === null || v === undefined ? undefined : (v as Record<string, unknown>)[part];
  return v;
}
