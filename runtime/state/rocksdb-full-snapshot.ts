/**
 * The full snapshot of a RocksDB keyed backend as a KeyedSnapshotVersion: every live entry of the range,
 * read from a point-in-time iterator opened at the barrier (RocksDB's implicit snapshot) while the task
 * goes on writing. Used by every savepoint and by checkpoints (a full segment when incremental).
 *
 * Invariant: key groups are asked for in increasing order (one forward scan); expired TTL entries are left
 * out; a map's user keys are grouped into one entry per (key, namespace).
 */
import type { KeyGroupRange } from '../api/operator.js';
import type { StateDescriptor, StateKind } from '../api/state.js';
import type { KeyedSnapshotVersion } from './heap-keyed-state-backend.js';
import type { RocksDb } from './rocksdb-db.js';
import { decodeKey, kgStart, parseRow } from './rocksdb-key-layout.js';
import { decodeValue } from './rocksdb-value-codec.js';
import type { KeyGroupSnapshot, KeyedIncrement, StateEntrySnapshot, TimersSnapshot } from './snapshot-types.js';

export interface FullVersionOptions {
  db: RocksDb;
  maxParallelism: number;
  keyGroupRange: KeyGroupRange;
  kinds: ReadonlyMap<string, StateKind>;
  descs: ReadonlyMap<string, StateDescriptor>;
  nowMs: number;
  /** The frozen timers, built on first use. */
  timers: () => Map<number, Record<string, TimersSnapshot>>;
  increment?: KeyedIncrement;
  /** Logical entries read, once the last key group was read. */
  onEntries?: (entries: number) => void;
  onRelease: () => void;
}

export function fullVersion(o: FullVersionOptions): KeyedSnapshotVersion {
  const range = { ...o.keyGroupRange };
  const rows = o.db.scan(kgStart(range.start), kgStart(range.end + 1));
  const now = o.nowMs;
  let entries = 0;
  let timerGroups: Map<number, Record<string, TimersSnapshot>> | undefined;
  let ahead: IteratorResult<[Buffer, Buffer]> | undefined;
  let lastKg = -1;
  let released = false;
  const readGroup = (kg: number): KeyGroupSnapshot | undefined => {
    let out: KeyGroupSnapshot | undefined;
    let open: { name: string; keyPart: Buffer; ns: string; entry: StateEntrySnapshot } | undefined;
    for (;;) {
      ahead ??= rows.next();
      if (ahead.done) return out;
      const [k, raw] = ahead.value;
      const row = parseRow(k);
      if (row.kg > kg) return out;
      ahead = undefined;
      if (row.kg < kg) continue;
      const kind = o.kinds.get(row.name);
      if (kind === undefined) continue; // cannot happen: every written state was registered or restored
      const { value, ts } = decodeValue(raw);
      const ttl = o.descs.get(row.name)?.ttl;
      if (ttl && ts !== undefined && ts + ttl.ttlMs <= now) continue;
      out ??= { states: {} };
      entries++;
      if (kind !== 'map') {
        const entry: StateEntrySnapshot = [decodeKey(row.key), row.ns, value];
        if (ts !== undefined) entry.push(ts);
        pushEntry(out, row.name, kind, entry);
        continue;
      }
      if (!(open && open.name === row.name && open.ns === row.ns && open.keyPart.equals(row.keyPart))) {
        open = {
          name: row.name,
          keyPart: Buffer.from(row.keyPart),
          ns: row.ns,
          entry: [decodeKey(row.key), row.ns, []],
        };
        pushEntry(out, row.name, kind, open.entry);
      } else entries--; // another user key of the same logical entry
      (open.entry[2] as Array<[unknown, unknown]>).push([decodeKey(row.userKey), value]);
      if (ts !== undefined) open.entry[3] = Math.max(open.entry[3] ?? ts, ts);
    }
  };

  const version: KeyedSnapshotVersion = {
    maxParallelism: o.maxParallelism,
    keyGroupRange: range,
    ...(o.increment ? { increment: { ...o.increment } } : {}),
    keyGroup: (kg) => {
      if (released) throw new Error('keyed snapshot version used after release');
      if (kg <= lastKg) throw new Error(`RocksDB snapshot key groups are read in order (${kg} after ${lastKg})`);
      lastKg = kg;
      const out = readGroup(kg);
      if (kg === range.end) o.onEntries?.(entries);
      timerGroups ??= o.timers();
      const timers = timerGroups.get(kg);
      if (!timers) return out;
      return { states: out?.states ?? {}, timers };
    },
    release: () => {
      if (released) return;
      released = true;
      rows.return(undefined);
      o.onRelease();
    },
  };
  return version;
}

function pushEntry(g: KeyGroupSnapshot, name: string, kind: StateKind, e: StateEntrySnapshot): void {
  (g.states[name] ??= { kind, entries: [] }).entries.push(e);
}
