/**
 * The window side of Flink's window join and coGroup (CoGroupedStreams / JoinedStreams): both inputs are
 * tagged (`TaggedUnion`), unioned, keyed by the key of their own side and windowed together; at firing the
 * window's elements are split back into the two sides (arrival order kept within each side) and handed
 * to the CoGroupFunction. A join is the coGroup that, per window and key, calls the JoinFunction for every
 * pair (left × right, nested in arrival order) — so a key with elements on one side only emits nothing.
 *
 * Function forms: plain functions or objects with `coGroup`/`join` (Flink's rich functions, with open/close).
 * A join function with three parameters (`(first, second, out)`) is a FlatJoinFunction, with two a
 * JoinFunction whose return value is emitted.
 */
import { type Collector, fnOf, type RichFunction } from '../../runtime/api/functions.js';
import type { ProcessWindowContext, ProcessWindowFunction } from './window-functions.js';
import type { Window } from './window.js';

/** One element of either input: `t` 1 (first) or 2 (second). */
export type TaggedUnion<T1, T2> = { t: 1; v: T1 } | { t: 2; v: T2 };

export type CoGroupFunction<T1, T2, O> =
  | ((first: T1[], second: T2[], out: Collector<O>) => void)
  | (RichFunction & { coGroup(first: T1[], second: T2[], out: Collector<O>): void });

export type JoinFunction<T1, T2, O> =
  | ((first: T1, second: T2) => O)
  | (RichFunction & { join(first: T1, second: T2): O });

export type FlatJoinFunction<T1, T2, O> =
  | ((first: T1, second: T2, out: Collector<O>) => void)
  | (RichFunction & { join(first: T1, second: T2, out: Collector<O>): void });

/** Splits a fired window's tagged elements and calls the coGroup function (Flink's CoGroupWindowFunction). */
export function coGroupWindowFunction<T1, T2, O, K, W extends Window>(
  fn: CoGroupFunction<T1, T2, O>,
): ProcessWindowFunction<TaggedUnion<T1, T2>, O, K, W> {
  const call = (f: CoGroupFunction<T1, T2, O>, elements: TaggedUnion<T1, T2>[], out: Collector<O>) => {
    const first: T1[] = [];
    const second: T2[] = [];
    for (const e of elements) {
      if (e.t === 1) first.push(e.v);
      else second.push(e.v);
    }
    fnOf<(a: T1[], b: T2[], o: Collector<O>) => void>(f as never, 'coGroup')(first, second, out);
  };
  if (typeof fn === 'function') return (_k: K, _c: ProcessWindowContext<W>, els, out) => call(fn, els, out);
  return adaptRich(fn, function (this: CoGroupFunction<T1, T2, O>, _k, _c, els, out) {
    call(this, els as TaggedUnion<T1, T2>[], out as Collector<O>);
  });
}

/** A CoGroupFunction that joins every pair (Flink's JoinCoGroupFunction / FlatJoinCoGroupFunction). */
export function joinAsCoGroup<T1, T2, O>(
  fn: JoinFunction<T1, T2, O> | FlatJoinFunction<T1, T2, O>,
): CoGroupFunction<T1, T2, O> {
  const method = typeof fn === 'function' ? fn : (fn as { join?: unknown }).join;
  if (typeof method !== 'function')
    throw new TypeError('apply(): expected a JoinFunction or FlatJoinFunction (a function or an object with join())');
  const flat = method.length >= 3;
  const pairs = (join: (a: T1, b: T2, o?: Collector<O>) => O | void, first: T1[], second: T2[], out: Collector<O>) => {
    for (const a of first)
      for (const b of second) {
        if (flat) join(a, b, out);
        else out.collect(join(a, b) as O);
      }
  };
  if (typeof fn === 'function') return (first, second, out) => pairs(fn as never, first, second, out);
  return adaptRich(
    fn,
    function (this: { join: (a: T1, b: T2, o?: Collector<O>) => O | void }, first, second, out) {
      pairs(this.join.bind(this), first as T1[], second as T2[], out as Collector<O>);
    },
    'coGroup',
  ) as CoGroupFunction<T1, T2, O>;
}

/**
 * A copy of a rich function object (same prototype, own fields) with one more method, so open/close and
 * user fields keep working on the per-subtask copy the operator makes.
 */
function adaptRich<F extends object>(fn: F, method: (this: any, ...args: any[]) => void, name = 'process'): any {
  const adapted = Object.assign(Object.create(Object.getPrototypeOf(fn) as object) as object, fn);
  return Object.assign(adapted, { [name]: method });
}
