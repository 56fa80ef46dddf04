/**
 * A subtask's queryable states: keyed state declared with `setQueryable(name)` and read-only views by key
 * that operators register (runtime/api/queryable-state.ts). `query` answers one key from live state.
 *
 * Invariants: a query restores the backend's current key afterwards and never writes state (handles are
 * only read); a key outside the backend's key-group range is `not-owner`; one name per subtask (a second
 * registration of the same name by the same state is a no-op, by another is refused).
 */
import type { KeyedStateBackend } from '../api/operator.js';
import type { QueryableStateAnswer, QueryableStateRegistry } from '../api/queryable-state.js';
import type {
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  StateDescriptor,
  StateKind,
  ValueState,
} from '../api/state.js';
import { SluiceError } from '../errors/catalogue.js';
import { assignToKeyGroup } from '../keygroups/key-group-assignment.js';

interface Entry {
  kind: StateKind | 'view';
  /** The state's own name (keyed state) or the view's name: tells a re-registration from a clash. */
  source: string;
  operatorName: string;
  backend: KeyedStateBackend;
  read(key: unknown): unknown;
}

export class SubtaskQueryableStates implements QueryableStateRegistry {
  private readonly entries = new Map<string, Entry>();

  registerKeyed(desc: StateDescriptor, backend: KeyedStateBackend, operatorName: string): void {
    const name = desc.queryableStateName;
    if (name === undefined) return;
    this.add(name, {
      kind: desc.kind,
      source: `${operatorName}/${desc.name}`,
      operatorName,
      backend,
      read: () => readHandle(desc.kind, backend.getState(desc)),
    });
  }

  registerView(name: string, backend: KeyedStateBackend, operatorName: string, read: (key: unknown) => unknown): void {
    this.add(name, { kind: 'view', source: `${operatorName}/view:${name}`, operatorName, backend, read });
  }

  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  /** Reads `name` for `key` from this subtask's live state. */
  query(name: string, key: unknown): QueryableStateAnswer {
    const e = this.entries.get(name);
    if (!e) return { status: 'unknown' };
    const keyGroup = assignToKeyGroup(key, e.backend.maxParallelism);
    const range = e.backend.keyGroupRange;
    if (keyGroup < range.start || keyGroup > range.end)
      return { status: 'not-owner', keyGroup, keyGroupRange: { start: range.start, end: range.end } };
    let previous: { key: unknown } | undefined;
    try {
      previous = { key: e.backend.getCurrentKey() };
    } catch {
      previous = undefined; // no record processed yet: nothing to restore
    }
    try {
      if (e.kind !== 'view') e.backend.setCurrentKey(key);
      const value = e.read(key);
      if (value === undefined) return { status: 'empty', operatorName: e.operatorName, keyGroup };
      return { status: 'ok', kind: e.kind, operatorName: e.operatorName, keyGroup, value };
    } finally {
      if (previous !== undefined && previous.key !== undefined) e.backend.setCurrentKey(previous.key);
    }
  }

  private add(name: string, entry: Entry): void {
    const existing = this.entries.get(name);
    if (existing && existing.source !== entry.source)
      throw new SluiceError(
        'STATE_QUERYABLE_DUPLICATE',
        `queryable state name "${name}" is used twice in one task: by ${existing.source} and by ${entry.source}`,
      );
    this.entries.set(name, entry);
  }
}

/** The value a handle holds for the current key, or undefined when it holds nothing. */
function readHandle(kind: StateKind, handle: unknown): unknown {
  switch (kind) {
    case 'value':
      return (handle as ValueState<unknown>).value();
    case 'list': {
      const items = (handle as ListState<unknown>).get();
      return items.length === 0 ? undefined : [...items];
    }
    case 'map': {
      const m = handle as MapState<unknown, unknown>;
      return m.isEmpty() ? undefined : [...m.entries()];
    }
    case 'reducing':
      return (handle as ReducingState<unknown>).get();
    case 'aggregating':
      return (handle as AggregatingState<unknown, unknown>).get();
  }
}
