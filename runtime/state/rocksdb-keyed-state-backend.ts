/**
 * RocksDB keyed state backend (`state.backend.type: rocksdb`): the keyed state of one operator subtask in
 * an embedded RocksDB instance in its own local directory, so state is bounded by disk, not by the
 * worker's heap. Keys are laid out by key group (rocksdb-key-layout.ts), values encoded per
 * rocksdb-value-codec.ts, handles in rocksdb-state-handles.ts.
 *
 * Snapshots are the canonical, backend-independent KeyedStateSnapshot (snapshot-types.ts), read from a
 * point-in-time iterator: a checkpoint or savepoint taken here restores on the heap backend and the other
 * way round, at any parallelism (each restore takes only the key groups of its range).
 *
 * With `incremental` (execution.checkpointing.incremental), a checkpoint's snapshot is a full segment or a
 * delta of the entries changed since a base checkpoint (rocksdb-change-tracker.ts, rocksdb-delta-snapshot.ts);
 * savepoints and the final state are always full and leave the tracking alone.
 *
 * Timers stay on the heap (Flink's `state.backend.rocksdb.timer-service.factory: HEAP`) and travel in the
 * same per-key-group snapshot through the TimerSnapshotParticipant, as with the heap backend.
 *
 * Invariant: the directory belongs to this backend alone; `dispose()` closes the database and removes it.
 */
import type { KeyGroupRange } from '../api/operator.js';
import type { StateDescriptor, StateKind, StateOf } from '../api/state.js';
import { SluiceError } from '../errors/catalogue.js';
import { assignToKeyGroup, checkParallelismBounds } from '../keygroups/index.js';
import { platform } from '../platform/index.js';
import {
  materializeKeyedSnapshot,
  type KeyedSnapshotVersion,
  type TimerSnapshotParticipant,
} from './heap-keyed-state-backend.js';
import { canonicalKey, type CanonicalKey } from './key-codec.js';
import { ChangeTracker } from './rocksdb-change-tracker.js';
import { deltaVersion } from './rocksdb-delta-snapshot.js';
import { fullVersion } from './rocksdb-full-snapshot.js';
import { RocksDb, type RocksDbOptions } from './rocksdb-db.js';
import {
  decodeKey,
  encodeKey,
  kgStart,
  keyPart,
  namespacePart,
  parseRow,
  prefixEnd,
  statePrefix,
} from './rocksdb-key-layout.js';
import {
  RocksAggregatingState,
  RocksListState,
  RocksMapState,
  RocksReducingState,
  RocksValueState,
  type RocksStateContext,
} from './rocksdb-state-handles.js';
import { decodeValue, encodeValue } from './rocksdb-value-codec.js';
import {
  normalizeKeyedSnapshot,
  recordEntries,
  type KeyedStateSnapshot,
  type TimersSnapshot,
} from './snapshot-types.js';
import type { NowSource } from './state-table.js';

export interface RocksDbKeyedStateBackendOptions extends RocksDbOptions {
  maxParallelism: number;
  keyGroupRange: KeyGroupRange;
  /** A fresh directory for this backend's database (created by the caller). */
  directory: string;
  /** Names the operator in errors (unserializable values). */
  operatorUid: string;
  clock?: NowSource;
  /** Incremental checkpoints: track changes and snapshot deltas at checkpoints. */
  incremental?: boolean;
}

/** What a snapshot is taken for; without it (or for a savepoint) the snapshot is full and untracked. */
export interface FreezeContext {
  checkpointId: number;
  isSavepoint: boolean;
}

type AnyHandle = { clear(): void };

export class RocksDbKeyedStateBackend<K = unknown> implements RocksStateContext {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly operatorUid: string;
  currentKey: unknown = undefined;
  private currentCanon: CanonicalKey | undefined;
  private currentKg = -1;
  /** keyLen | key of the current key, encoded on first state access after setCurrentKey. */
  private currentKeyPart: Buffer | undefined;
  private readonly clock: NowSource;
  private readonly kinds = new Map<string, StateKind>();
  private readonly descs = new Map<string, StateDescriptor>();
  private readonly defaultHandles = new Map<string, AnyHandle>();
  /** statePrefix(0, name) per state name; rowPrefix overwrites the key group. */
  private readonly prefixes = new Map<string, Buffer>();
  /** Snapshot versions not yet released (each holds a native iterator). */
  private readonly versions = new Set<KeyedSnapshotVersion>();
  private timers: TimerSnapshotParticipant | undefined;
  private pendingTimers: Array<[number, Record<string, TimersSnapshot>]> = [];
  private readonly tracker: ChangeTracker | undefined;

  private constructor(
    readonly db: RocksDb,
    o: RocksDbKeyedStateBackendOptions,
  ) {
    this.maxParallelism = o.maxParallelism;
    this.keyGroupRange = { ...o.keyGroupRange };
    this.operatorUid = o.operatorUid;
    this.clock = o.clock ?? platform.clock;
    if (o.incremental) this.tracker = new ChangeTracker();
  }

  static async open<K>(o: RocksDbKeyedStateBackendOptions): Promise<RocksDbKeyedStateBackend<K>> {
    checkParallelismBounds(1, o.maxParallelism);
    const { start, end } = o.keyGroupRange;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end >= o.maxParallelism)
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `key-group range [${start}, ${end}] is not inside [0, ${o.maxParallelism - 1}]`,
      );
    return new RocksDbKeyedStateBackend<K>(await RocksDb.open(o.directory, o), o);
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  touched(row: Buffer): void {
    this.tracker?.touch(row);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    this.tracker?.confirmed(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    this.tracker?.aborted(checkpointId);
  }

  setCurrentKey(key: K): void {
    this.setCurrentKeyAndGroup(key, assignToKeyGroup(key, this.maxParallelism), canonicalKey(key));
  }

  setCurrentKeyAndGroup(key: unknown, keyGroup: number, canon: CanonicalKey): void {
    if (keyGroup < this.keyGroupRange.start || keyGroup > this.keyGroupRange.end)
      throw new SluiceError(
        'STATE_KEY_GROUP_OUT_OF_RANGE',
        `key ${String(key)} belongs to key group ${keyGroup}, outside this subtask's range [${this.keyGroupRange.start}, ${this.keyGroupRange.end}] (max parallelism ${this.maxParallelism})`,
      );
    if (canon !== this.currentCanon) this.currentKeyPart = undefined;
    this.currentKey = key;
    this.currentCanon = canon;
    this.currentKg = keyGroup;
  }

  getCurrentKey(): K {
    this.requireKey();
    return this.currentKey as K;
  }

  getCurrentKeyGroup(): number {
    this.requireKey();
    return this.currentKg;
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

  rowPrefix(name: string): Buffer {
    this.requireKey();
    const kp = (this.currentKeyPart ??= keyPart(encodeKey(this.currentKey)));
    let sp = this.prefixes.get(name);
    if (sp === undefined) this.prefixes.set(name, (sp = statePrefix(0, name)));
    const out = Buffer.allocUnsafe(sp.length + kp.length);
    sp.copy(out, 0);
    out.writeUInt16BE(this.currentKg, 0);
    kp.copy(out, sp.length);
    return out;
  }

  getState<D extends StateDescriptor>(desc: D): StateOf<D> {
    let h = this.defaultHandles.get(desc.name);
    if (h === undefined || this.descs.get(desc.name) !== desc) {
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
    const out: K[] = [];
    const desc = this.descs.get(stateName);
    const now = this.nowMs();
    for (let kg = this.keyGroupRange.start; kg <= this.keyGroupRange.end; kg++) {
      const p = statePrefix(kg, stateName);
      let last: Buffer | undefined;
      for (const [k, raw] of this.db.scan(p, prefixEnd(p))) {
        const row = parseRow(k);
        if (row.ns !== namespace || last?.equals(row.key)) continue;
        const { ts } = decodeValue(raw);
        if (desc?.ttl && ts !== undefined && ts + desc.ttl.ttlMs <= now) continue;
        last = row.key;
        out.push(decodeKey(row.key) as K);
      }
    }
    return out;
  }

  applyToAllKeys<D extends StateDescriptor>(namespace: string, desc: D, fn: (key: K, state: StateOf<D>) => void): void {
    const keys = this.getKeys(desc.name, namespace);
    const state = this.getPartitionedState(namespace, desc);
    const prev =
      this.currentCanon === undefined ? undefined : ([this.currentKey, this.currentKg, this.currentCanon] as const);
    try {
      for (const k of keys) {
        this.setCurrentKey(k);
        fn(k, state);
      }
    } finally {
      if (prev) this.setCurrentKeyAndGroup(prev[0], prev[1], prev[2]);
    }
  }

  /** Number of distinct keys holding any state (a full scan: for tests and diagnostics). */
  numKeys(): number {
    const seen = new Set<string>();
    for (const [k] of this.db.scan(kgStart(this.keyGroupRange.start), kgStart(this.keyGroupRange.end + 1)))
      seen.add(parseRow(k).key.toString('latin1'));
    return seen.size;
  }

  stateNames(): string[] {
    return [...this.kinds.keys()];
  }

  attachTimers(participant: TimerSnapshotParticipant): void {
    if (this.timers)
      throw new SluiceError('API_INVALID_ARGUMENT', 'a timer manager is already attached to this keyed state backend');
    this.timers = participant;
    for (const [kg, t] of this.pendingTimers) participant.restoreTimers(kg, t);
    this.pendingTimers = [];
  }

  /** The canonical snapshot of this backend's key groups (expired TTL entries left out). */
  snapshot(): KeyedStateSnapshot {
    return materializeKeyedSnapshot(this.freezeSnapshot());
  }

  /**
   * The synchronous part of a snapshot: writes the write-back buffer and opens a point-in-time iterator over
   * the range (RocksDB's implicit snapshot), and freezes the timers. `keyGroup(kg)` then reads that view
   * while the task goes on writing; key groups must be asked for in increasing order (one forward scan).
   */
  freezeSnapshot(ctx?: FreezeContext): KeyedSnapshotVersion {
    const plan = ctx && !ctx.isSavepoint ? this.tracker?.plan(ctx.checkpointId) : undefined;
    const now = this.nowMs();
    const buildTimers = this.timers?.freezeTimers();
    const pending = this.pendingTimers.slice();
    const frozenTimers = () => {
      const groups = buildTimers?.() ?? new Map<number, Record<string, TimersSnapshot>>();
      for (const [g, t] of pending) groups.set(g, { ...groups.get(g), ...t });
      return groups;
    };
    if (plan?.kind === 'delta') {
      const v = deltaVersion({
        db: this.db,
        maxParallelism: this.maxParallelism,
        keyGroupRange: this.keyGroupRange,
        baseCheckpointId: plan.baseCheckpointId!,
        changed: plan.changed!,
        kinds: this.kinds,
        descs: this.descs,
        nowMs: now,
        timers: frozenTimers,
        onRelease: () => this.versions.delete(v),
      });
      this.versions.add(v);
      return v;
    }
    const v = fullVersion({
      db: this.db,
      maxParallelism: this.maxParallelism,
      keyGroupRange: this.keyGroupRange,
      kinds: this.kinds,
      descs: this.descs,
      nowMs: now,
      timers: frozenTimers,
      ...(plan ? { increment: { kind: 'full' as const } } : {}),
      onEntries: (n) => {
        if (plan) this.tracker?.fullWritten(n);
      },
      onRelease: () => this.versions.delete(v),
    });
    this.versions.add(v);
    return v;
  }

  /** Loads the key groups of this backend's range from canonical snapshots (of either backend). */
  restore(snapshots: KeyedStateSnapshot[] | KeyedStateSnapshot): void {
    for (const raw of Array.isArray(snapshots) ? snapshots : [snapshots]) {
      const snap = normalizeKeyedSnapshot(raw);
      if (snap.maxParallelism !== this.maxParallelism)
        throw new SluiceError(
          'RESTORE_MAX_PARALLELISM_CHANGED',
          `keyed state was written with max parallelism ${snap.maxParallelism} but the operator now has ${this.maxParallelism}; max parallelism must not change`,
        );
      for (const [kgText, group] of recordEntries(snap.keyGroups)) {
        const kg = Number(kgText);
        if (kg < this.keyGroupRange.start || kg > this.keyGroupRange.end) continue;
        for (const [name, st] of recordEntries(group.states)) {
          this.registerKind(name, st.kind);
          const prefix = statePrefix(kg, name);
          for (const [key, ns, value, lastAccessMs] of st.entries) {
            const row = Buffer.concat([prefix, keyPart(encodeKey(key)), namespacePart(ns)]);
            const ts = lastAccessMs ?? undefined;
            if (st.kind === 'map') {
              const entries = value instanceof Map ? [...value] : (value as Array<[unknown, unknown]>);
              for (const [uk, v] of entries) {
                this.db.put(Buffer.concat([row, encodeKey(uk)]), encodeValue(v, ts, name, this.operatorUid));
              }
            } else {
              this.db.put(row, encodeValue(value, ts, name, this.operatorUid));
            }
          }
        }
        if (group.timers) {
          if (this.timers) this.timers.restoreTimers(kg, group.timers);
          else this.pendingTimers.push([kg, group.timers]);
        }
      }
      this.db.flush();
    }
    this.tracker?.reset();
  }

  /** Releases snapshot versions still open (their iterators), closes the database and removes its directory. */
  async dispose(): Promise<void> {
    for (const v of [...this.versions]) v.release();
    await this.db.close().catch(() => undefined);
    await platform.files.async.rm(this.db.location, { recursive: true, force: true });
  }

  private registerKind(name: string, kind: StateKind): void {
    const known = this.kinds.get(name);
    if (known !== undefined && known !== kind)
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `state "${name}" is a ${known} state; it cannot be used as ${kind} state`,
      );
    this.kinds.set(name, kind);
  }

  private createHandle(ns: string, desc: StateDescriptor): AnyHandle {
    this.registerKind(desc.name, desc.kind);
    if (desc.ttl && !(desc.ttl.ttlMs > 0))
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `state "${desc.name}": TTL must be positive, got ${desc.ttl.ttlMs}`,
      );
    this.descs.set(desc.name, desc);
    switch (desc.kind) {
      case 'value':
        return new RocksValueState(this, desc, ns);
      case 'list':
        return new RocksListState(this, desc, ns);
      case 'map':
        return new RocksMapState(this, desc, ns);
      case 'reducing':
        return new RocksReducingState(this, desc, ns);
      case 'aggregating':
        return new RocksAggregatingState(this, desc, ns);
    }
  }
}
