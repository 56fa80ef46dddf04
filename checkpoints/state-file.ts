/**
 * State files: one msgpackr-encoded blob with a self-describing, checksummed header.
 *
 * Framing (all integers big-endian; the header is 48 bytes so the body starts 8-byte aligned):
 *
 *   offset  size  field
 *        0     4  magic "SLST"
 *        4     1  format version (1)
 *        5     1  codec (1 = msgpackr, sequential records, Maps kept as Maps)
 *        6     2  reserved, zero
 *        8     8  body length in bytes (uint64)
 *       16    32  sha256 of the body
 *       48     …  body
 *
 * The manifest also records each file's body sha256 (hex) and total size, so a restore detects a
 * corrupted, truncated or swapped file either way. Invariants: a write is fsynced before it resolves (the
 * manifest that references it is written later); any mismatch on read is CHECKPOINT_CORRUPT naming the
 * file; any failure on write is CHECKPOINT_STORAGE.
 */
import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import '../runtime/api/tuples.js'; // registers the Tuple msgpack extension: tuple keys and values restore as tuples
import { SluiceError } from '../runtime/errors/index.js';
import { guardWrite } from './storage-fs.js';
import { isNotFound, storeFor, type SnapshotStore } from './store.js';

export const STATE_FILE_MAGIC = 'SLST';
export const STATE_FILE_VERSION = 1;
export const STATE_FILE_CODEC_MSGPACKR = 1;
export const STATE_FILE_HEADER_BYTES = 48;

export interface StateFileDigest {
  /** Hex sha256 of the body. */
  sha256: string;
  /** Total file size, header included. */
  sizeBytes: number;
}

/**
 * A fresh codec per blob: sequential mode embeds record structures inline, so each file stands alone.
 * State values are written as values (as Flink's serializers do: two references to one object restore as
 * two equal objects), which packs ~5× faster than tracking references; a cyclic value cannot be written
 * that way and falls back to `structuredClone` encoding. The decoder reads both.
 */
function codec(structuredClone = true): Packr {
  return new Packr({ sequential: true, mapsAsObjects: false, moreTypes: true, structuredClone });
}

function packBody(value: unknown): Buffer {
  try {
    return codec(false).pack(value);
  } catch (err) {
    if (err instanceof RangeError) return codec(true).pack(value); // a cycle: keep references
    throw err;
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Encodes a value into a complete state file (header + body). */
export function encodeStateFile(value: unknown): { bytes: Buffer } & StateFileDigest {
  const body = packBody(value);
  const digest = createHash('sha256').update(body).digest();
  const header = Buffer.alloc(STATE_FILE_HEADER_BYTES);
  header.write(STATE_FILE_MAGIC, 0, 'latin1');
  header.writeUInt8(STATE_FILE_VERSION, 4);
  header.writeUInt8(STATE_FILE_CODEC_MSGPACKR, 5);
  header.writeBigUInt64BE(BigInt(body.length), 8);
  digest.copy(header, 16);
  const bytes = Buffer.concat([header, body]);
  return { bytes, sha256: digest.toString('hex'), sizeBytes: bytes.length };
}

function corrupt(label: string, why: string, cause?: unknown): SluiceError {
  return new SluiceError(
    'CHECKPOINT_CORRUPT',
    `Checkpoint state file ${label} is corrupt: ${why}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Verifies and decodes a state file's bytes. `expected` (from the manifest) is checked too when given.
 * Throws CHECKPOINT_CORRUPT naming `label` on any mismatch.
 */
export function decodeStateFile(bytes: Uint8Array, label: string, expected?: Partial<StateFileDigest>): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (expected?.sizeBytes !== undefined && buf.length !== expected.sizeBytes) {
    throw corrupt(label, `size is ${buf.length} bytes, the manifest says ${expected.sizeBytes}`);
  }
  if (buf.length < STATE_FILE_HEADER_BYTES)
    throw corrupt(label, `only ${buf.length} bytes, shorter than the ${STATE_FILE_HEADER_BYTES}-byte header`);
  if (buf.toString('latin1', 0, 4) !== STATE_FILE_MAGIC) throw corrupt(label, 'bad magic (not a sluice state file)');
  const version = buf.readUInt8(4);
  if (version !== STATE_FILE_VERSION) throw corrupt(label, `unsupported format version ${version}`);
  const codecId = buf.readUInt8(5);
  if (codecId !== STATE_FILE_CODEC_MSGPACKR) throw corrupt(label, `unknown codec ${codecId}`);
  const bodyLength = buf.readBigUInt64BE(8);
  if (bodyLength !== BigInt(buf.length - STATE_FILE_HEADER_BYTES)) {
    throw corrupt(
      label,
      `header declares a ${bodyLength}-byte body but ${buf.length - STATE_FILE_HEADER_BYTES} bytes follow (truncated?)`,
    );
  }
  const body = buf.subarray(STATE_FILE_HEADER_BYTES);
  const actual = sha256Hex(body);
  const stored = buf.toString('hex', 16, 48);
  if (actual !== stored) throw corrupt(label, `sha256 mismatch (header ${stored}, content ${actual})`);
  if (expected?.sha256 !== undefined && expected.sha256 !== actual) {
    throw corrupt(label, `sha256 mismatch (manifest ${expected.sha256}, content ${actual})`);
  }
  try {
    return codec().unpack(body);
  } catch (err) {
    throw corrupt(label, `body does not decode (${(err as Error).message})`, err);
  }
}

/**
 * Writes `value` as a new state file at `filePath` (which must not exist), fsyncs it and returns its
 * digest. Failures are CHECKPOINT_STORAGE naming the path and the cause (ENOSPC, EACCES, EROFS, …).
 */
export async function writeStateFile(
  filePath: string,
  value: unknown,
  store: SnapshotStore = storeFor(filePath),
): Promise<StateFileDigest> {
  const { bytes, sha256, sizeBytes } = encodeStateFile(value);
  await guardWrite('Writing checkpoint state file', filePath, () => store.put(filePath, bytes, { exclusive: true }));
  return { sha256, sizeBytes };
}

/** Reads, verifies and decodes a state file. A missing file is CHECKPOINT_CORRUPT (a manifest names it). */
export async function readStateFile(
  filePath: string,
  expected?: Partial<StateFileDigest>,
  store: SnapshotStore = storeFor(filePath),
): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await store.get(filePath);
  } catch (err) {
    const why = isNotFound(err) ? 'the file is missing' : `it cannot be read (${(err as Error).message})`;
    throw corrupt(filePath, why, err);
  }
  return decodeStateFile(bytes, filePath, expected);
}
