/**
 * Canonical Map keys for keyed state: string, number, bigint and boolean keys are used as themselves
 * (Map compares them by SameValueZero, so 1, 1n, '1' and true stay distinct); tuple (array) keys become
 * a tagged string; a Tuple (Tuple0…Tuple25) is the tuple of its fields, so equal tuples are one key. The original key is kept next to the state so snapshots hold the user's key.
 *
 * Invariant: canonicalKey(a) === canonicalKey(b) iff a and b are the same key. Tuple strings start with
 * '\u0001T', so they can only collide with user strings that start with that control character.
 */
import { Tuple } from '../api/tuple.js';
import { SluiceError } from '../errors/catalogue.js';

export type CanonicalKey = string | number | bigint | boolean;

export function canonicalKey(key: unknown): CanonicalKey {
  switch (typeof key) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return key;
  }
  if (Array.isArray(key)) return '\u0001T' + tupleString(key);
  if (key instanceof Tuple) return '\u0001T' + tupleString(key.toArray());
  throw new SluiceError(
    'API_INVALID_ARGUMENT',
    `unsupported state key type ${key === null ? 'null' : typeof key}: keys must be a string, number, bigint, boolean, or an array (tuple) of these`,
  );
}

function tupleString(fields: readonly unknown[]): string {
  let s = '[';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) s += ',';
    const f = fields[i];
    switch (typeof f) {
      case 'string':
        s += JSON.stringify(f);
        break;
      case 'number':
        s += 'n' + (Object.is(f, -0) ? '0' : String(f));
        break;
      case 'bigint':
        s += 'b' + String(f);
        break;
      case 'boolean':
        s += f ? 't' : 'f';
        break;
      default:
        if (f === null || f === undefined) s += 'z';
        else if (Array.isArray(f)) s += tupleString(f);
        else if (f instanceof Tuple) s += tupleString(f.toArray());
        else
          throw new SluiceError(
            'API_INVALID_ARGUMENT',
            `unsupported tuple key field of type ${typeof f}: fields must be string, number, bigint, boolean, null or a nested tuple`,
          );
    }
  }
  return s + ']';
}

/** A string that identifies (canonical key, namespace, timestamp); used to dedupe timers. */
export function timerIdentity(canon: CanonicalKey, namespace: string, timestamp: number): string {
  const k = typeof canon === 'string' ? 's' + canon : (typeof canon)[0] + String(canon);
  return k + '\u0000' + namespace + '\u0000' + timestamp;
}
