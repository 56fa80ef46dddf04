/**
 * S3: the object-store client sluice uses for `s3://bucket/key` locations (checkpoints, savepoints, model
 * stores), a narrow surface over `@aws-sdk/client-s3`. Settings come from Flink's `s3.*` keys (endpoint,
 * path-style access, access and secret key, region); like Flink's `FileSystem.initialize`, a process sets them
 * once from its configuration (`initializeS3`) and every `s3://` user of that process shares one client.
 *
 * Invariants: every failure is an `S3Failure` whose message names the operation, the object and the service's
 * own error (`NoSuchBucket: The specified bucket does not exist (HTTP 404)`), never a raw SDK exception; a
 * missing object (or bucket: HEAD answers carry no error body) reads as `undefined` from `head`, and a missing
 * object as a failure with `notFound` from `get`. Objects larger
 * than `partSizeBytes` are uploaded in parts, so no single request carries more than one part.
 */
import type { S3Client } from '@aws-sdk/client-s3';

type Sdk = typeof import('@aws-sdk/client-s3');
let sdkLoading: Promise<Sdk> | undefined;
/** The SDK loads on a client's first request: a process that never touches `s3://` does not pay its import. */
const loadSdk = (): Promise<Sdk> => {
  sdkLoading ??= import('@aws-sdk/client-s3');
  return sdkLoading;
};

export interface S3Settings {
  /** `s3.endpoint`: an S3-compatible service's URL (default: AWS for the region). */
  endpoint?: string;
  /** `s3.path.style.access`: `http://host/bucket/key` instead of `http://bucket.host/key`. */
  pathStyleAccess?: boolean;
  /** `s3.access-key` / `s3.secret-key`; when absent the SDK's default chain (environment, profile, role). */
  accessKey?: string;
  secretKey?: string;
  /** `s3.region` (default us-east-1, which S3-compatible servers accept). */
  region?: string;
  /** Time allowed for one request, ms (default 60 000). */
  requestTimeoutMs?: number;
  /** Attempts per request, retries included, for throttling and 5xx answers (default 3). */
  maxAttempts?: number;
  /** Objects above this size are uploaded in parts of this size (default 8 MiB; S3's minimum is 5 MiB). */
  partSizeBytes?: number;
}

export interface S3ObjectInfo {
  key: string;
  sizeBytes: number;
  lastModifiedMs: number;
}

const BODILESS: Record<number, string> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

/** A failed S3 request: `code` is the service's error name (NoSuchBucket, AccessDenied, SlowDown, …). */
export class S3Failure extends Error {
  readonly s3Code: string;
  readonly httpStatus: number | undefined;
  readonly notFound: boolean;
  constructor(op: string, where: string, cause: unknown) {
    const e = cause as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e?.$metadata?.httpStatusCode;
    // HEAD answers carry no error body, so the SDK knows only the status: name it by the status
    const bare = !e?.name || e.name === 'Unknown' || e.name === 'UnknownError';
    const code = bare && status !== undefined ? (BODILESS[status] ?? `HTTP${status}`) : (e?.name ?? 'Error');
    const text =
      e?.message && !bare && e.message !== code && e.message !== 'UnknownError'
        ? `: ${e.message}`
        : bare && status !== undefined
          ? ': (no error body)'
          : '';
    super(`S3 ${op} ${where}: ${code}${text}${status ? ` (HTTP ${status})` : ''}`, { cause });
    this.name = 'S3Failure';
    this.s3Code = code;
    this.httpStatus = status;
    this.notFound = status === 404 && code !== 'NoSuchBucket';
  }
}

export interface S3Objects {
  put(bucket: string, key: string, body: Uint8Array): Promise<void>;
  /** The object's bytes; refuses (without reading on) beyond `maxBytes`. */
  get(bucket: string, key: string, opts?: { maxBytes?: number; signal?: AbortSignal }): Promise<Buffer>;
  head(bucket: string, key: string): Promise<S3ObjectInfo | undefined>;
  /** Objects under `prefix` (all pages); with a delimiter, the common prefixes one level down as well. */
  list(bucket: string, prefix: string, delimiter?: string): Promise<{ objects: S3ObjectInfo[]; prefixes: string[] }>;
  /** Deletes keys (missing ones are no error). */
  delete(bucket: string, keys: string[]): Promise<void>;
}

/** `s3://bucket/key` → its parts; undefined for any other scheme. A bucket is required. */
export function parseS3Uri(uri: string): { bucket: string; key: string } | undefined {
  const m = /^s3a?:\/\/([^/]*)\/?(.*)$/.exec(uri);
  if (!m) return undefined;
  return { bucket: m[1]!, key: m[2]! };
}

const DEFAULT_PART_BYTES = 8 * 2 ** 20;

export function s3Objects(settings: S3Settings = {}): S3Objects {
  let connecting: Promise<{ sdk: Sdk; client: S3Client }> | undefined;
  const connect = () => {
    connecting ??= loadSdk().then((sdk) => ({ sdk, client: newClient(sdk) }));
    return connecting;
  };
  const newClient = (sdk: Sdk) =>
    new sdk.S3Client({
      region: settings.region || 'us-east-1',
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.pathStyleAccess ?? false,
      maxAttempts: settings.maxAttempts ?? 3,
      requestHandler: { requestTimeout: settings.requestTimeoutMs ?? 60_000, connectionTimeout: 10_000 },
      ...(settings.accessKey && settings.secretKey
        ? { credentials: { accessKeyId: settings.accessKey, secretAccessKey: settings.secretKey } }
        : {}),
    });
  const partBytes = Math.max(5 * 2 ** 20, settings.partSizeBytes ?? DEFAULT_PART_BYTES);
  const call = async <T>(op: string, bucket: string, key: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new S3Failure(op, `s3://${bucket}/${key}`, err);
    }
  };
  const multipart = async (bucket: string, key: string, body: Uint8Array) => {
    const { sdk, client } = await connect();
    const { UploadId } = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    try {
      const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
      for (let at = 0, n = 1; at < body.byteLength; at += partBytes, n++) {
        const r = await client.send(
          new sdk.UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            PartNumber: n,
            Body: body.subarray(at, Math.min(body.byteLength, at + partBytes)),
          }),
        );
        parts.push({ ETag: r.ETag, PartNumber: n });
      }
      await client.send(
        new sdk.CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (err) {
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId })).catch(() => {});
      throw err;
    }
  };
  return {
    put: (bucket, key, body) =>
      call('PUT', bucket, key, async () => {
        const { sdk, client } = await connect();
        if (body.byteLength > partBytes) await multipart(bucket, key, body);
        else await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      }),
    get: (bucket, key, opts = {}) =>
      call('GET', bucket, key, async () => {
        const { sdk, client } = await connect();
        const r = await client.send(
          new sdk.GetObjectCommand({ Bucket: bucket, Key: key }),
          opts.signal ? { abortSignal: opts.signal } : {},
        );
        const max = opts.maxBytes ?? Number.POSITIVE_INFINITY;
        if ((r.ContentLength ?? 0) > max) {
          (r.Body as { destroy?: () => void } | undefined)?.destroy?.();
          throw Object.assign(new Error(`${r.ContentLength} bytes exceeds the ${max}-byte cap`), { name: 'TooLarge' });
        }
        const chunks: Buffer[] = [];
        let total = 0;
        for await (const chunk of (r.Body ?? []) as AsyncIterable<Uint8Array>) {
          total += chunk.byteLength;
          if (total > max) throw Object.assign(new Error(`more than the ${max}-byte cap`), { name: 'TooLarge' });
          chunks.push(Buffer.from(chunk));
        }
        return Buffer.concat(chunks, total);
      }),
    head: (bucket, key) =>
      call('HEAD', bucket, key, async () => {
        const { sdk, client } = await connect();
        try {
          const r = await client.send(new sdk.HeadObjectCommand({ Bucket: bucket, Key: key }));
          return { key, sizeBytes: r.ContentLength ?? 0, lastModifiedMs: r.LastModified?.getTime() ?? 0 };
        } catch (err) {
          // a HEAD answer has no body, so a missing bucket is a bare 404 as well: the next write or list names it
          if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
          throw err;
        }
      }),
    list: (bucket, prefix, delimiter) =>
      call('LIST', bucket, prefix, async () => {
        const { sdk, client } = await connect();
        const objects: S3ObjectInfo[] = [];
        const prefixes: string[] = [];
        let token: string | undefined;
        do {
          const r = await client.send(
            new sdk.ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix,
              ...(delimiter ? { Delimiter: delimiter } : {}),
              ...(token ? { ContinuationToken: token } : {}),
            }),
          );
          for (const o of r.Contents ?? [])
            objects.push({ key: o.Key!, sizeBytes: o.Size ?? 0, lastModifiedMs: o.LastModified?.getTime() ?? 0 });
          for (const p of r.CommonPrefixes ?? []) if (p.Prefix) prefixes.push(p.Prefix);
          token = r.IsTruncated ? r.NextContinuationToken : undefined;
        } while (token);
        return { objects, prefixes };
      }),
    delete: (bucket, keys) =>
      call('DELETE', bucket, keys[0] ?? '', async () => {
        const { sdk, client } = await connect();
        for (let i = 0; i < keys.length; i += 1000) {
          const r = await client.send(
            new sdk.DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })), Quiet: true },
            }),
          );
          const failed = r.Errors?.[0];
          if (failed) throw Object.assign(new Error(failed.Message ?? ''), { name: failed.Code ?? 'DeleteFailed' });
        }
      }),
  };
}

let processSettings: S3Settings = {};
let processClient: S3Objects | undefined;

/** Sets this process's S3 settings (from its configuration's `s3.*` keys); the shared client is rebuilt. */
export function initializeS3(settings: S3Settings): void {
  processSettings = { ...settings };
  processClient = undefined;
}

/** The process's shared S3 client, built on first use from the settings `initializeS3` was given. */
export function processS3(): S3Objects {
  processClient ??= s3Objects(processSettings);
  return processClient;
}
