/**
 * The full snapshot of a RocksDB keyed backend as a KeyedSnapshotVersion: every live entry of the range,
 * read from a point-in-time iterator opened at the barrier (RocksDB's implicit snapshot) while the task
 * goes on writing. Used by every savepoint and by checkpoints (a full segment when incremental).
 *
 * `keyGroupParts(kg, maxRows)` streams a key group as parts of at most `maxRows` stored rows (a map entry
 * counts one row per user key), decoded one part at a time, so the asynchronous part holds no more than
 * that many decoded entries whatever the size of the key group; `keyGroup(kg)` is its parts merged.
 *
 * Invariant: key groups are asked for in increasing order (one forward scan; a key group's parts are read
 * before the next key group is asked for); expired TTL entries are left out; a map's user keys are grouped
 * into one entry per (key, namespace) and part (mergeKeyGroupParts joins an entry split over two parts).
 */
import type { KeyGroupRange } from '../api/operator.js';
import type { StateDescriptor, StateKind } from '../api/state.js';
import type { KeyedSnapshotVersion } from './heap-keyed-state-backend.js';
import type { RocksDb } from './rocksdb-db.js';
import { mergeKeyGroupParts } from './key-group-parts.js';
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

/** Stored rows per part when `keyGroup(kg)` builds a whole key group (its parts merged). */
const WHOLE_GROUP_PART_ROWS = 65_536;

export function fullVersion(o: FullVersionOptions): KeyedSnapshotVersion {
  const range = { ...o.keyGroupRange };
  const rows = o.db.scan(kgStart(range.start), kgStart(range.end + 1));
  const now = o.nowMs;
  let entries = 0;
  let timerGroups: Map<number, Record<string, TimersSnapshot>> | undefined;
  let ahead: IteratorResult<[Buffer, Buffer]> | undefined;
  let lastKg = -1;
  let released = false;
  /** The map entry (state, key, namespace) the previous row belonged to, across part boundaries. */
  let lastMap: { name: string; keyPart: Buffer; ns: string } | undefined;

  function* readParts(kg: number, maxRows: number): Generator<KeyGroupSnapshot> {
    let out: KeyGroupSnapshot | undefined;
    let rowsInPart = 0;
    /** The entry of `out` that rows of `lastMap` go into. */
    let open: StateEntrySnapshot | undefined;
    lastMap = undefined;
    for (;;) {
      if (released) throw new Error('keyed snapshot version used after release');
      ahead ??= rows.next();
      if (ahead.done) break;
      const [k, raw] = ahead.value;
      const row = parseRow(k);
      if (row.kg > kg) break;
      ahead = undefined;
      if (row.kg < kg) continue;
      const kind = o.kinds.get(row.name);
      if (kind === undefined) continue; // cannot happen: every written state was registered or restored
      const { value, ts } = decodeValue(raw);
      const ttl = o.descs.get(row.name)?.ttl;
      if (ttl && ts !== undefined && ts + ttl.ttlMs <= now) continue;
      out ??= { states: {} };
      rowsInPart++;
      if (kind !== 'map') {
        entries++;
        lastMap = undefined;
        const entry: StateEntrySnapshot = [decodeKey(row.key), row.ns, value];
        if (ts !== undefined) entry.push(ts);
        pushEntry(out, row.name, kind, entry);
      } else {
        const same =
          lastMap && lastMap.name === row.name && lastMap.ns === row.ns && lastMap.keyPart.equals(row.keyPart);
        if (!same) {
          entries++;
          lastMap = { name: row.name, keyPart: Buffer.from(row.keyPart), ns: row.ns };
          open = undefined;
        }
        if (!open) {
          // a new entry, or the same map entry continued in a new part (mergeKeyGroupParts joins them)
          open = [decodeKey(row.key), row.ns, []];
          pushEntry(out, row.name, kind, open);
        }
        (open[2] as Array<[unknown, unknown]>).push([decodeKey(row.userKey), value]);
        if (ts !== undefined) open[3] = Math.max(open[3] ?? ts, ts);
      }
      if (rowsInPart >= maxRows) {
        yield out;
        out = undefined;
        open = undefined;
        rowsInPart = 0;
      }
    }
    if (kg === range.end) o.onEntries?.(entries);
    timerGroups ??= o.timers();
    const timers = timerGroups.get(kg);
    if (timers) yield { states: out?.states ?? {}, timers };
    else if (out) yield out;
  }

  const ordered = (kg: number) => {
    if (released) throw new Error('keyed snapshot version used after release');
    if (kg <= lastKg) throw new Error(`RocksDB snapshot key groups are read in order (${kg} after ${lastKg})`);
    lastKg = kg;
  };

  const version: KeyedSnapshotVersion = {
    maxParallelism: o.maxParallelism,
    keyGroupRange: range,
    ...(o.increment ? { increment: { ...o.increment } } : {}),
    keyGroup: (kg) => {
      ordered(kg);
      const parts = [...readParts(kg, WHOLE_GROUP_PART_ROWS)];
      return parts.length === 0 ? undefined : mergeKeyGroupParts(parts);
    },
    keyGroupParts: (kg, maxRows) => {
      if (!(maxRows >= 1)) throw new Error(`a key group part holds at least one row, not ${maxRows}`);
      ordered(kg);
      return readParts(kg, maxRows);
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
