/**
 * Byte layout of keyed state in RocksDB, as Flink's RocksDB backend: every key starts with its key group
 * (2 bytes, big-endian), so the state of a key-group range is one contiguous key range and a restore or
 * rescale reads exactly its groups.
 *
 *   row key   = kg:u16be | nameLen:u8 | name:utf8 | keyLen:u16be | key:msgpack | nsLen:u16be | ns:utf8
 *   map entry = row key | userKey:msgpack
 *
 * Value, list, reducing and aggregating state store one value under the row key; map state stores one
 * RocksDB entry per user key (so get/put of one entry does not rewrite the map). The lengths make every
 * row key of a state prefix-free, so a map's entries are exactly the keys in [row, successor(row)).
 *
 * Invariant: the encoding of a key is deterministic (msgpack without records), so equal keys give
 * equal bytes; it round-trips through `parseRow`.
 */
import { Packr } from 'msgpackr';
import '../api/tuples.js'; // Tuple keys encode through the registered msgpack extension
import { SluiceError } from '../errors/catalogue.js';

const keyCodec = new Packr({ useRecords: false, mapsAsObjects: false, moreTypes: true });

export function encodeKey(key: unknown): Buffer {
  return keyCodec.pack(key);
}

export function decodeKey(bytes: Uint8Array): unknown {
  return keyCodec.unpack(bytes);
}

/** kg | nameLen | name: the first bytes of every row of a state in one key group. */
export function statePrefix(kg: number, name: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 255)
    throw new SluiceError('API_INVALID_ARGUMENT', `state name "${name.slice(0, 40)}…" is longer than 255 bytes`);
  const out = Buffer.allocUnsafe(3 + nameBytes.length);
  out.writeUInt16BE(kg, 0);
  out[2] = nameBytes.length;
  nameBytes.copy(out, 3);
  return out;
}

/** keyLen | key, for a key already encoded with encodeKey. */
export function keyPart(encodedKey: Buffer): Buffer {
  if (encodedKey.length > 0xffff)
    throw new SluiceError('API_INVALID_ARGUMENT', `a state key encodes to ${encodedKey.length} bytes (limit 65535)`);
  const out = Buffer.allocUnsafe(2 + encodedKey.length);
  out.writeUInt16BE(encodedKey.length, 0);
  encodedKey.copy(out, 2);
  return out;
}

/** nsLen | ns. */
export function namespacePart(ns: string): Buffer {
  const nsBytes = Buffer.from(ns, 'utf8');
  if (nsBytes.length > 0xffff)
    throw new SluiceError('API_INVALID_ARGUMENT', `a state namespace is ${nsBytes.length} bytes long (limit 65535)`);
  const out = Buffer.allocUnsafe(2 + nsBytes.length);
  out.writeUInt16BE(nsBytes.length, 0);
  nsBytes.copy(out, 2);
  return out;
}

/** The first key after every key that starts with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]!++;
      return out.subarray(0, i + 1);
    }
  }
  return Buffer.from([0xff, 0xff, 0xff]); // no successor: past every key-group prefix
}

/** Key-group bounds: [kgStart(start), kgStart(end + 1)) holds the key groups start..end. */
export function kgStart(kg: number): Buffer {
  const out = Buffer.allocUnsafe(2);
  out.writeUInt16BE(kg, 0);
  return out;
}

export interface ParsedRow {
  kg: number;
  name: string;
  /** keyLen | key bytes, as in the row (to group entries of one key). */
  keyPart: Buffer;
  key: Buffer;
  ns: string;
  /** Map state: the encoded user key; empty for the other kinds. */
  userKey: Buffer;
}

export function parseRow(k: Buffer): ParsedRow {
  const kg = k.readUInt16BE(0);
  const nameLen = k[2]!;
  const name = k.toString('utf8', 3, 3 + nameLen);
  let o = 3 + nameLen;
  const keyLen = k.readUInt16BE(o);
  const kp = k.subarray(o, o + 2 + keyLen);
  const key = k.subarray(o + 2, o + 2 + keyLen);
  o += 2 + keyLen;
  const nsLen = k.readUInt16BE(o);
  const ns = k.toString('utf8', o + 2, o + 2 + nsLen);
  o += 2 + nsLen;
  return { kg, name, keyPart: kp, key, ns, userKey: k.subarray(o) };
}
