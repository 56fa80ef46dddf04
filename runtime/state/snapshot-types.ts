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

export interface KeyedStateSnapshot {
  version: 1;
  maxParallelism: number;
  keyGroupRange: KeyGroupRange;
  keyGroups: Record<number, KeyGroupSnapshot>;
}

export type OperatorStateEntrySnapshot =
  | { mode: 'split' | 'union'; items: unknown[] }
  | { mode: 'broadcast'; entries: [unknown, unknown][] };

export type OperatorStateSnapshot = Record<string, OperatorStateEntrySnapshot>;
