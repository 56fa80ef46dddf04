/**
 * The S3 SnapshotStore: `s3://bucket/key` locations over the platform's S3 client. A "directory" is a key
 * prefix ending in `/`; it exists while an object lies under it. A PUT makes an object visible whole or not at
 * all, so `publish` (the `_metadata` written last) is one PUT after checking nothing is there; large state
 * objects go up in parts (the client's multipart upload).
 *
 * Invariants: keys never contain `..` segments or a leading `/`, so a location cannot escape its bucket
 * prefix; a location without a bucket is refused; S3's errors surface unchanged in the failure's message
 * (NoSuchBucket, AccessDenied, SlowDown, InternalError with their HTTP status).
 */
import * as path from 'node:path';
import { SluiceError } from '../runtime/errors/index.js';
import { parseS3Uri, type S3Objects } from '../runtime/platform/index.js';
import type { SnapshotStore, StoredObjectInfo } from './store.js';

interface Parsed {
  bucket: string;
  key: string;
}

export class S3Store implements SnapshotStore {
  readonly scheme = 's3' as const;
  constructor(readonly client: S3Objects) {}

  resolve(location: string): string {
    return s3Resolve(location);
  }
  join(dir: string, ...names: string[]): string {
    return s3Join(dir, ...names);
  }
  parent(location: string): string {
    const { bucket, key } = this.parse(location);
    const up = path.posix.dirname(key);
    return up === '.' ? `s3://${bucket}` : `s3://${bucket}/${up}`;
  }
  basename(location: string): string {
    return path.posix.basename(this.parse(location).key);
  }
  externalPath(location: string): string {
    return this.resolve(location);
  }

  async put(location: string, bytes: Uint8Array, opts: { exclusive?: boolean } = {}): Promise<void> {
    const { bucket, key } = this.parse(location);
    if (opts.exclusive) await this.refuseExisting(bucket, key, location);
    await this.client.put(bucket, key, bytes);
  }

  async publish(location: string, bytes: Uint8Array): Promise<void> {
    await this.put(location, bytes, { exclusive: true });
  }

  async get(location: string): Promise<Buffer> {
    const { bucket, key } = this.parse(location);
    return this.client.get(bucket, key);
  }

  async stat(location: string): Promise<StoredObjectInfo | undefined> {
    const { bucket, key } = this.parse(location);
    // An object first (one HEAD); else a directory: objects under `key/`. Some S3-compatible servers answer a
    // HEAD of a key that is also a prefix with an error rather than 404, so a failed HEAD falls back too.
    let headError: unknown;
    const head = key ? await this.client.head(bucket, key).catch((e: unknown) => void (headError = e)) : undefined;
    if (head) return { sizeBytes: head.sizeBytes, mtimeMs: head.lastModifiedMs, isDirectory: false };
    const under = await this.client.list(bucket, prefixOf(key));
    if (under.objects.length > 0)
      return { sizeBytes: 0, mtimeMs: Math.max(...under.objects.map((o) => o.lastModifiedMs)), isDirectory: true };
    if (headError) throw headError;
    return undefined;
  }

  async exists(location: string): Promise<boolean> {
    return (await this.stat(location)) !== undefined;
  }

  async list(dir: string): Promise<string[]> {
    const { bucket, key } = this.parse(dir);
    const prefix = prefixOf(key);
    // A full listing under the prefix, cut at the next `/`: some S3-compatible servers' delimiter listings
    // leave out prefixes that hold only deeper prefixes (a job directory holding only `chk-N/` directories).
    const r = await this.client.list(bucket, prefix);
    const names = new Set<string>();
    for (const o of r.objects) names.add(o.key.slice(prefix.length).split('/')[0]!);
    names.delete('');
    return [...names];
  }

  async delete(location: string): Promise<void> {
    const { bucket, key } = this.parse(location);
    await this.client.delete(bucket, [key]);
  }

  async deleteTree(dir: string): Promise<void> {
    const { bucket, key } = this.parse(dir);
    const all = await this.client.list(bucket, prefixOf(key));
    // `_metadata` first, so a half-deleted checkpoint never looks complete.
    const keys = all.objects.map((o) => o.key);
    const first = keys.filter(isMetadata);
    const rest = keys.filter((k) => !isMetadata(k));
    if (first.length > 0) await this.client.delete(bucket, first);
    if (rest.length > 0) await this.client.delete(bucket, rest);
  }

  async ensureDir(): Promise<void> {}

  private async refuseExisting(bucket: string, key: string, location: string): Promise<void> {
    if (await this.client.head(bucket, key))
      throw Object.assign(new Error(`${location} already exists`), { code: 'EEXIST' });
  }

  private parse(location: string): Parsed {
    return parseS3Location(location);
  }
}

/** Bucket and normalized key of an `s3://` location; refuses a missing bucket and keys escaping the bucket. */
export function parseS3Location(location: string): Parsed {
  const p = parseS3Uri(location);
  if (!p) throw new SluiceError('CHECKPOINT_STORAGE', `not an s3:// location: ${location}`);
  if (!p.bucket)
    throw new SluiceError('CHECKPOINT_STORAGE', `${location} names no bucket (expected s3://<bucket>/<path>)`);
  const key = path.posix
    .normalize(p.key || '.')
    .replace(/^\.$/, '')
    .replace(/\/+$/, '');
  if (key.startsWith('/') || key === '..' || key.startsWith('../'))
    throw new SluiceError('CHECKPOINT_STORAGE', `${location}: the path must stay inside the bucket`);
  return { bucket: p.bucket, key };
}

/** The normal form `s3://bucket/key` (no trailing slash, no `.` segments). */
export function s3Resolve(location: string): string {
  const { bucket, key } = parseS3Location(location);
  return key ? `s3://${bucket}/${key}` : `s3://${bucket}`;
}

export function s3Join(dir: string, ...names: string[]): string {
  const { bucket, key } = parseS3Location(dir);
  return s3Resolve(`s3://${bucket}/${path.posix.join(key, ...names)}`);
}

function prefixOf(key: string): string {
  return key ? `${key}/` : '';
}

function isMetadata(key: string): boolean {
  return path.posix.basename(key) === '_metadata';
}
