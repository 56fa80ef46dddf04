/**
 * Key groups of a keyed snapshot as bytes: a task worker encodes each key group in the asynchronous part
 * of its checkpoint (small slices) so the acknowledgement it sends to the job manager is not one long
 * encoding block on the task's thread; the job manager decodes them back (`decodeKeyGroups`) before the
 * snapshot is stored, so state files and restores see the plain snapshot shape (snapshot-types.ts). A key
 * group a backend streamed in parts (key-group-parts.ts) arrives as the array of its encoded parts and is
 * merged back into one key group here.
 *
 * Invariant: decode(encode(g)) is what the control-plane frame codec would have delivered for g (same
 * msgpackr options; the tuple extension registered), so stored snapshots do not depend on this detour.
 */
import { Packr, Unpackr } from 'msgpackr';
import '../api/tuples.js';
import { mergeKeyGroupParts } from './key-group-parts.js';
import type { KeyGroupSnapshot } from './snapshot-types.js';

const packr = new Packr({ useRecords: false, moreTypes: true });
const unpackr = new Unpackr({ useRecords: false, moreTypes: true });

export function encodeKeyGroup(g: KeyGroupSnapshot): Uint8Array {
  return packr.pack(g);
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
    if (g instanceof Uint8Array) keyGroups[String(kg)] = unpackr.unpack(g);
    else if (isEncodedParts(g))
      keyGroups[String(kg)] = mergeKeyGroupParts(g.map((p) => unpackr.unpack(p) as KeyGroupSnapshot));
    else keyGroups[String(kg)] = g;
  }
  return { ...(keyed as object), keyGroups };
}

/** A key group read in parts: the array of its encoded parts, in order. */
function isEncodedParts(g: unknown): g is Uint8Array[] {
  return Array.isArray(g) && g.length > 0 && g.every((p) => p instanceof Uint8Array);
}
