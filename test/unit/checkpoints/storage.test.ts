import t from 'tap';
import * as path from 'node:path';
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { CheckpointStorage, type SubtaskSnapshot } from '../../../checkpoints/storage.js';
import { createManifest, type OperatorManifestEntry } from '../../../checkpoints/manifest.js';
import { encodeKeyGroup } from '../../../runtime/state/key-group-codec.js';
import { failingFs, tempDir } from './helpers.js';

const JOB = 'cca7bc1061d61cf15238e92312c2fc20';

/** Writes a 2-subtask keyed operator plus a source with split state, and finalizes the checkpoint. */
async function checkpoint(
  s: CheckpointStorage,
  id: number,
  opts: { kind?: 'CHECKPOINT' | 'SAVEPOINT'; location?: string } = {},
) {
  const kind = opts.kind ?? 'CHECKPOINT';
  const loc = opts.location === undefined ? {} : { location: opts.location };
  const snaps: SubtaskSnapshot[] = [
    { keyed: { counts: new Map([['a', id]]) }, keyGroupRange: { start: 0, end: 63 }, operator: {} },
    { keyed: { counts: new Map([['b', id * 10]]) }, keyGroupRange: { start: 64, end: 127 } },
  ];
  const counts: OperatorManifestEntry = { uid: 'counts', parallelism: 2, maxParallelism: 128, subtasks: [] };
  for (const [i, snap] of snaps.entries())
    counts.subtasks.push(await s.writeSubtaskState(JOB, id, 'counts', i, snap, loc));
  const source: OperatorManifestEntry = {
    uid: 'source',
    parallelism: 1,
    maxParallelism: 128,
    subtasks: [
      await s.writeSubtaskState(
        JOB,
        id,
        'source',
        0,
        { operator: { splits: { mode: 'split', items: [{ offset: id }] } } },
        loc,
      ),
    ],
    coordinator: await s.writeMasterState(JOB, id, 'source-enumerator', { assigned: ['p0'] }, loc),
  };
  return s.finalize(
    createManifest({ checkpointId: id, jobId: JOB, timestampMs: 1000 + id, kind, operators: [counts, source] }),
    loc,
  );
}

t.test('write → finalize → load round trip, with retention of numRetained', async (t) => {
  const base = await tempDir(t);
  const s = new CheckpointStorage({ checkpointsDir: `file://${base}`, numRetained: 2 });
  const jobDir = await s.initializeJob(JOB);
  t.same((await readdir(jobDir)).sort(), ['shared', 'taskowned']);
  const c1 = await checkpoint(s, 1);
  t.equal(c1.externalPath, `file:${path.join(base, JOB, 'chk-1')}`);
  t.ok(c1.stateSizeBytes > 0);
  await checkpoint(s, 2);
  const c3 = await checkpoint(s, 3);
  t.same(c3.subsumed, [1], 'chk-1 subsumed, two retained');
  t.same((await readdir(jobDir)).sort(), ['chk-2', 'chk-3', 'shared', 'taskowned']);
  const r = await s.loadForRestore(path.join(jobDir, 'chk-3', '_metadata'));
  t.equal(r.checkpointId, 3);
  const counts = r.operators.find((o) => o.uid === 'counts')!;
  t.same(counts.subtasks[1]!.keyed, {
    keyGroupRange: { start: 64, end: 127 },
    state: { counts: new Map([['b', 30]]) },
  });
  t.equal(counts.subtasks[0]!.operator, undefined, 'empty operator state writes no file');
  t.equal((await readdir(path.join(jobDir, 'chk-3'))).filter((n) => n.startsWith('counts-0-op')).length, 0);
  const src = r.operators.find((o) => o.uid === 'source')!;
  t.same(src.coordinator, { assigned: ['p0'] });
  t.same(src.subtasks[0]!.operator, { splits: { mode: 'split', items: [{ offset: 3 }] } });
});

t.test('a corrupt latest checkpoint falls back to the previous one with a warning', async (t) => {
  const base = await tempDir(t);
  const s = new CheckpointStorage({ checkpointsDir: base, numRetained: 3 });
  await checkpoint(s, 1);
  await checkpoint(s, 2);
  const c3 = await checkpoint(s, 3);
  const victim = (await readdir(c3.dir)).find((n) => n.startsWith('counts-1-keyed'))!;
  const bytes = await readFile(path.join(c3.dir, victim));
  bytes[bytes.length - 2] ^= 0x55;
  await writeFile(path.join(c3.dir, victim), bytes);
  await t.rejects(s.loadForRestore(c3.dir), { code: 'CHECKPOINT_CORRUPT', message: new RegExp(victim) });
  const found = await s.findRestorableCheckpoint(s.jobDir(JOB));
  t.equal(found?.snapshot.checkpointId, 2);
  t.match(found?.warning, /chk-3 could not be restored .*falling back to the previous retained checkpoint chk-2/);
  t.match(found?.warning, victim);
  t.same(
    found?.skipped.map((x) => x.checkpointId),
    [3],
  );
  const clean = new CheckpointStorage({ checkpointsDir: base });
  await writeFile(path.join(s.jobDir(JOB), 'chk-2', '_metadata'), 'garbage');
  await writeFile(path.join(s.jobDir(JOB), 'chk-1', '_metadata'), '{}');
  await t.rejects(clean.findRestorableCheckpoint(s.jobDir(JOB)), {
    code: 'CHECKPOINT_CORRUPT',
    message: /No restorable checkpoint/,
  });
  t.equal(await clean.findRestorableCheckpoint(path.join(base, 'other-job')), undefined);
});

t.test('a savepoint is relocatable: a copied directory restores', async (t) => {
  const base = await tempDir(t);
  const s = new CheckpointStorage({ checkpointsDir: path.join(base, 'ckpt') });
  const location = s.savepointLocation(JOB, `file:${path.join(base, 'sp')}`);
  t.match(path.basename(location), /^savepoint-cca7bc-[0-9a-f]{12}$/);
  const done = await checkpoint(s, 5, { kind: 'SAVEPOINT', location });
  t.same(done.subsumed, []);
  const manifest = JSON.parse(await readFile(path.join(location, '_metadata'), 'utf8'));
  t.notOk(JSON.stringify(manifest).includes(base), 'no absolute paths in a savepoint manifest');
  const moved = path.join(base, 'elsewhere', 'copy');
  await cp(location, moved, { recursive: true });
  const r = await s.loadForRestore(moved);
  t.equal(r.kind, 'SAVEPOINT');
  t.equal(r.dir, moved);
  t.same(r.operators.find((o) => o.uid === 'counts')!.subtasks[0]!.keyed!.state, { counts: new Map([['a', 5]]) });
  await t.rejects(
    s.finalize(createManifest({ checkpointId: 6, jobId: JOB, timestampMs: 1, kind: 'SAVEPOINT', operators: [] })),
    { code: 'SAVEPOINT_NO_TARGET' },
  );
});

t.test('abort removes a failed checkpoint but never a completed one', async (t) => {
  const base = await tempDir(t);
  const s = new CheckpointStorage({ checkpointsDir: base, numRetained: 5 });
  await checkpoint(s, 1);
  await s.writeSubtaskState(JOB, 2, 'counts', 0, { operator: { x: 1 } });
  t.equal(await s.abort(JOB, 2), true);
  await t.rejects(stat(s.checkpointLocation(JOB, 2)), { code: 'ENOENT' });
  t.equal(await s.abort(JOB, 1), false);
  t.ok((await stat(path.join(s.checkpointLocation(JOB, 1), '_metadata'))).isFile());
  t.equal(await s.abort(JOB, 9), false);
  const sp = s.savepointLocation(JOB, path.join(base, 'sp'));
  await s.writeSubtaskState(JOB, 3, 'counts', 0, { operator: { x: { mode: 'union', items: [1] } } }, { location: sp });
  t.equal(await s.abort(JOB, 3), true, 'a failed savepoint is found by id');
  await t.rejects(stat(sp), { code: 'ENOENT' });
  const done = await checkpoint(s, 4, { kind: 'SAVEPOINT', location: s.savepointLocation(JOB, path.join(base, 'sp')) });
  t.equal(await s.abort(JOB, 4, { location: done.dir }), false, 'a completed savepoint is never removed');
});

t.test('finalize refuses a manifest whose files are missing', async (t) => {
  const base = await tempDir(t);
  const s = new CheckpointStorage({ checkpointsDir: base });
  const h = await s.writeSubtaskState(JOB, 1, 'counts', 0, { operator: { x: 1 } });
  const manifest = createManifest({
    checkpointId: 1,
    jobId: JOB,
    timestampMs: 1,
    kind: 'CHECKPOINT',
    operators: [
      {
        uid: 'counts',
        parallelism: 1,
        maxParallelism: 128,
        subtasks: [{ subtaskIndex: 0, operator: { ...h.operator!, file: 'gone.state' } }],
      },
    ],
  });
  await t.rejects(s.finalize(manifest), { code: 'CHECKPOINT_STORAGE', message: /gone\.state/ });
  await t.rejects(stat(path.join(s.checkpointLocation(JOB, 1), '_metadata')), { code: 'ENOENT' });
});

t.test('unwritable or full storage declines with CHECKPOINT_STORAGE and the cause', async (t) => {
  // Tests run as root, which ignores chmod; so an unwritable directory is simulated two ways: a checkpoint
  // directory under a regular FILE (mkdir fails with ENOTDIR) and an injected fs failing with the code.
  const base = await tempDir(t);
  await writeFile(path.join(base, 'a-file'), 'x');
  const underFile = new CheckpointStorage({ checkpointsDir: path.join(base, 'a-file', 'ckpt') });
  await t.rejects(underFile.initializeJob(JOB), { code: 'CHECKPOINT_STORAGE', message: /ENOTDIR/ });
  await t.rejects(underFile.writeSubtaskState(JOB, 1, 'counts', 0, { operator: {} }), {
    code: 'CHECKPOINT_STORAGE',
    message: /not a directory \(ENOTDIR\)/,
  });
  for (const [code, text] of [
    ['ENOSPC', 'no space left on device'],
    ['EACCES', 'permission denied'],
    ['EROFS', 'read-only file system'],
  ] as const) {
    const s = new CheckpointStorage({ checkpointsDir: path.join(base, code), fs: failingFs(code) });
    const err = await s.writeSubtaskState(JOB, 1, 'counts', 0, { operator: { a: 1 } }).then(
      () => undefined,
      (e: Error) => e,
    );
    t.match(err, { code: 'CHECKPOINT_STORAGE', message: new RegExp(`${text} \\(${code}\\)`) }, code);
    t.equal((err?.cause as { code?: string } | undefined)?.code, code, 'cause kept');
  }
  let armed = false;
  const s = new CheckpointStorage({ checkpointsDir: path.join(base, 'late'), fs: failingFs('ENOSPC', () => armed) });
  await s.writeSubtaskState(JOB, 1, 'counts', 0, { operator: { a: 1 } });
  await mkdir(s.checkpointLocation(JOB, 1), { recursive: true });
  armed = true;
  await t.rejects(s.writeSubtaskState(JOB, 1, 'counts', 1, { operator: { a: 2 } }), {
    code: 'CHECKPOINT_STORAGE',
    message: /ENOSPC/,
  });
  const plain = new CheckpointStorage({ checkpointsDir: path.join(base, 'plain') });
  await t.rejects(plain.writeSubtaskState(JOB, 1, 'k', 0, { keyed: { data: 1 } }), {
    code: 'CHECKPOINT_STORAGE',
    message: /key-group range/,
  });
});

t.test('retention policy on job end', async (t) => {
  const cases = [
    ['RETAIN_ON_CANCELLATION', 'CANCELED', false],
    ['RETAIN_ON_CANCELLATION', 'FAILED', false],
    ['RETAIN_ON_CANCELLATION', 'FINISHED', true],
    ['DELETE_ON_CANCELLATION', 'CANCELED', true],
    ['DELETE_ON_CANCELLATION', 'FAILED', false],
    ['DELETE_ON_CANCELLATION', 'SUSPENDED', false],
    ['NO_EXTERNALIZED_CHECKPOINTS', 'FAILED', true],
  ] as const;
  for (const [retention, status, deletes] of cases) {
    const base = await tempDir(t);
    const s = new CheckpointStorage({ checkpointsDir: base, retention, numRetained: 2 });
    await checkpoint(s, 1);
    await checkpoint(s, 2);
    const r = await s.onJobTerminated(JOB, status);
    const left = await readdir(s.jobDir(JOB)).catch(() => [] as string[]);
    if (deletes) {
      t.same(r.deleted, [1, 2], `${retention} ${status} deletes`);
      t.notOk(left.some((n) => n.startsWith('chk-')));
    } else {
      t.same(r.retained, [1, 2], `${retention} ${status} retains`);
      t.same(left.filter((n) => n.startsWith('chk-')).sort(), ['chk-1', 'chk-2']);
    }
  }
  t.throws(() => new CheckpointStorage({ checkpointsDir: '/x', numRetained: 0 }), { code: 'CONFIG_INVALID' });
});

t.test(
  'key groups stored encoded as a task worker sends them (whole or in parts) load decoded and merged',
  async (t) => {
    const base = await tempDir(t);
    const s = new CheckpointStorage({ checkpointsDir: `file://${base}`, numRetained: 1 });
    await s.initializeJob(JOB);
    const g5 = { states: { c: { kind: 'value' as const, entries: [['k5', '', 5] as [unknown, string, unknown]] } } };
    const map = (from: number, to: number) => ({
      states: {
        m: {
          kind: 'map' as const,
          entries: [['hot', '', Array.from({ length: to - from }, (_, i) => [from + i, `v${from + i}`])]] as Array<
            [unknown, string, unknown]
          >,
        },
      },
    });
    const keyed = {
      version: 1,
      maxParallelism: 128,
      keyGroupRange: { start: 0, end: 63 },
      // kg 5 whole, kg 9 as two parts with the map entry of key 'hot' split between them
      keyGroups: { 5: encodeKeyGroup(g5), 9: [encodeKeyGroup(map(0, 3)), encodeKeyGroup(map(3, 5))] },
    };
    const h = await s.writeSubtaskState(JOB, 1, 'counts', 0, { keyed, keyGroupRange: { start: 0, end: 63 } });
    const op: OperatorManifestEntry = { uid: 'counts', parallelism: 1, maxParallelism: 128, subtasks: [h] };
    const c = await s.finalize(
      createManifest({ checkpointId: 1, jobId: JOB, timestampMs: 1, kind: 'CHECKPOINT', operators: [op] }),
    );
    const r = await s.loadForRestore(c.externalPath.replace(/^file:/, ''));
    const state = r.operators[0]!.subtasks[0]!.keyed!.state as { keyGroups: Record<string, unknown> };
    t.same(state.keyGroups['5'], g5, 'a whole key group decoded');
    t.same(state.keyGroups['9'], map(0, 5), 'the parts merged into one key group, the split map entry joined');
  },
);
