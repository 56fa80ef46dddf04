/**
 * The S3 snapshot store against an S3-compatible server (s3rver): object and "directory" semantics, exclusive
 * writes, multipart uploads of large state, locations that escape the bucket, and S3's own errors (no bucket,
 * bad credentials, throttling, 5xx) surfacing with their codes after bounded retries.
 */
import t from 'tap';
import { S3Store } from '../../../checkpoints/store-s3.js';
import { S3Failure, platform } from '../../../runtime/platform/index.js';
import { DENIED, THROTTLED, startS3Server } from '../../../bench/stand-ins/s3-server.js';

const BUCKET = 'sluice-store';

t.test('S3Store', async (t) => {
  const server = await startS3Server([BUCKET]);
  t.teardown(() => server.close());
  const client = platform.s3.client(server.settings);
  const store = new S3Store(client);
  const root = `s3://${BUCKET}/ck`;

  t.test('objects, directories, listing and deletion', async (t) => {
    const dir = store.join(root, 'job-1', 'chk-1');
    t.equal(dir, `s3://${BUCKET}/ck/job-1/chk-1`);
    t.equal(store.resolve(`s3://${BUCKET}/ck//job-1/./chk-1/`), dir, 'normal form');
    t.equal(store.parent(dir), `s3://${BUCKET}/ck/job-1`);
    t.equal(store.basename(dir), 'chk-1');
    t.equal(await store.stat(dir), undefined, 'nothing there yet');
    await store.put(store.join(dir, 'a.state'), Buffer.from('alpha'), { exclusive: true });
    await store.put(store.join(dir, 'sub', 'b.state'), Buffer.from('beta'));
    t.equal((await store.get(store.join(dir, 'a.state'))).toString(), 'alpha');
    const file = await store.stat(store.join(dir, 'a.state'));
    t.match(file, { sizeBytes: 5, isDirectory: false });
    const d = await store.stat(dir);
    t.match(d, { isDirectory: true });
    t.ok(d!.mtimeMs > 0, 'a directory is as old as its newest object');
    t.same((await store.list(dir)).sort(), ['a.state', 'sub']);
    t.same(await store.list(store.join(root, 'job-1')), ['chk-1']);
    t.same(await store.list(store.join(root, 'nothing')), []);
    await t.rejects(store.put(store.join(dir, 'a.state'), Buffer.from('x'), { exclusive: true }), { code: 'EEXIST' });
    await t.rejects(store.publish(store.join(dir, 'a.state'), Buffer.from('x')), { code: 'EEXIST' });
    await store.delete(store.join(dir, 'missing'));
    const err = await store.get(store.join(dir, 'missing')).catch((e: unknown) => e);
    t.ok(err instanceof S3Failure && err.notFound, 'a missing object is notFound');
    t.match((err as Error).message, /NoSuchKey/);
    await store.deleteTree(dir);
    t.equal(await store.exists(dir), false);
    t.same(await store.list(store.join(root, 'job-1')), []);
  });

  t.test('large state is uploaded in parts and reads back whole', async (t) => {
    const big = Buffer.alloc(11 * 2 ** 20 + 123);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) % 251;
    const parts = new S3Store(platform.s3.client({ ...server.settings, partSizeBytes: 5 * 2 ** 20 }));
    const before = server.requests;
    await parts.put(`${root}/big.state`, big);
    t.ok(server.requests - before >= 5, `create + 3 parts + complete (${server.requests - before} requests)`);
    const back = await parts.get(`${root}/big.state`);
    t.equal(back.length, big.length);
    t.ok(back.equals(big));
  });

  t.test('locations that name no bucket or leave the bucket are refused', async (t) => {
    t.throws(() => store.resolve('s3:///ck/x'), { message: /names no bucket/ });
    t.throws(() => store.join(root, '..', '..', 'other'), { message: /inside the bucket/ });
    await t.rejects(store.get('s3:///x'), { message: /names no bucket/ });
  });

  t.test('S3 errors keep their code and HTTP status', async (t) => {
    const missing = new S3Store(client);
    await t.rejects(missing.put('s3://no-such-bucket/x/a.state', Buffer.from('a'), { exclusive: true }), {
      message: /NoSuchBucket.*\(HTTP 404\)/,
    });
    await t.rejects(missing.list('s3://no-such-bucket/x'), { message: /NoSuchBucket/ });
    const stranger = new S3Store(
      platform.s3.client({ ...server.settings, accessKey: 'NOT-A-KEY', secretKey: 'wrong' }),
    );
    await t.rejects(stranger.put(`${root}/denied.state`, Buffer.from('a')), {
      name: 'S3Failure',
      message: /InvalidAccessKeyId.*\(HTTP 403\)/,
    });
    server.fault = { ...DENIED };
    await t.rejects(store.put(`${root}/denied.state`, Buffer.from('a')), {
      message: /AccessDenied: Access Denied \(HTTP 403\)/,
    });
    server.fault = { ...THROTTLED };
    const before = server.requests;
    await t.rejects(store.get(`${root}/any`), { message: /SlowDown: Please reduce your request rate\. \(HTTP 503\)/ });
    t.equal(server.requests - before, server.settings.maxAttempts, 'throttling is retried, a bounded number of times');
    server.fault = { status: 500, code: 'InternalError', message: 'We encountered an internal error.', count: 1 };
    await store.put(`${root}/after-500.state`, Buffer.from('ok'));
    t.equal((await store.get(`${root}/after-500.state`)).toString(), 'ok', 'one 5xx is retried and succeeds');
    server.fault = undefined;
  });
});
