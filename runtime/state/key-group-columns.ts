/**
 * Columnar key groups: the form in which the heap backend hands a key group to the encoder in the
 * asynchronous part of a checkpoint. Per state, one column of keys, one of values, and — only when needed —
 * one of namespaces and one of last-access times (TTL), instead of an array per entry: building it touches
 * each frozen row once and allocates nothing per entry (except a map state's [k, v][] value), and a column of
 * numbers is a typed array that msgpackr copies as raw bytes (`moreTypes`: it decodes as the same typed
 * array), so a counter's key group packs as a few memcpy's. `columnsToKeyGroup` turns it into the canonical
 * `KeyGroupSnapshot` (snapshot-types.ts) that every restore reads, so savepoints stay portable between the
 * backends whichever of them wrote the key group.
 *
 * KeyGroupColumns
 *   { layout: 'columns', states: { [stateName]: { kind, n, keys, values, ns?, access? } }, timers? }
 *   - keys, values, access: Int32Array while every element is an int32 (not -0), else Float64Array while
 *     every element is a number, else a plain array; each holds exactly n elements.
 *   - ns: the namespace of each entry, absent when every entry is in namespace ''.
 *   - access: last-access time (ms) of each entry, present only for TTL states.
 *   - timers: as in KeyGroupSnapshot.
 *
 * Invariants: entry i of a state is [keys[i], ns?.[i] ?? '', values[i], access?.[i]] — the same entry, in
 * the same order, as the canonical form lists it; a column never changes an element's value (an int32 column
 * holds only values that are exactly int32, -0 excluded).
 */
import type { StateKind } from '../api/state.js';
import type { KeyGroupSnapshot, StateEntrySnapshot, TimersSnapshot } from './snapshot-types.js';
import { recordEntries } from './snapshot-types.js';

export type Column = Int32Array | Float64Array | unknown[];

export interface StateColumns {
  kind: StateKind;
  /** Number of entries. */
  n: number;
  keys: Column;
  values: Column;
  /** Namespace per entry; absent when every entry is in namespace ''. */
  ns?: string[];
  /** Last-access time per entry (TTL states only). */
  access?: Column;
}

export interface KeyGroupColumns {
  layout: 'columns';
  states: Record<string, StateColumns>;
  timers?: Record<string, TimersSnapshot>;
}

/** True for a key group in columns, as built or as msgpack decoded it (plain object or Map). */
export function isKeyGroupColumns(g: unknown): g is KeyGroupColumns {
  if (g instanceof Map) return g.get('layout') === 'columns';
  return typeof g === 'object' && g !== null && (g as { layout?: unknown }).layout === 'columns';
}

const MODE_INT32 = 0;
const MODE_FLOAT64 = 1;
const MODE_ANY = 2;

/** A column built by appending: stays a typed array as long as the values allow it. */
export class ColumnBuilder {
  private mode = MODE_INT32;
  private i32: Int32Array;
  private f64: Float64Array | undefined;
  private any: unknown[] | undefined;
  length = 0;

  constructor(capacity: number) {
    this.i32 = new Int32Array(Math.max(capacity, 4));
  }

  push(v: unknown): void {
    const i = this.length++;
    if (this.mode === MODE_INT32) {
      if (typeof v === 'number' && (v | 0) === v && (v !== 0 || 1 / v > 0)) {
        if (i === this.i32.length) this.i32 = grow(this.i32, new Int32Array(i * 2));
        this.i32[i] = v;
        return;
      }
      this.widen(typeof v === 'number' ? MODE_FLOAT64 : MODE_ANY, i);
    } else if (this.mode === MODE_FLOAT64 && typeof v !== 'number') this.widen(MODE_ANY, i);
    if (this.mode === MODE_FLOAT64) {
      let f = this.f64!;
      if (i === f.length) f = this.f64 = grow(f, new Float64Array(i * 2));
      f[i] = v as number;
    } else this.any!.push(v);
  }

  /** The column of exactly `length` elements. */
  finish(): Column {
    if (this.mode === MODE_INT32) return this.i32.subarray(0, this.length);
    if (this.mode === MODE_FLOAT64) return this.f64!.subarray(0, this.length);
    return this.any!;
  }

  /** Moves the `count` elements held so far to a wider column. */
  private widen(mode: number, count: number): void {
    const from = this.mode === MODE_INT32 ? this.i32 : this.f64!;
    if (mode === MODE_FLOAT64) {
      this.f64 = new Float64Array(Math.max(this.i32.length, count + 1));
      this.f64.set(this.i32.subarray(0, count));
    } else this.any = Array.from(from.subarray(0, count));
    this.mode = mode;
  }
}

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function at(c: Column, i: number): unknown {
  return c[i];
}

/** One state's entries in the canonical form. */
export function columnEntries(st: StateColumns): StateEntrySnapshot[] {
  const { n, keys, values, ns, access } = st;
  const out: StateEntrySnapshot[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const e: StateEntrySnapshot = [at(keys, i), ns ? ns[i]! : '', at(values, i)];
    if (access) e.push(at(access, i) as number);
    out[i] = e;
  }
  return out;
}

/** The canonical KeyGroupSnapshot of a key group in columns (built, or decoded: objects or Maps). */
export function columnsToKeyGroup(g: KeyGroupColumns | Map<string, unknown>): KeyGroupSnapshot {
  const src = (g instanceof Map ? Object.fromEntries(g) : g) as KeyGroupColumns;
  const out: KeyGroupSnapshot = { states: {} };
  for (const [name, st0] of recordEntries(src.states)) {
    const st = (st0 instanceof Map ? Object.fromEntries(st0) : st0) as StateColumns;
    out.states[name] = { kind: st.kind, entries: columnEntries(st) };
  }
  if (src.timers) out.timers = src.timers;
  return out;
}
