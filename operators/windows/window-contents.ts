/**
 * Window contents in keyed state, one namespace per (state) window, under the state name
 * "window-contents": a list of elements (process functions; with an evictor, [value, timestamp] pairs), a
 * running reduced value, or an aggregate accumulator. mergeNamespaces folds the contents of merged session
 * windows into the target (list append, reduce, AggregateFunction.merge) and clears the sources, as Flink's
 * InternalMergingState.mergeNamespaces.
 *
 * Invariant: `get` returns undefined for an empty window (Flink's null), so a trigger firing on an empty
 * window emits nothing.
 */
import { ListStateDescriptor, ValueStateDescriptor, type ListState, type ValueState } from '../../runtime/api/state.js';
import type { KeyedStateBackend } from '../../runtime/api/operator.js';
import type { TimestampedValue } from './evictors.js';
import type { InternalWindowFunction } from './window-functions.js';

export const WINDOW_CONTENTS_STATE = 'window-contents';

export interface WindowContents {
  add(namespace: string, value: unknown, timestamp: number): void;
  /** Reduced value / accumulator / element list; undefined when the window holds nothing. */
  get(namespace: string): unknown;
  /** Buffered elements with timestamps (evicting windows). */
  getTimestamped(namespace: string): TimestampedValue<unknown>[];
  setTimestamped(namespace: string, elements: TimestampedValue<unknown>[]): void;
  clear(namespace: string): void;
  mergeNamespaces(target: string, sources: string[]): void;
}

export function createWindowContents(
  backend: KeyedStateBackend,
  fn: InternalWindowFunction<any, any>,
  evicting: boolean,
): WindowContents {
  if (fn.contentsKind === 'list') {
    const desc = new ListStateDescriptor<unknown>(WINDOW_CONTENTS_STATE);
    const state = (ns: string) => backend.getPartitionedState(ns, desc) as ListState<unknown>;
    const pairs = (ns: string) => state(ns).get() as Array<[unknown, number]>;
    return {
      add: (ns, value, ts) => state(ns).add(evicting ? [value, ts] : value),
      get: (ns) => {
        const list = state(ns).get();
        if (list.length === 0) return undefined;
        return evicting ? (list as Array<[unknown, number]>).map(([v]) => v) : list;
      },
      getTimestamped: (ns) => pairs(ns).map(([value, timestamp]) => ({ value, timestamp })),
      setTimestamped: (ns, elements) => {
        if (elements.length === 0) state(ns).clear();
        else state(ns).update(elements.map((e) => [e.value, e.timestamp]));
      },
      clear: (ns) => state(ns).clear(),
      mergeNamespaces: (target, sources) => {
        const t = state(target);
        for (const src of sources) {
          const s = state(src);
          const items = s.get();
          if (items.length) t.addAll(items);
          s.clear();
        }
      },
    };
  }
  const desc = new ValueStateDescriptor<unknown>(WINDOW_CONTENTS_STATE);
  const state = (ns: string) => backend.getPartitionedState(ns, desc) as ValueState<unknown>;
  const agg = fn.aggregate;
  const fold =
    fn.contentsKind === 'reduce'
      ? (acc: unknown, v: unknown) => (acc === undefined ? v : fn.reduce!(acc, v))
      : (acc: unknown, v: unknown) => agg!.add(v, acc === undefined ? agg!.createAccumulator() : acc);
  const merge =
    fn.contentsKind === 'reduce'
      ? (a: unknown, b: unknown) => fn.reduce!(a, b)
      : (a: unknown, b: unknown) => agg!.merge(a, b);
  return {
    add: (ns, value) => {
      const s = state(ns);
      s.update(fold(s.value(), value));
    },
    get: (ns) => state(ns).value(),
    getTimestamped: () => [],
    setTimestamped: () => {},
    clear: (ns) => state(ns).clear(),
    mergeNamespaces: (target, sources) => {
      let merged: unknown;
      for (const src of sources) {
        const s = state(src);
        const v = s.value();
        if (v !== undefined) merged = merged === undefined ? v : merge(merged, v);
        s.clear();
      }
      if (merged === undefined) return;
      const t = state(target);
      const cur = t.value();
      t.update(cur === undefined ? merged : merge(cur, merged));
    },
  };
}
