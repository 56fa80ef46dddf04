/**
 * Blob store: the narrow put/get/delete surface the HA services keep job bundles and submission metadata
 * behind, under `high-availability.storageDir`. Keys are relative, `/`-separated names; the local
 * implementation maps them to files under a directory. Another scheme (s3://) plugs in by adding a case
 * to `blobStoreFor`.
 *
 * Invariants: `put` is atomic (a reader sees the old bytes or the new, never part of them); `get` of a
 * missing key is undefined; `delete` of a missing key is no error; keys never leave the base directory.
 */
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';

export interface BlobStore {
  /** Where the blobs live, for messages. */
  readonly location: string;
  put(key: string, bytes: Uint8Array | string): Promise<void>;
  get(key: string): Promise<Buffer | undefined>;
  delete(key: string): Promise<void>;
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
}

/** The blob store for a `high-availability.storageDir` value. */
export function blobStoreFor(uri: string): BlobStore {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined || scheme === 'file') return new LocalBlobStore(uri);
  throw new SluiceError(
    'CONFIG_UNSUPPORTED',
    `high-availability.storageDir: the ${scheme}:// scheme is not supported; give a local path (shared by every job manager) or a file: URI`,
  );
}
