/**
 * Queryable state (Flink's `StateDescriptor.setQueryable`): keyed state, or a read-only view an operator
 * computes per key (the serving operators' model statistics), readable by key from outside the job while it
 * runs. Operators register what they expose with their subtask's registry; the job manager routes a query to
 * the subtask whose key-group range holds the key and the subtask answers from its live state.
 *
 * Invariants: a query never writes state; it answers for keys of its own key-group range only (a key of
 * another range is answered `not-owner`, so a stale route after a rescale is detected, not misread); names
 * are unique within a subtask.
 */
import type { KeyedStateBackend, KeyGroupRange } from './operator.js';
import type { StateDescriptor, StateKind } from './state.js';

/** What a subtask answers to one query. */
export type QueryableStateAnswer =
  | { status: 'ok'; kind: StateKind | 'view'; operatorName: string; keyGroup: number; value: unknown }
  | { status: 'empty'; operatorName: string; keyGroup: number }
  | { status: 'unknown' }
  | { status: 'not-owner'; keyGroup: number; keyGroupRange: KeyGroupRange };

export interface QueryableStateRegistry {
  /** Registers keyed state declared queryable (called when a function obtains its handle). */
  registerKeyed(desc: StateDescriptor, backend: KeyedStateBackend, operatorName: string): void;
  /**
   * Registers a read-only view by key: `read` returns undefined when the key has nothing. The view answers
   * for keys of `backend`'s key-group range, so it is routed like keyed state.
   */
  registerView(name: string, backend: KeyedStateBackend, operatorName: string, read: (key: unknown) => unknown): void;
}
