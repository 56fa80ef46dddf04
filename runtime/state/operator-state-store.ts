/**
 * Heap operator (non-keyed) state: split list state (redistributed round-robin across subtasks on
 * restore by the checkpoint code), union list state (every subtask gets all items) and broadcast state
 * (a map, identical on every subtask). Snapshot shape: see snapshot-types.ts.
 *
 * Invariant: a state name has one mode; asking for it with another mode throws.
 */
import { SluiceError } from '../errors/catalogue.js';
import type {
  BroadcastState,
  ListState,
  ListStateDescriptor,
  MapStateDescriptor,
  OperatorStateStore,
} from '../api/state.js';
import { normalizeOperatorSnapshot, type OperatorStateSnapshot } from './snapshot-types.js';

type Mode = 'split' | 'union' | 'broadcast';

class OperatorListState<T> implements ListState<T> {
  items: T[] = [];
  constructor(readonly mode: 'split' | 'union') {}
  get(): T[] {
    return this.items.slice();
  }
  add(value: T): void {
    this.items.push(value);
  }
  addAll(values: T[]): void {
    for (const v of values) this.items.push(v);
  }
  update(values: T[]): void {
    this.items = values.slice();
  }
  clear(): void {
    this.items = [];
  }
}

class HeapBroadcastState<K, V> implements BroadcastState<K, V> {
  readonly mode = 'broadcast' as const;
  readonly map = new Map<K, V>();
  get(key: K): V | undefined {
    return this.map.get(key);
  }
  contains(key: K): boolean {
    return this.map.has(key);
  }
  immutableEntries(): IterableIterator<[K, V]> {
    return new Map(this.map).entries();
  }
  put(key: K, value: V): void {
    this.map.set(key, value);
  }
  putAll(entries: Iterable<[K, V]>): void {
    for (const [k, v] of entries) this.map.set(k, v);
  }
  remove(key: K): void {
    this.map.delete(key);
  }
  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }
  clear(): void {
    this.map.clear();
  }
}

type AnyState = OperatorListState<unknown> | HeapBroadcastState<unknown, unknown>;

export class HeapOperatorStateStore implements OperatorStateStore {
  private readonly states = new Map<string, AnyState>();

  getListState<T>(desc: ListStateDescriptor<T>): ListState<T> {
    return this.obtain(desc.name, 'split') as OperatorListState<T>;
  }

  getUnionListState<T>(desc: ListStateDescriptor<T>): ListState<T> {
    return this.obtain(desc.name, 'union') as OperatorListState<T>;
  }

  getBroadcastState<K, V>(desc: MapStateDescriptor<K, V>): BroadcastState<K, V> {
    return this.obtain(desc.name, 'broadcast') as HeapBroadcastState<K, V>;
  }

  stateNames(): string[] {
    return [...this.states.keys()];
  }

  snapshot(): OperatorStateSnapshot {
    const out: OperatorStateSnapshot = {};
    for (const [name, s] of this.states) {
      out[name] =
        s.mode === 'broadcast' ? { mode: 'broadcast', entries: [...s.map] } : { mode: s.mode, items: s.items.slice() };
    }
    return out;
  }

  /** Loads a snapshot (already redistributed for this subtask); states restored replace current ones. */
  restore(snapshot: OperatorStateSnapshot): void {
    for (const [name, s] of Object.entries(normalizeOperatorSnapshot(snapshot))) {
      const st = this.obtain(name, s.mode);
      if (s.mode === 'broadcast') {
        const b = st as HeapBroadcastState<unknown, unknown>;
        b.clear();
        b.putAll(s.entries);
      } else (st as OperatorListState<unknown>).update(s.items);
    }
  }

  private obtain(name: string, mode: Mode): AnyState {
    let s = this.states.get(name);
    if (s === undefined) {
      s = mode === 'broadcast' ? new HeapBroadcastState() : new OperatorListState(mode);
      this.states.set(name, s);
    } else if (s.mode !== mode) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `operator state "${name}" is ${describe(s.mode)}; it cannot be used as ${describe(mode)}`,
      );
    }
    return s;
  }
}

function describe(m: Mode): string {
  return m === 'split' ? 'list state' : m === 'union' ? 'union list state' : 'broadcast state';
}

export function createOperatorStateStore(): HeapOperatorStateStore {
  return new HeapOperatorStateStore();
}
