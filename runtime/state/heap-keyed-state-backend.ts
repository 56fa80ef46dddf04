/**
 * Heap keyed state backend: all keyed state of one operator subtask, stored per key group of its
 * range (see state-table.ts), snapshotted per key group (see snapshot-types.ts) and restored from any
 * number of snapshots by taking only the key groups inside its own range.
 *
 * Hot path: setCurrentKey computes the key group once (murmur of the Java hashCode) and the canonical
 * key; getState(desc) returns a handle cached per descriptor name for the '' namespace.
 *
 * Timers are keyed state too: a timer manager attaches as the TimerSnapshotParticipant and its timers
 * travel inside the same per-key-group snapshot (`keyGroups[kg].timers`).
 *
 * Snapshots are asynchronous: `freezeSnapshot()` is the synchronous part (every table fixes a copy-on-write
 * version, the timers' live entries are copied by reference) and returns a KeyedSnapshotVersion whose key
 * groups are built later, one at a time, while the task goes on processing; `snapshot()` does both at once.
 * A key group is read from the frozen tables as columns (`keyGroupColumns`, what the worker encodes) and
 * turned into the canonical KeyGroupSnapshot only where objects are wanted (`keyGroup`, local execution).
 */
import { SluiceError } from '../errors/catalogue.js';
import type { KeyGroupRange, KeyedStateBackend } from '../api/operator.js';
import type { StateDescriptor, StateKind, StateOf } from '../api/state.js';
import { assignToKeyGroup, checkParallelismBounds } from '../keygroups/index.js';
import { platform } from '../platform/index.js';
import { canonicalKey, type CanonicalKey } from './key-codec.js';
import { columnsToKeyGroup, type KeyGroupColumns } from './key-group-columns.js';
import { StateTable, type FrozenTable, type NowSource } from './state-table.js';
import {
  HeapAggregatingState,
  HeapListState,
  HeapMapState,
  HeapReducingState,
  HeapValueState,
  type CurrentKeyHolder,
} from './heap-state-handles.js';
import {
  normalizeKeyedSnapshot,
  recordEntries,
  type KeyGroupSnapshot,
  type KeyedIncrement,
  type KeyedStateSnapshot,
  type TimersSnapshot,
} from './snapshot-types.js';

/** Implemented by the timer manager so timers are part of the keyed snapshot. */
export interface TimerSnapshotParticipant {
  /** kg → service name → timers. */
  snapshotTimers(): Map<number, Record<string, TimersSnapshot>>;
  /** Fixes the timers now (cheap); the returned function builds snapshotTimers()' result later. */
  freezeTimers(): () => Map<number, Record<string, TimersSnapshot>>;
  restoreTimers(keyGroup: number, timers: Record<string, TimersSnapshot>): void;
}

export interface KeyedStateBackendOptions {
  maxParallelism: number;
  keyGroupRange: KeyGroupRange;
  /** Processing-time clock for TTL; defaults to platform.clock. */
  clock?: NowSource;
}

type AnyHandle = { clear(): void };

/**
 * A keyed snapshot fixed at one point (a checkpoint barrier) and built later: `keyGroup(kg)` reads only the
 * frozen version, so it may run between records processed after that point. Each key group is read once
 * (by `keyGroup`, `keyGroupColumns` or `keyGroupParts`; the heap backend stops keeping a key group's frozen
 * content once it was read, and refuses a second read). `release()` once written or abandoned (until then
 * writes keep what the unread key groups need).
 */
export interface KeyedSnapshotVersion {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  /** The snapshot of one key group of the range, undefined when it holds no state and no timers. */
  keyGroup(kg: number): KeyGroupSnapshot | undefined;
  /**
   * The same key group in columns (key-group-columns.ts), cheaper to build and to encode than `keyGroup(kg)`,
   * which is these columns in the canonical form; offered by the heap backend.
   */
  keyGroupColumns?(kg: number): KeyGroupColumns | undefined;
  /**
   * The same key group streamed as consecutive parts of at most `maxRows` stored rows each (nothing for an
   * empty key group), for backends whose key groups can be too large to build at once (RocksDB); the parts
   * merged (key-group-parts.ts) are `keyGroup(kg)`. Each part is built when the iterator is advanced.
   */
  keyGroupParts?(kg: number, maxRows: number): Iterator<KeyGroupSnapshot>;
  release(): void;
  /** Set by a backend taking an incremental checkpoint (snapshot-types.ts). */
  readonly increment?: KeyedIncrement;
}

/** Builds a whole KeyedStateSnapshot from a version (synchronously) and releases it. */
export function materializeKeyedSnapshot(v: KeyedSnapshotVersion): KeyedStateSnapshot {
  const keyGroups: Record<number, KeyGroupSnapshot> = {};
  try {
    for (let kg = v.keyGroupRange.start; kg <= v.keyGroupRange.end; kg++) {
      const g = v.keyGroup(kg);
      if (g) keyGroups[kg] = g;
    }
  } finally {
    v.release();
  }
  const out: KeyedStateSnapshot = {
    version: 1,
    maxParallelism: v.maxParallelism,
    keyGroupRange: { ...v.keyGroupRange },
    keyGroups,
  };
  if (v.increment) out.increment = { ...v.increment };
  return out;
}

export class HeapKeyedStateBackend<K = unknown> implements KeyedStateBackend<K>, CurrentKeyHolder {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  currentKey: unknown = undefined;
  currentCanon: CanonicalKey | undefined = undefined;
  currentGroupIndex = -1;
  private readonly groupCount: number;
  private readonly clock: NowSource;
  private readonly tables = new Map<string, StateTable>();
  private readonly defaultHandles = new Map<string, AnyHandle>();
  private timers: TimerSnapshotParticipant | undefined;
  private pendingTimers: Array<[number, Record<string, TimersSnapshot>]> = [];

  constructor(o: KeyedStateBackendOptions) {
    checkParallelismBounds(1, o.maxParallelism);
    const { start, end } = o.keyGroupRange;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end >= o.maxParallelism) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `key-group range [${start}, ${end}] is not inside [0, ${o.maxParallelism - 1}]`,
      );
    }
    this.maxParallelism = o.maxParallelism;
    this.keyGroupRange = { start, end };
    this.groupCount = end - start + 1;
    this.clock = o.clock ?? platform.clock;
  }

  setCurrentKey(key: K): void {
    const kg = assignToKeyGroup(key, this.maxParallelism);
    this.setCurrentKeyAndGroup(key, kg, canonicalKey(key));
  }

  /** For callers that already know the key group and canonical key (timers). */
  setCurrentKeyAndGroup(key: unknown, keyGroup: number, canon: CanonicalKey): void {
    if (keyGroup < this.keyGroupRange.start || keyGroup > this.keyGroupRange.end) {
      throw new SluiceError(
        'STATE_KEY_GROUP_OUT_OF_RANGE',
        `key ${String(key)} belongs to key group ${keyGroup}, outside this subtask's range [${this.keyGroupRange.start}, ${this.keyGroupRange.end}] (max parallelism ${this.maxParallelism})`,
      );
    }
    this.currentKey = key;
    this.currentCanon = canon;
    this.currentGroupIndex = keyGroup - this.keyGroupRange.start;
  }

  getCurrentKey(): K {
    this.requireKey();
    return this.currentKey as K;
  }

  getCurrentKeyGroup(): number {
    this.requireKey();
    return this.currentGroupIndex + this.keyGroupRange.start;
  }

  requireKey(): CanonicalKey {
    const c = this.currentCanon;
    if (c === undefined)
      throw new SluiceError(
        'STATE_NO_CURRENT_KEY',
        'keyed state accessed before any key was set (is the stream keyed?)',
      );
    return c;
  }

  getState<D extends StateDescriptor>(desc: D): StateOf<D> {
    let h = this.defaultHandles.get(desc.name);
    if (h === undefined || this.tables.get(desc.name)!.desc !== desc) {
      h = this.createHandle('', desc);
      this.defaultHandles.set(desc.name, h);
    }
    return h as StateOf<D>;
  }

  getPartitionedState<D extends StateDescriptor>(namespace: string, desc: D): StateOf<D> {
    if (namespace === '') return this.getState(desc);
    return this.createHandle(namespace, desc) as StateOf<D>;
  }

  getKeys(stateName: string, namespace: string): K[] {
    return (this.tables.get(stateName)?.keysIn(namespace) ?? []) as K[];
  }

  applyToAllKeys<D extends StateDescriptor>(namespace: string, desc: D, fn: (key: K, state: StateOf<D>) => void): void {
    const keys = this.getKeys(desc.name, namespace);
    const state = this.getPartitionedState(namespace, desc);
    const prev =
      this.currentCanon === undefined
        ? undefined
        : { key: this.currentKey, gi: this.currentGroupIndex, canon: this.currentCanon };
    try {
      for (const k of keys) {
        this.setCurrentKey(k);
        fn(k, state);
      }
    } finally {
      if (prev) this.setCurrentKeyAndGroup(prev.key, prev.gi + this.keyGroupRange.start, prev.canon);
    }
  }

  /** Number of distinct keys holding any state (metrics). */
  numKeys(): number {
    const seen = new Set<CanonicalKey>();
    for (const t of this.tables.values()) t.forEachRow((_row, canon) => seen.add(canon));
    return seen.size;
  }

  /** Names of the states this backend holds (registered or restored). */
  stateNames(): string[] {
    return [...this.tables.keys()];
  }

  attachTimers(participant: TimerSnapshotParticipant): void {
    if (this.timers)
      throw new SluiceError('API_INVALID_ARGUMENT', 'a timer manager is already attached to this keyed state backend');
    this.timers = participant;
    for (const [kg, t] of this.pendingTimers) participant.restoreTimers(kg, t);
    this.pendingTimers = [];
  }

  snapshot(): KeyedStateSnapshot {
    return materializeKeyedSnapshot(this.freezeSnapshot());
  }

  /** The synchronous part of a snapshot: O(states × key groups + timers), no state is copied. */
  freezeSnapshot(): KeyedSnapshotVersion {
    const frozen: Array<[StateTable, FrozenTable]> = [...this.tables.values()].map((t) => [t, t.freeze()]);
    const nowMs = this.clock.nowMs();
    const buildTimers = this.timers?.freezeTimers();
    const pending = this.pendingTimers.slice();
    let timerGroups: Map<number, Record<string, TimersSnapshot>> | undefined;
    const start = this.keyGroupRange.start;
    let released = false;
    const read = new Uint8Array(this.groupCount);
    const keyGroupColumns = (kg: number): KeyGroupColumns | undefined => {
      if (released) throw new Error('keyed snapshot version used after release');
      const gi = kg - start;
      if (read[gi]) throw new Error(`key group ${kg} of this keyed snapshot version was already read`);
      read[gi] = 1;
      let out: KeyGroupColumns | undefined;
      for (const [t, f] of frozen) {
        const columns = t.frozenColumnsOfGroup(f, gi, nowMs);
        if (columns) (out ??= { layout: 'columns', states: {} }).states[t.name] = columns;
      }
      if (timerGroups === undefined) {
        timerGroups = buildTimers?.() ?? new Map();
        for (const [g, t] of pending) timerGroups.set(g, { ...timerGroups.get(g), ...t });
      }
      const timers = timerGroups.get(kg);
      if (timers) (out ??= { layout: 'columns', states: {} }).timers = timers;
      return out;
    };
    return {
      maxParallelism: this.maxParallelism,
      keyGroupRange: { ...this.keyGroupRange },
      keyGroupColumns,
      keyGroup: (kg) => {
        const c = keyGroupColumns(kg);
        return c && columnsToKeyGroup(c);
      },
      release: () => {
        if (released) return;
        released = true;
        for (const [t, f] of frozen) t.release(f.version);
      },
    };
  }

  /** Loads the key groups of this backend's range from each snapshot; other key groups are ignored. */
  restore(snapshots: KeyedStateSnapshot[] | KeyedStateSnapshot): void {
    for (const raw of Array.isArray(snapshots) ? snapshots : [snapshots]) {
      const snap = normalizeKeyedSnapshot(raw);
      if (snap.maxParallelism !== this.maxParallelism) {
        throw new SluiceError(
          'RESTORE_MAX_PARALLELISM_CHANGED',
          `keyed state was written with max parallelism ${snap.maxParallelism} but the operator now has ${this.maxParallelism}; max parallelism must not change`,
        );
      }
      for (const [kgText, group] of recordEntries(snap.keyGroups)) {
        const kg = Number(kgText);
        if (kg < this.keyGroupRange.start || kg > this.keyGroupRange.end) continue;
        const gi = kg - this.keyGroupRange.start;
        for (const [name, st] of recordEntries(group.states)) {
          const table = this.tableFor(name, st.kind);
          for (const [key, ns, value, lastAccessMs] of st.entries) {
            const stored = st.kind === 'map' ? new Map(value as [unknown, unknown][]) : value;
            table.restoreEntry(gi, canonicalKey(key), key, ns, stored, lastAccessMs ?? undefined);
          }
        }
        if (group.timers) {
          if (this.timers) this.timers.restoreTimers(kg, group.timers);
          else this.pendingTimers.push([kg, group.timers]);
        }
      }
    }
  }

  private tableFor(name: string, kind: StateKind): StateTable {
    let t = this.tables.get(name);
    if (t === undefined) {
      t = new StateTable(name, kind, this.groupCount, this.clock);
      this.tables.set(name, t);
    } else if (t.kind !== kind) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `state "${name}" is a ${t.kind} state; it cannot be used as ${kind} state`,
      );
    }
    return t;
  }

  private createHandle(ns: string, desc: StateDescriptor): AnyHandle {
    const t = this.tableFor(desc.name, desc.kind);
    if (t.desc !== desc) t.attach(desc);
    switch (desc.kind) {
      case 'value':
        return new HeapValueState(this, t, ns);
      case 'list':
        return new HeapListState(this, t, ns);
      case 'map':
        return new HeapMapState(this, t, ns);
      case 'reducing':
        return new HeapReducingState(this, t, ns);
      case 'aggregating':
        return new HeapAggregatingState(this, t, ns);
    }
  }
}

export function createKeyedStateBackend<K = unknown>(o: KeyedStateBackendOptions): HeapKeyedStateBackend<K> {
  return new HeapKeyedStateBackend<K>(o);
}
