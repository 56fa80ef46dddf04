/**
 * Model stores: resolves a descriptor's `location` to its bytes, so models need not travel inline on the
 * model stream. `file://` URLs (and absolute paths) are read from disk, `http://` and `https://` fetched,
 * `s3://bucket/key` read through the process's S3 client (the one checkpoint storage uses, from `s3.*`); every
 * download is capped in size and time, verified against the descriptor's sha256, and kept in a local cache
 * keyed by that hash, so a restore or a second subtask does not fetch again. The reads and downloads are
 * asynchronous I/O: the event loop is never blocked by them.
 *
 * Invariants: bytes are returned only when their sha256 equals the descriptor's; a cached file that fails the
 * check is ignored and replaced; every failure is a SluiceError (MODEL_LOCATION_FAILED, MODEL_HASH_MISMATCH)
 * whose message names the location and the reason.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../../runtime/errors/index.js';
import { S3Failure, parseS3Uri, platform, type S3Objects } from '../../runtime/platform/index.js';
import { type ModelDescriptor, sha256Hex } from './descriptor.js';

export interface ModelLocationOptions {
  /** Largest model accepted, bytes (default 256 MiB). */
  maxBytes?: number;
  /** Time allowed for one download, ms (default 30 000). */
  timeoutMs?: number;
  /** Cache directory (default `.sluice/model-cache` under the working directory); null disables the cache. */
  cacheDir?: string | null;
  /** The fetch to use (default the global fetch); tests inject failures through it. */
  fetch?: typeof fetch;
  /** The S3 client for `s3://` locations (default the process's shared one, configured by `s3.*`). */
  s3?: S3Objects;
}

export type LocationResolver = (d: ModelDescriptor) => Promise<Uint8Array>;

const DEFAULT_MAX_BYTES = 256 * 2 ** 20;
const DEFAULT_TIMEOUT_MS = 30_000;

function fail(d: ModelDescriptor, reason: string): never {
  throw new SluiceError('MODEL_LOCATION_FAILED', `model ${d.name}@${d.version}: ${d.location}: ${reason}`);
}

async function readFileCapped(d: ModelDescriptor, path: string, maxBytes: number): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await platform.files.async.stat(path)).size;
  } catch (e) {
    fail(d, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (size > maxBytes) fail(d, `${size} bytes exceeds the ${maxBytes}-byte model size cap`);
  return new Uint8Array(await platform.files.async.readFile(path));
}

async function download(d: ModelDescriptor, url: string, o: Required<Omit<ModelLocationOptions, 'cacheDir' | 's3'>>) {
  let res: Response;
  try {
    res = await o.fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'follow' });
  } catch (e) {
    const name = (e as Error).name;
    fail(
      d,
      name === 'TimeoutError' || name === 'AbortError'
        ? `no answer within ${o.timeoutMs} ms`
        : `unreachable (${(e as Error).message})`,
    );
  }
  if (!res.ok) fail(d, `HTTP ${res.status} ${res.statusText}`);
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > o.maxBytes) fail(d, `${declared} bytes exceeds the ${o.maxBytes}-byte model size cap`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body ?? []) {
      total += chunk.byteLength;
      if (total > o.maxBytes) {
        await res.body?.cancel().catch(() => {});
        fail(d, `more than the ${o.maxBytes}-byte model size cap`);
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof SluiceError) throw e;
    fail(
      d,
      (e as Error).name === 'TimeoutError'
        ? `no complete answer within ${o.timeoutMs} ms`
        : `download failed (${(e as Error).message})`,
    );
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

async function readS3(d: ModelDescriptor, loc: string, o: { maxBytes: number; timeoutMs: number; s3?: S3Objects }) {
  const where = parseS3Uri(loc)!;
  if (!where.bucket || !where.key) fail(d, 'an s3:// location needs a bucket and a key (s3://<bucket>/<key>)');
  try {
    return new Uint8Array(
      await (o.s3 ?? platform.s3.shared()).get(where.bucket, where.key, {
        maxBytes: o.maxBytes,
        signal: AbortSignal.timeout(o.timeoutMs),
      }),
    );
  } catch (e) {
    const cause = e instanceof S3Failure ? (e.cause as Error | undefined) : undefined;
    if (cause?.name === 'TooLarge') fail(d, `${cause.message.replace(/cap$/, 'model size cap')}`);
    if (cause?.name === 'TimeoutError' || cause?.name === 'AbortError') fail(d, `no answer within ${o.timeoutMs} ms`);
    fail(d, e instanceof S3Failure ? e.message.replace(/^S3 GET \S+: /, '') : (e as Error).message);
  }
}

export function modelLocationResolver(options: ModelLocationOptions = {}): LocationResolver {
  const o = {
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? fetch,
  };
  const cacheDir = options.cacheDir === undefined ? join('.sluice', 'model-cache') : options.cacheDir;
  return async (d) => {
    const loc = d.location;
    if (!loc) fail(d, 'no location');
    const cached = cacheDir ? join(cacheDir, `${d.sha256}.model`) : undefined;
    if (cached) {
      const hit = await platform.files.async.readFile(cached).catch(() => undefined);
      if (hit && sha256Hex(hit) === d.sha256) return new Uint8Array(hit);
    }
    let bytes: Uint8Array;
    if (loc.startsWith('file://')) bytes = await readFileCapped(d, fileURLToPath(loc), o.maxBytes);
    else if (loc.startsWith('/')) bytes = await readFileCapped(d, loc, o.maxBytes);
    else if (/^https?:\/\//.test(loc)) bytes = await download(d, loc, o);
    else if (parseS3Uri(loc)) bytes = await readS3(d, loc, { ...o, ...(options.s3 ? { s3: options.s3 } : {}) });
    else fail(d, 'unsupported scheme (supported: file://, http://, https://, s3://, or an absolute path)');
    const actual = sha256Hex(bytes);
    if (actual !== d.sha256) {
      throw new SluiceError(
        'MODEL_HASH_MISMATCH',
        `model ${d.name}@${d.version}: ${loc} has sha256 ${actual}, the descriptor declares ${d.sha256}`,
      );
    }
    if (cached) {
      // Write then rename, so a concurrent reader never sees a partial file.
      const tmp = `${cached}.${platform.random.hex(8)}.tmp`;
      await platform.files.async.mkdir(cacheDir!, { recursive: true });
      await platform.files.async.writeFile(tmp, bytes);
      await platform.files.async.rename(tmp, cached);
    }
    return bytes;
  };
}
