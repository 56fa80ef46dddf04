/**
 * State handles of the heap backend. A handle is bound to one table and one namespace and reads the
 * backend's current key (canonical key + key-group index) at call time, so a handle obtained once in
 * open() follows setCurrentKey. Stored values: value → T, list → T[], map → Map<K, V>, reducing → T,
 * aggregating → ACC.
 *
 * Invariant: writing undefined (or an empty list) removes the entry, as Flink's update(null).
 */
import { SluiceError } from '../errors/catalogue.js';
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  MapState,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../api/state.js';
import type { CanonicalKey } from './key-codec.js';
import type { StateTable } from './state-table.js';

/** What a handle needs from the backend: the current key. */
export interface CurrentKeyHolder {
  currentKey: unknown;
  currentCanon: CanonicalKey | undefined;
  currentGroupIndex: number;
  requireKey(): CanonicalKey;
}

abstract class HandleBase {
  constructor(
    protected readonly b: CurrentKeyHolder,
    protected readonly t: StateTable,
    protected readonly ns: string,
  ) {}
  protected read(): unknown {
    return this.t.get(this.b.currentGroupIndex, this.b.requireKey(), this.ns);
  }
  protected write(v: unknown): void {
    const canon = this.b.requireKey();
    if (v === undefined) this.t.remove(this.b.currentGroupIndex, canon, this.ns);
    else this.t.put(this.b.currentGroupIndex, canon, this.b.currentKey, this.ns, v);
  }
  clear(): void {
    this.t.remove(this.b.currentGroupIndex, this.b.requireKey(), this.ns);
  }
}

export class HeapValueState<T> extends HandleBase implements ValueState<T> {
  value(): T | undefined {
    const v = this.read();
    return v === undefined ? (this.t.desc as ValueStateDescriptor<T> | undefined)?.defaultValue : (v as T);
  }
  update(value: T | undefined): void {
    this.write(value);
  }
}

export class HeapListState<T> extends HandleBase implements ListState<T> {
  get(): T[] {
    const v = this.read() as T[] | undefined;
    return v === undefined ? [] : v.slice();
  }
  add(value: T): void {
    if (value === undefined)
      throw new SluiceError('API_INVALID_ARGUMENT', `list state "${this.t.name}": cannot add undefined`);
    const cur = this.read() as T[] | undefined;
    if (cur === undefined) this.write([value]);
    else {
      cur.push(value);
      this.write(cur);
    }
  }
  addAll(values: T[]): void {
    if (values.length === 0) return;
    const cur = this.read() as T[] | undefined;
    this.write(cur === undefined ? values.slice() : cur.concat(values));
  }
  update(values: T[]): void {
    this.write(values.length === 0 ? undefined : values.slice());
  }
}

export class HeapMapState<K, V> extends HandleBase implements MapState<K, V> {
  private map(): Map<K, V> | undefined {
    return this.read() as Map<K, V> | undefined;
  }
  private mapForWrite(): Map<K, V> {
    let m = this.map();
    if (m === undefined) m = new Map();
    return m;
  }
  get(key: K): V | undefined {
    return this.map()?.get(key);
  }
  put(key: K, value: V): void {
    const m = this.mapForWrite();
    m.set(key, value);
    this.write(m);
  }
  putAll(entries: Iterable<[K, V]>): void {
    const m = this.mapForWrite();
    for (const [k, v] of entries) m.set(k, v);
    this.write(m.size === 0 ? undefined : m);
  }
  remove(key: K): void {
    const m = this.map();
    if (m === undefined) return;
    m.delete(key);
    this.write(m.size === 0 ? undefined : m);
  }
  contains(key: K): boolean {
    return this.map()?.has(key) ?? false;
  }
  entries(): IterableIterator<[K, V]> {
    return (this.map() ?? new Map<K, V>()).entries();
  }
  keys(): IterableIterator<K> {
    return (this.map() ?? new Map<K, V>()).keys();
  }
  values(): IterableIterator<V> {
    return (this.map() ?? new Map<K, V>()).values();
  }
  isEmpty(): boolean {
    const m = this.map();
    return m === undefined || m.size === 0;
  }
}

export class HeapReducingState<T> extends HandleBase implements ReducingState<T> {
  get(): T | undefined {
    return this.read() as T | undefined;
  }
  add(value: T): void {
    const cur = this.read() as T | undefined;
    const reduce = (this.t.desc as ReducingStateDescriptor<T>).reduce;
    this.write(cur === undefined ? value : reduce(cur, value));
  }
}

export class HeapAggregatingState<IN, ACC, OUT> extends HandleBase implements AggregatingState<IN, OUT> {
  private fn() {
    return (this.t.desc as AggregatingStateDescriptor<IN, ACC, OUT>).aggregate;
  }
  get(): OUT | undefined {
    const acc = this.read() as ACC | undefined;
    return acc === undefined ? undefined : this.fn().getResult(acc);
  }
  add(value: IN): void {
    const f = this.fn();
    const acc = this.read() as ACC | undefined;
    this.write(f.add(value, acc === undefined ? f.createAccumulator() : acc));
  }
}
