/**
 * Blob store: the narrow put/get/delete surface the HA services keep job bundles and submission metadata
 * behind, under `high-availability.storageDir`. Keys are relative, `/`-separated names; the local
 * implementation maps them to files under a directory, the S3 one (`blob-store-s3.ts`) to objects under an
 * `s3://bucket/prefix`. Another scheme plugs in by adding a case to `blobStoreFor`.
 *
 * Invariants: `put` is atomic (a reader sees the old bytes or the new, never part of them); `get` of a
 * missing key is undefined; `delete` of a missing key is no error; keys never leave the base directory;
 * `list` never shows a `put` still in progress (its temporary name ends in `.tmp`).
 */
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../errors/catalogue.js';
import { platform, type S3Objects } from '../platform/index.js';
import { S3BlobStore } from './blob-store-s3.js';

export interface BlobStore {
  /** Where the blobs live, for messages. */
  readonly location: string;
  put(key: string, bytes: Uint8Array | string): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
  /** The keys directly under the base (no sub-folders), in no particular order; none when the base is absent. */
  list(): Promise<string[]>;
}

/** Blobs as files under `dir` (a local path or a file: URI). */
export class LocalBlobStore implements BlobStore {
  readonly location: string;

  constructor(dir: string) {
    this.location = resolve(dir.startsWith('file:') ? fileURLToPath(dir) : dir);
  }

  private path(key: string): string {
    const p = resolve(join(this.location, key));
    if (!key || !p.startsWith(this.location + sep))
      throw new SluiceError('HA_STORAGE', `blob key ${JSON.stringify(key)} leaves ${this.location}`);
    return p;
  }

  async put(key: string, bytes: Uint8Array | string): Promise<void> {
    const p = this.path(key);
    const tmp = `${p}.${platform.random.hex(8)}.tmp`;
    const fs = platform.files.async;
    await fs.mkdir(resolve(p, '..'), { recursive: true });
    const fh = await fs.open(tmp, 'w');
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, p);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await platform.files.async.readFile(this.path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await platform.files.async.rm(this.path(key), { force: true });
  }

  async list(): Promise<string[]> {
    if (!platform.files.exists(this.location)) return [];
    const files = platform.files;
    return files.list(this.location).filter((n) => !n.endsWith('.tmp') && files.stat(join(this.location, n)).isFile);
  }
}

/**
 * The blob store for a `high-availability.storageDir` value: a local path or file: URI, or `s3://` (and
 * Hadoop's `s3a://`) through `s3`, the process's S3 client (configured by the `s3.*` keys).
 */
export function blobStoreFor(uri: string, s3: () => S3Objects): BlobStore {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return new LocalBlobStore(uri);
  if (scheme === 's3' || scheme === 's3a') return new S3BlobStore(uri, s3);
  throw new SluiceError(
    'CONFIG_UNSUPPORTED',
    `high-availability.storageDir: the ${scheme}:// scheme is not supported; give a local path (shared by every job manager), a file: URI or s3://<bucket>/<path>`,
  );
}
