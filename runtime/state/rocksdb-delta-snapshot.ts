/**
 * The delta segment of an incremental RocksDB checkpoint as a KeyedSnapshotVersion: only the logical
 * entries changed since the base checkpoint (rocksdb-change-tracker.ts), read from a point-in-time cursor
 * opened at the barrier, so the task goes on writing while the key groups are built. An entry present in
 * that view is re-emitted whole (a map with all its user keys); an absent or expired one is a deletion.
 * Timers are always complete (heap timers, as Flink's RocksDB backend with HEAP timers).
 *
 * Invariant: key groups are asked for in increasing order; every read sees the state as of the barrier.
 */
import type { KeyGroupRange } from '../api/operator.js';
import type { StateDescriptor, StateKind } from '../api/state.js';
import type { KeyedSnapshotVersion } from './heap-keyed-state-backend.js';
import type { RocksDb } from './rocksdb-db.js';
import { decodeKey, kgStart, parseRow } from './rocksdb-key-layout.js';
import { decodeValue } from './rocksdb-value-codec.js';
import type { DeltaKeyGroupSnapshot, StateEntrySnapshot, TimersSnapshot } from './snapshot-types.js';

export interface DeltaVersionOptions {
  db: RocksDb;
  maxParallelism: number;
  keyGroupRange: KeyGroupRange;
  baseCheckpointId: number;
  /** Changed logical entries (latin1 of kg | name | key | namespace). */
  changed: Set<string>;
  kinds: ReadonlyMap<string, StateKind>;
  descs: ReadonlyMap<string, StateDescriptor>;
  nowMs: number;
  /** The frozen timers, built on first use. */
  timers: () => Map<number, Record<string, TimersSnapshot>>;
  onRelease: () => void;
}

export function deltaVersion(o: DeltaVersionOptions): KeyedSnapshotVersion {
  const { start, end } = o.keyGroupRange;
  const cursor = o.db.cursor(kgStart(start), kgStart(end + 1));
  const byGroup = new Map<number, string[]>();
  for (const e of o.changed) {
    const kg = (e.charCodeAt(0) << 8) | e.charCodeAt(1);
    if (kg < start || kg > end) continue;
    let list = byGroup.get(kg);
    if (list === undefined) byGroup.set(kg, (list = []));
    list.push(e);
  }
  let timerGroups: Map<number, Record<string, TimersSnapshot>> | undefined;
  let lastKg = -1;
  let released = false;

  const readGroup = (kg: number): DeltaKeyGroupSnapshot | undefined => {
    const entries = byGroup.get(kg);
    if (!entries) return undefined;
    entries.sort(); // latin1 order is byte order: the cursor moves forward
    const out: DeltaKeyGroupSnapshot = { states: {} };
    for (const e of entries) {
      const row = Buffer.from(e, 'latin1');
      const parsed = parseRow(row);
      const kind = o.kinds.get(parsed.name);
      if (kind === undefined) continue;
      const ttl = o.descs.get(parsed.name)?.ttl;
      const live = (ts: number | undefined) => !(ttl && ts !== undefined && ts + ttl.ttlMs <= o.nowMs);
      const key = decodeKey(parsed.key);
      let entry: StateEntrySnapshot | undefined;
      for (const [k, raw] of cursor.rowsWithPrefix(row, kind !== 'map')) {
        const { value, ts } = decodeValue(raw);
        if (!live(ts)) continue;
        if (kind !== 'map') {
          entry = [key, parsed.ns, value];
          if (ts !== undefined) entry.push(ts);
          break;
        }
        entry ??= [key, parsed.ns, []];
        (entry[2] as Array<[unknown, unknown]>).push([decodeKey(k.subarray(row.length)), value]);
        if (ts !== undefined) entry[3] = Math.max(entry[3] ?? ts, ts);
      }
      if (entry) (out.states[parsed.name] ??= { kind, entries: [] }).entries.push(entry);
      else ((out.deleted ??= {})[parsed.name] ??= []).push([key, parsed.ns]);
    }
    return out;
  };

  const version: KeyedSnapshotVersion = {
    maxParallelism: o.maxParallelism,
    keyGroupRange: { start, end },
    increment: { kind: 'delta', baseCheckpointId: o.baseCheckpointId },
    keyGroup: (kg) => {
      if (released) throw new Error('keyed snapshot version used after release');
      if (kg <= lastKg) throw new Error(`RocksDB snapshot key groups are read in order (${kg} after ${lastKg})`);
      lastKg = kg;
      const out = readGroup(kg);
      timerGroups ??= o.timers();
      const timers = timerGroups.get(kg);
      if (!timers) return out;
      return { ...(out ?? { states: {} }), timers };
    },
    release: () => {
      if (released) return;
      released = true;
      cursor.close();
      o.onRelease();
    },
  };
  return version;
}
