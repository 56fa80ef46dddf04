/**
 * An S3-compatible server for tests and benchmarks: s3rver (a file-backed S3 implementation) behind a small
 * HTTP front that can answer with injected S3 errors (throttling, 5xx, access denied) the way S3 does, with an
 * XML error body. Listens on 127.0.0.1, port 0, stores objects in a temporary directory; `close` stops it and
 * removes the directory. Credentials: s3rver's `S3RVER` / `S3RVER` (others are refused with 403).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3Settings } from '../../runtime/platform/index.js';

export interface S3Fault {
  status: number;
  code: string;
  message: string;
  /** Only requests this matches fail (default: all). */
  match?: (req: IncomingMessage) => boolean;
  /** How many matching requests fail before the fault clears (default: until cleared). */
  count?: number;
}

export interface TestS3Server {
  endpoint: string;
  /** `s3.*` settings for a client of this server. */
  settings: S3Settings;
  /** The same, as cluster configuration (`-D` / cluster.yaml keys). */
  config: Record<string, string>;
  /** Requests seen by the front, and how many were answered with a fault. */
  requests: number;
  faulted: number;
  fault: S3Fault | undefined;
  /** Sees every request before it is answered (method and path: which objects were read or written). */
  observe: ((req: IncomingMessage) => void) | undefined;
  close(): Promise<void>;
}

export const THROTTLED: S3Fault = { status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };
export const DENIED: S3Fault = { status: 403, code: 'AccessDenied', message: 'Access Denied' };

export async function startS3Server(buckets: string[]): Promise<TestS3Server> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-s3-'));
  const s3rver = new S3rver({
    silent: process.env.SLUICE_S3RVER_LOG !== '1',
    directory: dir,
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  await s3rver.configureBuckets();
  const handle = s3rver.callback();
  const front: TestS3Server = {
    endpoint: '',
    settings: {},
    config: {},
    requests: 0,
    faulted: 0,
    fault: undefined,
    observe: undefined,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await rm(dir, { recursive: true, force: true });
    },
  };
  const server: Server = createServer((req, res) => {
    front.requests++;
    front.observe?.(req);
    const f = front.fault;
    if (f && (f.match?.(req) ?? true) && (f.count === undefined || f.count > 0)) {
      if (f.count !== undefined) f.count--;
      front.faulted++;
      req.resume();
      res.statusCode = f.status;
      res.setHeader('content-type', 'application/xml');
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${f.code}</Code><Message>${f.message}</Message><RequestId>test</RequestId></Error>`,
      );
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  front.endpoint = `http://127.0.0.1:${port}`;
  front.settings = {
    endpoint: front.endpoint,
    pathStyleAccess: true,
    accessKey: 'S3RVER',
    secretKey: 'S3RVER',
    region: 'us-east-1',
    maxAttempts: 2,
  };
  front.config = {
    's3.endpoint': front.endpoint,
    's3.path.style.access': 'true',
    's3.access-key': 'S3RVER',
    's3.secret-key': 'S3RVER',
  };
  return front;
}
