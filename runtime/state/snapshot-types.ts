/**
 * Snapshot shapes of the heap backends: plain objects (msgpack-encodable) split per key group so a
 * restore with any parallelism can take exactly the key groups of its range.
 *
 * KeyedStateSnapshot
 *   { version: 1, maxParallelism, keyGroupRange: {start, end},
 *     keyGroups: { [kg]: { states: { [stateName]: { kind, entries: [key, namespace, value, lastAccessMs?][] } },
 *                          timers?: { [serviceName]: { event: [key, namespace, ts][], processing: [key, namespace, ts][] } } } } }
 *   - only non-empty key groups appear; `value` is the stored value per kind: value → T, list → T[],
 *     map → [k, v][], reducing → T, aggregating → ACC. `lastAccessMs` is present only for TTL states.
 *   - on the control plane and in state files a key group may travel encoded (bytes; the heap backend's in
 *     columns, key-group-columns.ts); key-group-codec.ts decodes it to this shape before any restore.
 *
 *   - incremental checkpoints (RocksDB backend) add `increment: { kind: 'full' | 'delta', baseCheckpointId? }`.
 *     A delta holds only the entries changed since the base checkpoint (each re-emitted whole) and, per key
 *     group, `deleted: { [stateName]: [key, namespace][] }`; its timers are complete (they replace the
 *     base's). checkpoints/incremental-segments.ts folds a chain of segments back into one snapshot.
 *
 * OperatorStateSnapshot
 *   { [stateName]: { mode: 'split' | 'union', items: unknown[] } | { mode: 'broadcast', entries: [k, v][] } }
 */
import type { KeyGroupRange } from '../api/operator.js';
import type { StateKind } from '../api/state.js';

export type StateEntrySnapshot = [key: unknown, namespace: string, value: unknown, lastAccessMs?: number];
export type TimerEntrySnapshot = [key: unknown, namespace: string, timestamp: number];

export interface TimersSnapshot {
  event: TimerEntrySnapshot[];
  processing: TimerEntrySnapshot[];
}

export interface KeyGroupSnapshot {
  states: Record<string, { kind: StateKind; entries: StateEntrySnapshot[] }>;
  timers?: Record<string, TimersSnapshot>;
}

/** A key group of a delta segment: changed entries, deleted entries, and the complete timers. */
export interface DeltaKeyGroupSnapshot extends KeyGroupSnapshot {
  deleted?: Record<string, Array<[key: unknown, namespace: string]>>;
}

/** Marks the keyed snapshot of an incremental checkpoint: a new base, or a delta on a base's segments. */
export interface KeyedIncrement {
  kind: 'full' | 'delta';
  /** The checkpoint whose segments a delta applies on. */
  baseCheckpointId?: number;
}

export interface KeyedStateSnapshot {
  version: 1;
  maxParallelism: number;
  keyGroupRange: KeyGroupRange;
  keyGroups: Record<number, KeyGroupSnapshot>;
  increment?: KeyedIncrement;
}

export type OperatorStateEntrySnapshot =
  | { mode: 'split' | 'union'; items: unknown[] }
  | { mode: 'broadcast'; entries: [unknown, unknown][] };

export type OperatorStateSnapshot = Record<string, OperatorStateEntrySnapshot>;

/** Durations of a subtask's checkpoint, as Flink reports them per subtask (`checkpoint.sync` / `.async`). */
export interface SnapshotTiming {
  /** The synchronous part on the task (operators' snapshotState, freezing the state). */
  syncDurationMs: number;
  /** Building and encoding the state while the task goes on processing. */
  asyncDurationMs: number;
}

/** Entries of a snapshot record whether it decoded as a plain object or a Map (msgpack maps). */
export function recordEntries<V>(r: Record<string | number, V> | Map<string | number, V>): Array<[string, V]> {
  if (r instanceof Map) return [...r].map(([k, v]) => [String(k), v]);
  return Object.entries(r);
}

function rec<T>(x: unknown): T {
  return (x instanceof Map ? Object.fromEntries(x) : x) as T;
}

/**
 * Brings a decoded keyed snapshot into the plain-object shape: codecs that decode msgpack maps as Map
 * (mapsAsObjects: false) are accepted. Only the snapshot's structure is converted, never user values.
 */
export function normalizeKeyedSnapshot(s: unknown): KeyedStateSnapshot {
  const top = rec<KeyedStateSnapshot>(s);
  const keyGroups: Record<number, KeyGroupSnapshot> = {};
  for (const [kg, g0] of recordEntries(top.keyGroups ?? {})) {
    const g = rec<KeyGroupSnapshot>(g0);
    const states: KeyGroupSnapshot['states'] = {};
    for (const [name, st] of recordEntries(g.states ?? {})) states[name] = rec(st);
    const out: KeyGroupSnapshot = { states };
    if (g.timers) {
      out.timers = {};
      for (const [name, t] of recordEntries(g.timers)) out.timers[name] = rec(t);
    }
    keyGroups[Number(kg)] = out;
  }
  return { version: top.version, maxParallelism: top.maxParallelism, keyGroupRange: rec(top.keyGroupRange), keyGroups };
}

/** As normalizeKeyedSnapshot, for operator state. */
export function normalizeOperatorSnapshot(s: unknown): OperatorStateSnapshot {
  const out: OperatorStateSnapshot = {};
  for (const [name, e] of recordEntries(rec<OperatorStateSnapshot>(s))) out[name] = rec(e);
  return out;
}
