/**
 * A key group streamed in parts: a backend whose key groups can be large (RocksDB) hands the asynchronous
 * snapshot part a key group as consecutive partial KeyGroupSnapshots of at most N stored rows each, so no
 * more than N decoded entries are held at once; `mergeKeyGroupParts` folds such parts back into the one
 * KeyGroupSnapshot every reader of the canonical format expects (the job manager before storing, a
 * backend's `keyGroup(kg)`).
 *
 * Invariants: parts are merged in the order they were produced; a state's entries keep their order; a map
 * entry whose user keys were split over two parts (the part boundary fell inside it) becomes one entry
 * again — two adjacent entries of the same state, key and namespace can only be such a split, since a
 * backend emits each (key, namespace) once. Timers appear in one part at most.
 */
import { canonicalKey } from './key-codec.js';
import type { KeyGroupSnapshot, StateEntrySnapshot } from './snapshot-types.js';
import { recordEntries } from './snapshot-types.js';

/** One KeyGroupSnapshot from its parts (returns the only part itself when there is one). */
export function mergeKeyGroupParts(parts: readonly KeyGroupSnapshot[]): KeyGroupSnapshot {
  if (parts.length === 1) return parts[0]!;
  const out: KeyGroupSnapshot = { states: {} };
  for (const part of parts) {
    for (const [name, st] of recordEntries(part.states)) {
      const into = out.states[name];
      if (!into) {
        out.states[name] = { kind: st.kind, entries: [...st.entries] };
        continue;
      }
      let from = 0;
      const last = into.entries[into.entries.length - 1];
      const first = st.entries[0];
      if (st.kind === 'map' && last && first && sameEntry(last, first)) {
        last[2] = [...(last[2] as Array<[unknown, unknown]>), ...(first[2] as Array<[unknown, unknown]>)];
        if (first[3] !== undefined) last[3] = Math.max(last[3] ?? first[3], first[3]);
        from = 1;
      }
      for (let i = from; i < st.entries.length; i++) into.entries.push(st.entries[i]!);
    }
    if (part.timers) out.timers = { ...out.timers, ...part.timers };
  }
  return out;
}

function sameEntry(a: StateEntrySnapshot, b: StateEntrySnapshot): boolean {
  return a[1] === b[1] && canonicalKey(a[0]) === canonicalKey(b[0]);
}
