/**
 * Redistribution of non-keyed operator state for a (possibly different) new parallelism, with the
 * semantics Flink documents for operator state (docs/flink-notes.md §5 "Rescaling on restore"):
 *
 *   split list state  the union of all old subtasks' items (in old-subtask order), re-split evenly
 *                     round-robin: item i goes to new subtask i % newParallelism. At unchanged
 *                     parallelism every subtask keeps exactly its own items (splits stay with their reader).
 *   union list state  the full union goes to every new subtask.
 *   broadcast state   every new subtask gets one copy (new subtask i copies old subtask i % oldParallelism;
 *                     the copies are identical by the broadcast contract).
 *
 * Input and output use the operator state store's snapshot shape (runtime/state/snapshot-types.ts):
 * `{ [name]: { mode: 'split'|'union', items } | { mode: 'broadcast', entries } }`. Invariant: every
 * state name present in any old subtask appears (possibly empty) in every new subtask, so the mode is
 * known everywhere; a name with two modes is CHECKPOINT_CORRUPT.
 */
import { SluiceError } from '../runtime/errors/index.js';

export type OperatorStateMode = 'split' | 'union' | 'broadcast';

export interface OperatorStateEntry {
  mode: OperatorStateMode;
  items?: unknown[];
  entries?: [unknown, unknown][];
}

export type OperatorStateSnapshotLike = Record<string, OperatorStateEntry>;

function corrupt(uid: string, msg: string): SluiceError {
  return new SluiceError('CHECKPOINT_CORRUPT', `Operator state of ${uid} cannot be redistributed: ${msg}`);
}

function asSnapshot(uid: string, index: number, raw: unknown): OperatorStateSnapshotLike | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw corrupt(uid, `subtask ${index}'s operator state is not an object`);
  const snap = raw as Record<string, unknown>;
  for (const [name, e] of Object.entries(snap)) {
    const entry = e as OperatorStateEntry | null;
    if (!entry || typeof entry !== 'object') throw corrupt(uid, `state "${name}" of subtask ${index} is not an object`);
    if (entry.mode === 'broadcast') {
      if (!Array.isArray(entry.entries))
        throw corrupt(uid, `broadcast state "${name}" of subtask ${index} has no entries array`);
    } else if (entry.mode === 'split' || entry.mode === 'union') {
      if (!Array.isArray(entry.items))
        throw corrupt(uid, `list state "${name}" of subtask ${index} has no items array`);
    } else {
      throw corrupt(uid, `state "${name}" of subtask ${index} has unknown mode ${JSON.stringify(entry.mode)}`);
    }
  }
  return snap as OperatorStateSnapshotLike;
}

/**
 * Redistributes `previous` (indexed by old subtask index; undefined = no operator state) over
 * `newParallelism` subtasks. Returns one snapshot per new subtask, undefined where there is no state at all.
 */
export function redistributeOperatorState(
  uid: string,
  previous: ReadonlyArray<unknown>,
  newParallelism: number,
): Array<OperatorStateSnapshotLike | undefined> {
  const old = previous.map((raw, i) => asSnapshot(uid, i, raw));
  const modes = new Map<string, OperatorStateMode>();
  for (const snap of old) {
    for (const [name, e] of Object.entries(snap ?? {})) {
      const seen = modes.get(name);
      if (seen && seen !== e.mode)
        throw corrupt(uid, `state "${name}" is ${seen} in one subtask and ${e.mode} in another`);
      modes.set(name, e.mode);
    }
  }
  const out: Array<OperatorStateSnapshotLike | undefined> = Array.from({ length: newParallelism }, () =>
    modes.size > 0 ? {} : undefined,
  );
  const sameParallelism = old.length === newParallelism;
  for (const [name, mode] of modes) {
    if (mode === 'broadcast') {
      const holders = old.map((s, i) => ({ i, e: s?.[name] })).filter((h) => h.e !== undefined);
      for (let j = 0; j < newParallelism; j++) {
        const src = old[j % old.length]?.[name] ?? holders[0]!.e!;
        out[j]![name] = { mode, entries: src.entries!.map(([k, v]) => [k, v] as [unknown, unknown]) };
      }
      continue;
    }
    if (mode === 'split' && sameParallelism) {
      for (let j = 0; j < newParallelism; j++) out[j]![name] = { mode, items: [...(old[j]?.[name]?.items ?? [])] };
      continue;
    }
    const all: unknown[] = [];
    for (const s of old) all.push(...(s?.[name]?.items ?? []));
    if (mode === 'union') {
      for (let j = 0; j < newParallelism; j++) out[j]![name] = { mode, items: [...all] };
    } else {
      const parts: unknown[][] = Array.from({ length: newParallelism }, () => []);
      all.forEach((item, i) => parts[i % newParallelism]!.push(item));
      for (let j = 0; j < newParallelism; j++) out[j]![name] = { mode, items: parts[j]! };
    }
  }
  return out;
}
