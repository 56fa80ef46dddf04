/**
 * Stored values of the RocksDB backend: a flag byte, the last-access time when the state has a TTL, then
 * the value in msgpack (msgpackr).
 *
 *   flags:u8 | [lastAccessMs:f64be if flags & TTL] | msgpack(value)
 *
 * TTL (StateTtlConfig): expired when lastAccessMs + ttlMs <= now. Primitives use one shared plain codec;
 * objects, arrays, Maps and Sets (flags & STRUCTURED) use a fresh sequential codec per value, as the
 * checkpoint state files do, so each value stands alone (msgpackr instances remember record structures
 * across calls) and objects stay objects, Maps stay Maps.
 *
 * Invariant: a value that msgpack cannot encode (a cycle, …) fails with STATE_VALUE_NOT_SERIALIZABLE
 * naming the state and the operator, before anything is written.
 */
import { Packr } from 'msgpackr';
import '../api/tuples.js'; // tuple values restore as tuples
import { SluiceError } from '../errors/catalogue.js';

const TTL = 1;
const STRUCTURED = 2;
const plainCodec = new Packr({ useRecords: false, moreTypes: true });
const structuredCodec = () => new Packr({ sequential: true, mapsAsObjects: false, moreTypes: true });

export interface StoredValue {
  value: unknown;
  /** Last access (ms) for TTL states; undefined without TTL. */
  ts: number | undefined;
}

export function encodeValue(value: unknown, ts: number | undefined, stateName: string, operatorUid: string): Buffer {
  const structured = value !== null && typeof value === 'object';
  let body: Buffer;
  try {
    body = structured ? structuredCodec().pack(value) : plainCodec.pack(value);
  } catch (err) {
    throw new SluiceError(
      'STATE_VALUE_NOT_SERIALIZABLE',
      `state "${stateName}" of operator "${operatorUid}": the value cannot be serialized (${(err as Error).message}); state values must be msgpack-encodable (no cycles, no functions)`,
    );
  }
  const flags = (ts === undefined ? 0 : TTL) | (structured ? STRUCTURED : 0);
  const head = ts === undefined ? 1 : 9;
  const out = Buffer.allocUnsafe(head + body.length);
  out[0] = flags;
  if (ts !== undefined) out.writeDoubleBE(ts, 1);
  body.copy(out, head);
  return out;
}

export function decodeValue(bytes: Buffer): StoredValue {
  const flags = bytes[0]!;
  const ts = flags & TTL ? bytes.readDoubleBE(1) : undefined;
  const body = bytes.subarray(ts === undefined ? 1 : 9);
  return { ts, value: flags & STRUCTURED ? structuredCodec().unpack(body) : plainCodec.unpack(body) };
}
