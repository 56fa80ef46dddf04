/**
 * The blob store for an `s3://bucket/prefix` `high-availability.storageDir`: job bundles and submission
 * metadata as objects under the prefix, over the same S3 client (and `s3.*` settings) as checkpoint and
 * savepoint storage.
 *
 * Invariants (those of `BlobStore`): a PUT makes an object visible whole or not at all, so `put` is atomic;
 * `get` of a missing object is undefined (any other S3 failure — no bucket, access denied, throttling past
 * the client's retries — is thrown with S3's own code and text); `delete` of a missing object is no error;
 * keys never leave the prefix (no empty, absolute or `..` segments).
 */
import { SluiceError } from '../errors/catalogue.js';
import { parseS3Uri, type S3Objects } from '../platform/index.js';
import type { BlobStore } from './blob-store.js';

export class S3BlobStore implements BlobStore {
  readonly location: string;
  private readonly bucket: string;
  private readonly prefix: string;

  /** `client` is resolved on each call, so the process's shared S3 client may be rebuilt under it. */
  constructor(
    uri: string,
    private readonly client: () => S3Objects,
  ) {
    const p = parseS3Uri(uri);
    const segments = p?.key.split('/').filter(Boolean) ?? [];
    if (!p?.bucket || segments.some((s) => s === '.' || s === '..'))
      throw new SluiceError(
        'CONFIG_INVALID',
        `high-availability.storageDir: ${uri} is not an S3 location of the form s3://<bucket>/<path> (a bucket is required; no . or .. segments)`,
      );
    this.bucket = p.bucket;
    this.prefix = segments.length ? `${segments.join('/')}/` : '';
    this.location = `s3://${this.bucket}/${this.prefix}`;
  }

  private key(key: string): string {
    const segments = key.split('/');
    if (!key || segments.some((s) => s === '' || s === '.' || s === '..'))
      throw new SluiceError('HA_STORAGE', `blob key ${JSON.stringify(key)} leaves ${this.location}`);
    return this.prefix + key;
  }

  async put(key: string, bytes: Uint8Array | string): Promise<void> {
    const body = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
    await this.client().put(this.bucket, this.key(key), body);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await this.client().get(this.bucket, this.key(key));
    } catch (e) {
      if ((e as { notFound?: unknown }).notFound === true) return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client().delete(this.bucket, [this.key(key)]);
  }

  async list(): Promise<string[]> {
    const { objects } = await this.client().list(this.bucket, this.prefix, '/');
    return objects.map((o) => o.key.slice(this.prefix.length)).filter((k) => k.length > 0 && !k.includes('/'));
  }
}
