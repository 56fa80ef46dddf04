/**
 * Key groups of a keyed snapshot as bytes: a task worker encodes each key group in the asynchronous part
 * of its checkpoint (small slices) so the acknowledgement it sends to the job manager is not one long
 * encoding block on the task's thread; the job manager decodes them back (`decodeKeyGroups`) before the
 * snapshot is stored, so state files and restores see the plain snapshot shape (snapshot-types.ts).
 *
 * Invariant: decode(encode(g)) is what the control-plane frame codec would have delivered for g (same
 * msgpackr options; the tuple extension registered), so stored snapshots do not depend on this detour.
 */
import { Packr, Unpackr } from 'msgpackr';
import '../api/tuples.js';
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
  if (!entries.some(([, g]) => g instanceof Uint8Array)) return keyed;
  const keyGroups: Record<string, unknown> = {};
  for (const [kg, g] of entries) keyGroups[String(kg)] = g instanceof Uint8Array ? unpackr.unpack(g) : g;
  return { ...(keyed as object), keyGroups };
}
