/**
 * Model stores on S3 (s3rver): an `s3://bucket/key` location resolves through the process's S3 client (the
 * one checkpoint storage uses), with the sha256 check, the size cap and the hash-keyed cache; a missing object,
 * a missing bucket, denied access and a model over the cap are rejected with the reason, and the model manager
 * keeps serving the old model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { ModelDescriptor } from '../../../operators/ml/descriptor.js';
import { defaultModelRegistry } from '../../../operators/ml/index.js';
import { modelLocationResolver } from '../../../operators/ml/model-location.js';
import { ModelManager } from '../../../operators/ml/model-manager.js';
import { platform } from '../../../runtime/platform/index.js';
import { DENIED, startS3Server } from '../../../bench/stand-ins/s3-server.js';
import { MLP_WIDTH, buildMlpModel, mlpDescriptor } from '../../support/models/index.js';

const BUCKET = 'sluice-models';
const bytes = buildMlpModel({ layers: [MLP_WIDTH, 8, 1], seed: 7 });
const at = (location: string, extra: Partial<ModelDescriptor> = {}): ModelDescriptor => {
  const { data: _data, ...d } = mlpDescriptor('s3-1', 7, bytes);
  return { ...d, location, ...extra };
};

t.test('s3:// model locations', async (t) => {
  const server = await startS3Server([BUCKET]);
  t.teardown(() => server.close());
  const s3 = platform.s3.client(server.settings);
  await s3.put(BUCKET, 'models/mlp.onnx', bytes);
  const cacheDir = mkdtempSync(join(tmpdir(), 'sluice-model-s3-cache-'));
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));

  t.test('resolves, verifies and caches by hash', async (t) => {
    const r = modelLocationResolver({ s3, cacheDir });
    const got = await r(at(`s3://${BUCKET}/models/mlp.onnx`));
    t.same(Buffer.from(got), Buffer.from(bytes));
    const before = server.requests;
    const again = await r(at(`s3://${BUCKET}/models/mlp.onnx`));
    t.same(Buffer.from(again), Buffer.from(bytes));
    t.equal(server.requests, before, 'the second resolve is served from the cache');
  });

  t.test('bad locations are rejected with the reason', async (t) => {
    const cap = bytes.byteLength - 1;
    const r = modelLocationResolver({ s3, cacheDir: null, maxBytes: cap, timeoutMs: 5000 });
    await t.rejects(r(at(`s3://${BUCKET}/models/mlp.onnx`)), {
      code: 'MODEL_LOCATION_FAILED',
      message: new RegExp(`${bytes.byteLength} bytes exceeds the ${cap}-byte model size cap`),
    });
    const big = modelLocationResolver({ s3, cacheDir: null });
    await t.rejects(big(at(`s3://${BUCKET}/models/mlp.onnx`, { sha256: '0'.repeat(64) })), {
      code: 'MODEL_HASH_MISMATCH',
    });
    await t.rejects(big(at(`s3://${BUCKET}/models/gone.onnx`)), {
      code: 'MODEL_LOCATION_FAILED',
      message: /s3:\/\/sluice-models\/models\/gone\.onnx: NoSuchKey.*\(HTTP 404\)/,
    });
    await t.rejects(big(at('s3://no-such-bucket/m.onnx')), { message: /NoSuchBucket/ });
    await t.rejects(big(at(`s3://${BUCKET}`)), { message: /needs a bucket and a key/ });
    server.fault = { ...DENIED };
    await t.rejects(big(at(`s3://${BUCKET}/models/mlp.onnx`)), { message: /AccessDenied: Access Denied \(HTTP 403\)/ });
    server.fault = undefined;
  });

  t.test('the model manager loads through the process client; a bad location keeps the old model', async (t) => {
    platform.s3.initialize(server.settings);
    t.teardown(() => platform.s3.initialize({}));
    const manager = new ModelManager({
      registry: defaultModelRegistry(),
      policy: 'processing-time',
      clock: { nowMs: () => 1 },
      resolveLocation: modelLocationResolver({ cacheDir: null }),
    });
    t.teardown(() => manager.close());
    const ok = await manager.install('k', at(`s3://${BUCKET}/models/mlp.onnx`));
    t.equal(ok.status, 'accepted', ok.reason ?? 'accepted');
    const serving = manager.select('k', 0);
    t.ok(serving);
    const bad = await manager.install('k', { ...at(`s3://${BUCKET}/models/gone.onnx`), version: 's3-2' });
    t.equal(bad.status, 'rejected');
    t.match(bad.reason ?? '', /NoSuchKey/);
    t.equal(manager.select('k', 0), serving, 'the previous model still serves');
  });
});
