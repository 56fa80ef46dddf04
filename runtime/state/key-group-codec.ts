/**
 * Key groups of a keyed snapshot as bytes: a task worker encodes each key group (or each part of a key group
 * read in parts) in the asynchronous part of its checkpoint (small slices), so the acknowledgement it sends
 * is not one long encoding block on the task's thread. The job manager stores them as they came — the state
 * file holds the encoded key groups — and `decodeKeyGroups` turns them back into the plain snapshot shape
 * (snapshot-types.ts) when a restore reads the file (checkpoints/restored-snapshot.ts): decoding millions
 * of entries on arrival would hold the job manager's event loop, heartbeats included. A key group read in
 * parts is the array of its encoded parts and is merged back into one key group (key-group-parts.ts).
 * The heap backend hands over its key groups in columns (key-group-columns.ts: typed arrays for numbers,
 * packed as raw bytes); they decode to the canonical key group here, so a state file of either layout
 * restores on either backend. Files written before columns existed hold only the canonical layout and decode
 * as before; a file with columns needs a sluice that knows them.
 *
 * Invariant: decode(encode(g)) is what the control-plane frame codec would have delivered for g (same
 * msgpackr options; the tuple extension registered), and for a key group in columns what it would have
 * delivered for `columnsToKeyGroup(g)`, so restores do not depend on this detour; a snapshot with nothing
 * encoded (local execution, older state files) decodes to itself.
 */
import { Packr, Unpackr } from 'msgpackr';
import '../api/tuples.js';
import { columnsToKeyGroup, isKeyGroupColumns, type KeyGroupColumns } from './key-group-columns.js';
import { mergeKeyGroupParts } from './key-group-parts.js';
import type { KeyGroupSnapshot } from './snapshot-types.js';

const packr = new Packr({ useRecords: false, moreTypes: true });
const unpackr = new Unpackr({ useRecords: false, moreTypes: true });

export function encodeKeyGroup(g: KeyGroupSnapshot | KeyGroupColumns): Uint8Array {
  return packr.pack(g);
}

/** One encoded key group (or part) in the canonical form, whichever layout it was encoded in. */
function decodeOne(bytes: Uint8Array): KeyGroupSnapshot {
  const g = unpackr.unpack(bytes) as unknown;
  return isKeyGroupColumns(g) ? columnsToKeyGroup(g) : (g as KeyGroupSnapshot);
}

/**
 * A keyed snapshot (as received) with every encoded key group decoded; other values are kept. Returns the
 * input itself when nothing was encoded.
 */
export function decodeKeyGroups(keyed: unknown): unknown {
  if (typeof keyed !== 'object' || keyed === null) return keyed;
  const groups = (keyed as { keyGroups?: unknown }).keyGroups;
  if (typeof groups !== 'object' || groups === null) return keyed;
  const entries = groups instanceof Map ? [...groups] : Object.entries(groups);
  if (!entries.some(([, g]) => g instanceof Uint8Array || isEncodedParts(g))) return keyed;
  const keyGroups: Record<string, unknown> = {};
  for (const [kg, g] of entries) {
    if (g instanceof Uint8Array) keyGroups[String(kg)] = decodeOne(g);
    else if (isEncodedParts(g)) keyGroups[String(kg)] = mergeKeyGroupParts(g.map(decodeOne));
    else keyGroups[String(kg)] = g;
  }
  return { ...(keyed as object), keyGroups };
}

/** A key group read in parts: the array of its encoded parts, in order. */
function isEncodedParts(g: unknown): g is Uint8Array[] {
  return Array.isArray(g) && g.length > 0 && g.every((p) => p instanceof Uint8Array);
}
