/**
 * Window functions as Flink's WindowedStream offers them: reduce, aggregate, process
 * (ProcessWindowFunction with window(), currentWatermark(), currentProcessingTime(), windowState(),
 * globalState(), output(tag, v)), and reduce/aggregate followed by a process function. `toInternal`
 * turns a spec into the one shape the operator calls (Flink's InternalWindowFunction): it gets the
 * window's contents — the reduced value, the accumulator, or the buffered elements — and emits results.
 *
 * Invariant: with an evictor, contents are always the buffered elements; reduce/aggregate then fold them
 * at fire time (Flink's ReduceApplyProcessWindowFunction / AggregateApplyProcessWindowFunction). Deviation:
 * an evicting reduce over an empty buffer emits nothing (Flink would emit null).
 */
import {
  fnOf,
  type AggregateFunction,
  type Collector,
  type ReduceFunction,
  type RichFunction,
} from '../../runtime/api/functions.js';
import type { OutputTag } from '../../runtime/api/output-tag.js';
import type { StateDescriptor, StateOf } from '../../runtime/api/state.js';
import type { Window } from './window.js';

/** Keyed state handles in one scope (per window, or global for the key). */
export interface KeyedStateStore {
  getState<D extends StateDescriptor>(desc: D): StateOf<D>;
}

export interface ProcessWindowContext<W extends Window> {
  window(): W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** State of the current key in this window; clear it in `clear` (called when the window is purged for good). */
  windowState(): KeyedStateStore;
  /** State of the current key across windows. */
  globalState(): KeyedStateStore;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export type ProcessWindowFunction<IN, OUT, K, W extends Window> =
  | ((key: K, context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>) => void)
  | (RichFunction & {
      process(key: K, context: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
      clear?(context: ProcessWindowContext<W>): void;
    });

export type WindowFunctionSpec<IN, OUT, K = unknown, W extends Window = Window> =
  | { kind: 'process'; process: ProcessWindowFunction<IN, OUT, K, W> }
  | { kind: 'reduce'; reduce: ReduceFunction<IN>; process?: ProcessWindowFunction<IN, OUT, K, W> }
  | { kind: 'aggregate'; aggregate: AggregateFunction<IN, any, any>; process?: ProcessWindowFunction<any, OUT, K, W> };

/** How window contents are kept in state. */
export type ContentsKind = 'list' | 'reduce' | 'aggregate';

export interface InternalWindowFunction<K, W extends Window> {
  readonly contentsKind: ContentsKind;
  readonly reduce?: (a: unknown, b: unknown) => unknown;
  readonly aggregate?: AggregateFunction<unknown, unknown, unknown>;
  /** `contents` is the reduced value, the accumulator, or the list of elements (per contentsKind). */
  process(key: K, context: ProcessWindowContext<W>, contents: unknown, out: Collector<unknown>): void;
  clear(context: ProcessWindowContext<W>): void;
  /** The user functions, for open/close. */
  readonly userFunctions: unknown[];
}

export function toInternal<K, W extends Window>(
  spec: WindowFunctionSpec<any, any, K, W>,
  evicting: boolean,
): InternalWindowFunction<K, W> {
  const proc = spec.process;
  const processFn =
    proc === undefined
      ? undefined
      : fnOf<(k: K, c: ProcessWindowContext<W>, e: unknown[], o: Collector<unknown>) => void>(proc as never, 'process');
  const clearFn =
    proc !== undefined && typeof proc === 'object' && typeof proc.clear === 'function'
      ? proc.clear.bind(proc)
      : undefined;
  const emit = (key: K, ctx: ProcessWindowContext<W>, value: unknown, out: Collector<unknown>) =>
    processFn ? processFn(key, ctx, [value], out) : out.collect(value);
  const base = { clear: (ctx: ProcessWindowContext<W>) => clearFn?.(ctx), userFunctions: [] as unknown[] };
  switch (spec.kind) {
    case 'process':
      base.userFunctions.push(spec.process);
      return {
        ...base,
        contentsKind: 'list',
        process: (key, ctx, contents, out) => processFn!(key, ctx, contents as unknown[], out),
      };
    case 'reduce': {
      const reduce = fnOf<(a: unknown, b: unknown) => unknown>(spec.reduce as never, 'reduce');
      base.userFunctions.push(spec.reduce, ...(proc ? [proc] : []));
      if (!evicting)
        return {
          ...base,
          contentsKind: 'reduce',
          reduce,
          process: (key, ctx, contents, out) => emit(key, ctx, contents, out),
        };
      return {
        ...base,
        contentsKind: 'list',
        reduce,
        process: (key, ctx, contents, out) => {
          const list = contents as unknown[];
          if (list.length === 0) return;
          let acc = list[0];
          for (let i = 1; i < list.length; i++) acc = reduce(acc, list[i]);
          emit(key, ctx, acc, out);
        },
      };
    }
    case 'aggregate': {
      const agg = spec.aggregate as AggregateFunction<unknown, unknown, unknown>;
      base.userFunctions.push(agg, ...(proc ? [proc] : []));
      if (!evicting)
        return {
          ...base,
          contentsKind: 'aggregate',
          aggregate: agg,
          process: (key, ctx, contents, out) => emit(key, ctx, agg.getResult(contents), out),
        };
      return {
        ...base,
        contentsKind: 'list',
        aggregate: agg,
        process: (key, ctx, contents, out) => {
          let acc = agg.createAccumulator();
          for (const v of contents as unknown[]) acc = agg.add(v, acc);
          emit(key, ctx, agg.getResult(acc), out);
        },
      };
    }
  }
}
