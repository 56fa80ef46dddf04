/**
 * CheckpointStorage with `s3://` checkpoint and savepoint locations (s3rver): the same behaviour as on a
 * local disk — `_metadata` written last, retention of numRetained, savepoints never subsumed, restore from a
 * checkpoint or savepoint location, the corrupt-latest fallback, abort cleanup, the sweep of abandoned
 * checkpoints — and S3 failures (no bucket, denied, throttled) surfacing as CHECKPOINT_STORAGE with S3's error.
 */
import t from 'tap';
import { CheckpointStorage, type SubtaskSnapshot } from '../../../checkpoints/storage.js';
import { createManifest, type OperatorManifestEntry } from '../../../checkpoints/manifest.js';
import { sweepIncompleteCheckpoints } from '../../../checkpoints/sweep.js';
import { S3Store } from '../../../checkpoints/store-s3.js';
import { platform } from '../../../runtime/platform/index.js';
import { DENIED, THROTTLED, startS3Server } from '../../../bench/stand-ins/s3-server.js';

const JOB = 'cca7bc1061d61cf15238e92312c2fc20';
const BUCKET = 'sluice-ckpt';

async function checkpoint(s: CheckpointStorage, id: number, opts: { kind?: 'SAVEPOINT'; location?: string } = {}) {
  const loc = opts.location === undefined ? {} : { location: opts.location };
  const snaps: SubtaskSnapshot[] = [
    { keyed: { counts: new Map([['a', id]]) }, keyGroupRange: { start: 0, end: 63 } },
    { keyed: { counts: new Map([['b', id * 10]]) }, keyGroupRange: { start: 64, end: 127 } },
  ];
  const counts: OperatorManifestEntry = { uid: 'counts', parallelism: 2, maxParallelism: 128, subtasks: [] };
  for (const [i, snap] of snaps.entries())
    counts.subtasks.push(await s.writeSubtaskState(JOB, id, 'counts', i, snap, loc));
  const manifest = createManifest({
    checkpointId: id,
    jobId: JOB,
    timestampMs: 1000 + id,
    kind: opts.kind ?? 'CHECKPOINT',
    operators: [counts],
    masterStates: [{ name: 'enumerator', handle: await s.writeMasterState(JOB, id, 'enumerator', ['p0'], loc) }],
  });
  return s.finalize(manifest, loc);
}

t.test('checkpoint storage on S3', async (t) => {
  const server = await startS3Server([BUCKET]);
  t.teardown(() => server.close());
  const s3 = platform.s3.client(server.settings);
  const store = new S3Store(s3);
  const root = `s3://${BUCKET}/flink/checkpoints`;

  t.test('write → finalize → restore, retention and the corrupt-latest fallback', async (t) => {
    const s = new CheckpointStorage({ checkpointsDir: `${root}/`, numRetained: 2, s3 });
    t.equal(s.checkpointsDir, root);
    const jobDir = await s.initializeJob(JOB);
    t.equal(jobDir, `${root}/${JOB}`);
    const c1 = await checkpoint(s, 1);
    t.equal(c1.externalPath, `${root}/${JOB}/chk-1`);
    t.equal(c1.metadataPath, `${root}/${JOB}/chk-1/_metadata`);
    t.ok(c1.stateSizeBytes > 0);
    await checkpoint(s, 2);
    const c3 = await checkpoint(s, 3);
    t.same(c3.subsumed, [1], 'chk-1 subsumed, two retained');
    t.same((await store.list(jobDir)).sort(), ['chk-2', 'chk-3']);
    const r = await s.loadForRestore(`${c3.externalPath}/_metadata`);
    t.equal(r.checkpointId, 3);
    t.equal(r.externalPath, c3.externalPath);
    t.same(r.operators[0]!.subtasks[1]!.keyed, {
      keyGroupRange: { start: 64, end: 127 },
      state: { counts: new Map([['b', 30]]) },
    });
    t.same(r.masterStates.get('enumerator'), ['p0']);
    t.equal((await s.loadForRestore(c3.externalPath)).checkpointId, 3, 'the directory works as well');

    const victim = (await store.list(c3.dir)).find((n) => n.startsWith('counts-1-keyed'))!;
    const bytes = await store.get(store.join(c3.dir, victim));
    bytes[bytes.length - 1] ^= 0xff;
    await s3.put(BUCKET, `flink/checkpoints/${JOB}/chk-3/${victim}`, bytes);
    const found = await s.findRestorableCheckpoint(jobDir);
    t.equal(found?.snapshot.checkpointId, 2, 'falls back to chk-2');
    t.match(found?.warning, /chk-3 could not be restored .*falling back to the previous retained checkpoint chk-2/);

    const done = await s.onJobTerminated(JOB, 'CANCELED');
    t.same(done.deleted, [2, 3]);
    t.same(await store.list(jobDir), [], 'NO_EXTERNALIZED_CHECKPOINTS deletes everything on cancel');
  });

  t.test('savepoints to s3 are never subsumed and restore from their location', async (t) => {
    const s = new CheckpointStorage({ checkpointsDir: root, numRetained: 1, s3 });
    const target = s.savepointLocation(JOB, `s3://${BUCKET}/savepoints`);
    t.match(target, new RegExp(`^s3://${BUCKET}/savepoints/savepoint-cca7bc-[0-9a-f]{12}$`));
    const sp = await checkpoint(s, 7, { kind: 'SAVEPOINT', location: target });
    t.equal(sp.externalPath, target);
    t.same(sp.subsumed, []);
    await checkpoint(s, 8);
    await checkpoint(s, 9);
    t.ok(await store.exists(`${target}/_metadata`), 'the savepoint survives checkpoint retention');
    const r = await s.loadForRestore(target);
    t.equal(r.kind, 'SAVEPOINT');
    t.equal(r.checkpointId, 7);
    await t.rejects(s.loadForRestore(`s3://${BUCKET}/savepoints/nope`), { code: 'RESTORE_NOT_FOUND' });
  });

  t.test('an aborted checkpoint is removed; incomplete leftovers are swept; _metadata is written last', async (t) => {
    const s = new CheckpointStorage({ checkpointsDir: `${root}-abort`, s3 });
    await s.writeSubtaskState(JOB, 4, 'counts', 0, { keyed: { x: 1 }, keyGroupRange: { start: 0, end: 127 } });
    const dir = s.checkpointLocation(JOB, 4);
    t.same(await store.exists(`${dir}/_metadata`), false, 'no _metadata before finalize');
    t.equal(await s.abort(JOB, 4), true);
    t.equal(await store.exists(dir), false);
    await s.writeSubtaskState(JOB, 5, 'counts', 0, { keyed: { x: 1 }, keyGroupRange: { start: 0, end: 127 } });
    await checkpoint(s, 6);
    const swept = await sweepIncompleteCheckpoints(`${root}-abort`, -1, platform.clock.nowMs() + 1000, store);
    t.same(swept.warnings, []);
    t.same(swept.removed, [s.checkpointLocation(JOB, 5)], 'only the incomplete chk-5');
    t.ok(await store.exists(`${s.checkpointLocation(JOB, 6)}/_metadata`));
  });

  t.test('S3 failures are CHECKPOINT_STORAGE naming the S3 error', async (t) => {
    const noBucket = new CheckpointStorage({ checkpointsDir: 's3://no-such-bucket/ck', s3 });
    await t.rejects(checkpoint(noBucket, 1), {
      code: 'CHECKPOINT_STORAGE',
      message: /s3:\/\/no-such-bucket\/ck\/.*NoSuchBucket: The specified bucket does not exist \(HTTP 404\)/,
    });
    const s = new CheckpointStorage({ checkpointsDir: `${root}-faults`, s3 });
    server.fault = { ...DENIED };
    // the first request of a state file is a HEAD (nothing may be overwritten), whose answers carry no body
    await t.rejects(checkpoint(s, 1), {
      code: 'CHECKPOINT_STORAGE',
      message: /Forbidden: \(no error body\) \(HTTP 403\)/,
    });
    server.fault = { ...DENIED, match: (req) => req.method === 'PUT' };
    await t.rejects(checkpoint(s, 1), {
      code: 'CHECKPOINT_STORAGE',
      message: /AccessDenied: Access Denied \(HTTP 403\)/,
    });
    server.fault = { ...THROTTLED, match: (req) => req.method === 'PUT' };
    await t.rejects(checkpoint(s, 2), { code: 'CHECKPOINT_STORAGE', message: /SlowDown.*\(HTTP 503\)/ });
    server.fault = { ...THROTTLED, match: (req) => req.method === 'PUT' && /_metadata(\?|$)/.test(req.url ?? '') };
    await t.rejects(checkpoint(s, 3), { code: 'CHECKPOINT_STORAGE', message: /metadata.*SlowDown/ });
    t.equal(await store.exists(`${s.checkpointLocation(JOB, 3)}/_metadata`), false, 'no _metadata: not complete');
    t.equal(await s.abort(JOB, 3), true, 'the failed checkpoint is cleaned up');
    server.fault = undefined;
    const ok = await checkpoint(s, 4);
    t.equal(ok.checkpointId, 4, 'storage works again once S3 does');
  });
});
