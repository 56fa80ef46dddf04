/**
 * The HA blob stores behind `high-availability.storageDir`: the local directory and S3 (an s3rver) give the
 * same answers — put replaces whole, a missing key reads as undefined, deleting a missing key is no error,
 * keys cannot leave the base, list shows the keys directly under it — and `blobStoreFor` picks the store by scheme, refusing an S3 location without
 * a bucket and schemes it has no store for. S3's own errors (no bucket) surface with their code.
 */
import t, { type Test } from 'tap';
import { blobStoreFor, type BlobStore } from '../../../runtime/ha/blob-store.js';
import { platform } from '../../../runtime/platform/index.js';
import { tempDirs } from '../../support/cluster-harness.js';
import { startS3Server } from '../../../bench/stand-ins/s3-server.js';

const BUCKET = 'sluice-ha-blobs';

async function contract(t: Test, store: BlobStore) {
  t.equal(await store.get('jobs/j1/bundle.js'), undefined, 'a missing key reads as undefined');
  t.same(await store.list(), [], 'an empty (or absent) base lists nothing');
  await store.put('jobs/j1/bundle.js', 'console.log(1)');
  await store.put('jobs/j1/submission.json', Buffer.from('{"jobId":"j1"}'));
  t.equal((await store.get('jobs/j1/bundle.js'))?.toString(), 'console.log(1)');
  await store.put('jobs/j1/bundle.js', 'console.log(2)');
  t.equal((await store.get('jobs/j1/bundle.js'))?.toString(), 'console.log(2)', 'put replaces the whole blob');
  await store.delete('jobs/j1/bundle.js');
  await store.delete('jobs/j1/bundle.js');
  t.equal(await store.get('jobs/j1/bundle.js'), undefined, 'deleted (twice: no error)');
  t.equal((await store.get('jobs/j1/submission.json'))?.toString(), '{"jobId":"j1"}', 'other keys untouched');
  await store.put('j2.json', '{}');
  await store.put('j3.json', '{}');
  t.same((await store.list()).sort(), ['j2.json', 'j3.json'], 'list: the keys directly under the base, no folders');
  for (const bad of ['../outside', 'jobs/../../outside', ''])
    await t.rejects(store.put(bad, 'x'), { code: 'HA_STORAGE' }, `key ${JSON.stringify(bad)} refused`);
}

t.test('local storageDir', async (t) => {
  const [dir] = tempDirs(t, 'ha-blobs');
  await contract(
    t,
    blobStoreFor(dir!, () => t.fail('no S3 client for a local path') as never),
  );
});

t.test('s3:// storageDir', async (t) => {
  const s3 = await startS3Server([BUCKET]);
  t.teardown(() => s3.close());
  const client = platform.s3.client(s3.settings);
  const store = blobStoreFor(`s3://${BUCKET}/ha/`, () => client);
  t.equal(store.location, `s3://${BUCKET}/ha/`);
  await contract(t, store);
  const keys = (await client.list(BUCKET, '')).objects.map((o) => o.key);
  t.same(
    keys.sort(),
    ['ha/j2.json', 'ha/j3.json', 'ha/jobs/j1/submission.json'],
    'objects live under the prefix, nothing escaped it',
  );
  t.equal(
    (await blobStoreFor(`s3a://${BUCKET}/ha`, () => client).get('jobs/j1/submission.json'))?.toString(),
    '{"jobId":"j1"}',
    "Hadoop's s3a:// names the same objects",
  );
  await t.rejects(
    blobStoreFor('s3://no-such-bucket/ha', () => client).put('jobs/j1/bundle.js', 'x'),
    /NoSuchBucket/,
    "S3's error names the missing bucket",
  );
});

t.test('locations refused by scheme and form', async (t) => {
  const none = () => t.fail('no client is built for a refused location') as never;
  t.throws(() => blobStoreFor('s3:///ha', none), { code: 'CONFIG_INVALID', message: /a bucket is required/ });
  t.throws(() => blobStoreFor('s3://b/ha/../x', none), { code: 'CONFIG_INVALID' });
  t.throws(() => blobStoreFor('hdfs://nn/ha', none), {
    code: 'CONFIG_UNSUPPORTED',
    message: /hdfs:\/\/ scheme is not supported; .*s3:\/\/<bucket>\/<path>/,
  });
});
