/**
 * The key of a queryable-state read, from the query string: `key` is the key's text and `keyType` says how
 * to read it — `string` (the default), `number`, or `json` (tuples, arrays, objects). A key hashes to its
 * key group by its type (a string "42" and the number 42 are different keys, as in Flink), so the type
 * must match the job's key selector. And the value read, made JSON-safe for the response.
 *
 * Invariant: a missing or unreadable key is a 400 naming the parameter, never a read of another key.
 */
import { badRequest } from './rest-errors.js';

const KEY_TYPES = ['string', 'number', 'json'] as const;

export function parseStateKey(raw: string | undefined, keyType: string | undefined): unknown {
  if (raw === undefined) throw badRequest('Bad request: the query parameter "key" is required (…/state/:name?key=…).');
  const type = keyType ?? 'string';
  if (!(KEY_TYPES as readonly string[]).includes(type))
    throw badRequest(`Bad request: "keyType" must be one of ${KEY_TYPES.join(', ')}, got "${type}".`);
  if (type === 'string') return raw;
  if (type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw badRequest(`Bad request: key "${raw}" is not a number.`);
    return n;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch (e) {
    throw badRequest(`Bad request: key is not valid JSON (${(e as Error).message}).`);
  }
}

/** Maps, sets, bigints and byte arrays as JSON can carry them (entries, arrays, strings, base64). */
export function jsonSafe(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? v.toString() : v;
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [jsonSafe(k), jsonSafe(x)]);
  if (v instanceof Set) return [...v].map(jsonSafe);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(jsonSafe);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = jsonSafe(x);
  return out;
}
