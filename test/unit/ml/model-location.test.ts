/**
 * Model stores: descriptors with a `location` instead of inline bytes — file and HTTP locations resolve,
 * verify sha256 and fill a cache keyed by the hash; too large, too slow, unreachable, wrong-hash and
 * unsupported locations are rejected with the reason on the status record while the old model keeps serving.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { sha256Hex, type ModelDescriptor } from '../../../operators/ml/descriptor.js';
import { defaultModelRegistry } from '../../../operators/ml/index.js';
import { modelLocationResolver } from '../../../operators/ml/model-location.js';
import { ModelManager } from '../../../operators/ml/model-manager.js';
import { MLP_WIDTH, buildMlpModel, mlpDescriptor } from '../../support/models/index.js';

const bytes = buildMlpModel({ layers: [MLP_WIDTH, 8, 1], seed: 5 });
const at = (location: string, extra: Partial<ModelDescriptor> = {}): ModelDescriptor => {
  const { data: _data, ...d } = mlpDescriptor('loc-1', 5, bytes);
  return { ...d, location, ...extra };
};

function dir(t: { teardown(f: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-model-loc-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function serve(
  t: { teardown(f: () => unknown): void },
  handler: Parameters<typeof createServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => server.close(r)));
  server.unref();
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}

t.test('file:// and absolute-path locations resolve and verify', async (t) => {
  const d = dir(t);
  const file = join(d, 'm.onnx');
  writeFileSync(file, bytes);
  const resolve = modelLocationResolver({ cacheDir: null });
  t.same(await resolve(at(pathToFileURL(file).href)), bytes);
  t.same(await resolve(at(file)), bytes);
  await t.rejects(resolve(at(join(d, 'missing.onnx'))), {
    code: 'MODEL_LOCATION_FAILED',
    message: /cannot read \(ENOENT\)/,
  });
  await t.rejects(modelLocationResolver({ cacheDir: null, maxBytes: 100 })(at(file)), {
    message: new RegExp(`${bytes.length} bytes exceeds the 100-byte model size cap`),
  });
});

t.test('HTTP locations download once, then come from the cache keyed by sha256', async (t) => {
  let hits = 0;
  const { url } = await serve(t, (_req, res) => {
    hits++;
    res.end(Buffer.from(bytes));
  });
  const cacheDir = dir(t);
  const resolve = modelLocationResolver({ cacheDir });
  t.same(await resolve(at(`${url}/m.onnx`)), bytes);
  t.same(await modelLocationResolver({ cacheDir })(at(`${url}/m.onnx`)), bytes, 'a second resolver reads the cache');
  t.equal(hits, 1, 'downloaded once');
  const wrong = at(`${url}/m.onnx`, { sha256: sha256Hex(new Uint8Array([1, 2, 3])) });
  await t.rejects(resolve(wrong), {
    code: 'MODEL_HASH_MISMATCH',
    message: /has sha256 [0-9a-f]{64}, the descriptor declares/,
  });
});

t.test('too large, too slow, unreachable, HTTP errors and unknown schemes are rejected with the reason', async (t) => {
  const big = new Uint8Array(4096);
  const { url } = await serve(t, (req, res) => {
    if (req.url === '/big-declared') return res.end(Buffer.from(big));
    if (req.url === '/big-chunked') {
      res.write(Buffer.from(big));
      return res.end(Buffer.from(big));
    }
    if (req.url === '/slow') return; // never answers
    res.statusCode = 404;
    res.end();
  });
  const r = modelLocationResolver({ cacheDir: null, maxBytes: 5000, timeoutMs: 300 });
  await t.rejects(modelLocationResolver({ cacheDir: null, maxBytes: 1000 })(at(`${url}/big-declared`)), {
    code: 'MODEL_LOCATION_FAILED',
    message: /4096 bytes exceeds the 1000-byte model size cap/,
  });
  await t.rejects(r(at(`${url}/big-chunked`)), {
    code: 'MODEL_LOCATION_FAILED',
    message: /more than the 5000-byte model size cap/,
  });
  await t.rejects(r(at(`${url}/slow`)), { code: 'MODEL_LOCATION_FAILED', message: /no answer within 300 ms/ });
  await t.rejects(r(at(`${url}/nope`)), { code: 'MODEL_LOCATION_FAILED', message: /HTTP 404/ });
  const closed = await serve(t, () => {});
  const closedUrl = closed.url;
  await new Promise((res) => closed.server.close(res));
  await t.rejects(r(at(`${closedUrl}/m`)), { code: 'MODEL_LOCATION_FAILED', message: /unreachable/ });
  await t.rejects(r(at('ftp://host/m.onnx')), { code: 'MODEL_LOCATION_FAILED', message: /unsupported scheme/ });
});

t.test(
  'the model manager installs location descriptors; a bad location is rejected and the old model keeps serving',
  async (t) => {
    const d = dir(t);
    const file = join(d, 'm.onnx');
    writeFileSync(file, bytes);
    const manager = new ModelManager({
      registry: defaultModelRegistry(),
      policy: 'processing-time',
      clock: { nowMs: () => 1 },
      resolveLocation: modelLocationResolver({ cacheDir: null }),
    });
    t.teardown(() => manager.close());
    const ok = await manager.install('k', at(file));
    t.equal(ok.status, 'accepted', ok.reason ?? 'accepted');
    const serving = manager.select('k', 0);
    t.ok(serving, 'serving the model read from the file');
    const bad = await manager.install('k', { ...at(join(d, 'gone.onnx')), version: 'loc-2' });
    t.equal(bad.status, 'rejected');
    t.equal(bad.code, 'MODEL_LOCATION_FAILED');
    t.match(bad.reason ?? '', /gone\.onnx: cannot read/);
    t.equal(manager.select('k', 0), serving, 'the previous model still serves');
  },
);
