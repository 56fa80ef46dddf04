/**
 * Java `hashCode` semantics for the key types sluice supports, so that key → key group → subtask routing
 * is identical to Flink's (docs/flink-notes.md §3).
 *
 * Supported keys and the Java type they stand for:
 *   string                          → java.lang.String (31*h + c over UTF-16 code units, int32 wrap)
 *   integer number in int32 range   → java.lang.Integer (the value)
 *   other safe integer number       → java.lang.Long  ((int)(v ^ (v >>> 32)))
 *   bigint in int64 range           → java.lang.Long
 *   non-integer number (NaN, ±Inf)  → java.lang.Double ((int)(bits ^ (bits >>> 32)), canonical NaN)
 *   boolean                         → java.lang.Boolean (1231 / 1237)
 *   array of supported keys         → Flink TupleN (h = 0; h = 31*h + hash(f_i)); null/undefined field → 0
 *   object with a hashCode() method → that method, as Java calls it (sluice's Tuple0…Tuple25 implement
 *                                     Flink's Tuple.hashCode; a user key class implements its own)
 * Anything else throws SluiceError API_INVALID_ARGUMENT.
 *
 * Invariant: every result is an int32 (what Java would return). Note -0 is an integer here (Integer 0),
 * while Java's Double(-0.0) hashes differently; keys meant as doubles should not be integral.
 */
import { SluiceError } from '../errors/catalogue.js';

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const TWO_POW_32 = 4294967296;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
// Little-endian hosts (every Node platform we run on) keep the low word first.
const LO = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HI = 1 - LO;

export function stringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Long.hashCode for a safe integer, exact without BigInt: hi/lo words of the two's complement. */
function safeLongHashCode(v: number): number {
  const hi = Math.floor(v / TWO_POW_32);
  const lo = v - hi * TWO_POW_32;
  return (hi ^ lo) | 0;
}

export function bigintHashCode(v: bigint): number {
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new SluiceError('API_INVALID_ARGUMENT', `bigint key ${v} is outside the Java long range [-2^63, 2^63-1]`);
  }
  return Number(BigInt.asIntN(32, v ^ (v >> 32n)));
}

export function doubleHashCode(v: number): number {
  if (Number.isNaN(v)) return 0x7ff80000; // doubleToLongBits canonical NaN 0x7ff8000000000000
  f64[0] = v;
  return (u32[HI]! ^ u32[LO]!) | 0;
}

export function numberHashCode(v: number): number {
  if (Number.isInteger(v)) {
    if (v >= -2147483648 && v <= 2147483647) return v | 0;
    if (Number.isSafeInteger(v)) return safeLongHashCode(v);
    // Integral but beyond 2^53: JS cannot say which long was meant; hash as Double.
    return doubleHashCode(v);
  }
  return doubleHashCode(v);
}

/** Java hashCode of a supported key; see the file header for the mapping. */
export function javaHashCode(key: unknown): number {
  switch (typeof key) {
    case 'string':
      return stringHashCode(key);
    case 'number':
      return numberHashCode(key);
    case 'bigint':
      return bigintHashCode(key);
    case 'boolean':
      return key ? 1231 : 1237;
    case 'object':
      if (Array.isArray(key)) return tupleHashCode(key);
      if (key !== null && typeof (key as { hashCode?: unknown }).hashCode === 'function')
        return objectHashCode(key as { hashCode(): unknown });
      break;
  }
  throw new SluiceError(
    'API_INVALID_ARGUMENT',
    `unsupported key type ${describe(key)}: keys must be a string, number, bigint, boolean, a Tuple or array of these, or an object with hashCode()`,
  );
}

function objectHashCode(key: { hashCode(): unknown }): number {
  const h = key.hashCode();
  if (typeof h !== 'number' || !Number.isInteger(h))
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `${describe(key)} key: hashCode() returned ${String(h)}, not an integer`,
    );
  return h | 0;
}

function tupleHashCode(fields: readonly unknown[]): number {
  let h = 0;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    h = (Math.imul(31, h) + (f === null || f === undefined ? 0 : javaHashCode(f))) | 0;
  }
  return h;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'object') return `object (${(v as object).constructor?.name ?? 'no prototype'})`;
  return typeof v;
}
