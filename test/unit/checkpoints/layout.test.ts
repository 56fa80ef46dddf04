import t from 'tap';
import * as path from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import {
  checkpointDir,
  findLatestCompletedCheckpoint,
  listCompletedCheckpoints,
  parseCheckpointDirName,
  resolveSnapshotPath,
  savepointDirName,
  stateFileName,
  stripFileScheme,
  toExternalPath,
} from '../../../checkpoints/layout.js';
import { tempDir } from './helpers.js';

const JOB = 'cca7bc1061d61cf15238e92312c2fc20';

t.test('checkpoint and savepoint names follow Flink', async (t) => {
  t.equal(checkpointDir('/ck', JOB, 24), `/ck/${JOB}/chk-24`);
  t.throws(() => checkpointDir('/ck', JOB, 0), { code: 'CHECKPOINT_STORAGE' });
  t.equal(parseCheckpointDirName('chk-7'), 7);
  t.equal(parseCheckpointDirName('chk-07'), undefined);
  t.equal(parseCheckpointDirName('chk-0'), undefined);
  t.equal(parseCheckpointDirName('shared'), undefined);
  t.equal(
    savepointDirName(JOB, (n) => 'b'.repeat(n)),
    'savepoint-cca7bc-bbbbbbbbbbbb',
  );
  const a = savepointDirName(JOB);
  const b = savepointDirName(JOB);
  t.match(a, /^savepoint-cca7bc-[0-9a-f]{12}$/);
  t.not(a, b, 'random suffix differs');
  t.throws(() => savepointDirName('xyz'), { code: 'CHECKPOINT_STORAGE' });
  t.match(stateFileName('my op/1', 3, 'keyed'), /^my_op_1-3-keyed-[0-9a-f]{8}\.state$/);
  t.equal(stripFileScheme('file:///tmp/sp'), '/tmp/sp');
  t.equal(stripFileScheme('file:/tmp/sp'), '/tmp/sp');
  t.equal(toExternalPath('/tmp/x'), 'file:/tmp/x');
});

t.test('latest completed checkpoint requires _metadata', async (t) => {
  const dir = await tempDir(t);
  const jobDir = path.join(dir, JOB);
  t.same(await listCompletedCheckpoints(jobDir), [], 'missing job dir → none');
  for (const id of [1, 2, 10, 11]) await mkdir(path.join(jobDir, `chk-${id}`), { recursive: true });
  await mkdir(path.join(jobDir, 'shared'));
  for (const id of [1, 2, 10]) await writeFile(path.join(jobDir, `chk-${id}`, '_metadata'), '{}');
  const all = await listCompletedCheckpoints(jobDir);
  t.same(
    all.map((c) => c.checkpointId),
    [1, 2, 10],
    'numeric order, chk-11 incomplete',
  );
  const latest = await findLatestCompletedCheckpoint(jobDir);
  t.equal(latest?.checkpointId, 10);
  t.equal(latest?.metadataPath, path.join(jobDir, 'chk-10', '_metadata'));
});

t.test('resolveSnapshotPath accepts the directory, its _metadata, or a file: URI', async (t) => {
  const dir = await tempDir(t);
  const sp = path.join(dir, 'savepoint-cca7bc-000000000000');
  await mkdir(sp);
  await t.rejects(resolveSnapshotPath(sp), { code: 'RESTORE_NOT_FOUND', message: /no _metadata/ });
  await writeFile(path.join(sp, '_metadata'), '{}');
  await writeFile(path.join(sp, 'other'), 'x');
  const want = { dir: sp, metadataPath: path.join(sp, '_metadata') };
  t.same(await resolveSnapshotPath(sp), want);
  t.same(await resolveSnapshotPath(path.join(sp, '_metadata')), want);
  t.same(await resolveSnapshotPath(`file:${sp}`), want);
  t.same(await resolveSnapshotPath(`file://${sp}/_metadata`), want);
  await t.rejects(resolveSnapshotPath(path.join(sp, 'other')), { code: 'RESTORE_NOT_FOUND' });
  await t.rejects(resolveSnapshotPath(path.join(dir, 'nope')), {
    code: 'RESTORE_NOT_FOUND',
    message: /does not exist/,
  });
});
