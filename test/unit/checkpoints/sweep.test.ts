/**
 * Leftover retention: incomplete chk-N directories (no _metadata) older than the checkpoint timeout are
 * deleted; recent ones (possibly in progress), completed checkpoints and other names are kept.
 */
import t from 'tap';
import * as path from 'node:path';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { sweepIncompleteCheckpoints } from '../../../checkpoints/sweep.js';
import { tempDir } from './helpers.js';

t.test('abandoned incomplete checkpoints are swept, everything else stays', async (t) => {
  const base = await tempDir(t);
  const job = path.join(base, 'cca7bc1061d61cf15238e92312c2fc20');
  const old = Date.now() / 1000 - 3600;
  for (const d of ['chk-1', 'chk-2', 'chk-3', 'shared', 'savepoint-abc'])
    await mkdir(path.join(job, d), { recursive: true });
  await writeFile(path.join(job, 'chk-1', '_metadata'), 'm');
  await writeFile(path.join(job, 'chk-2', 'op-0'), 'state');
  for (const d of ['chk-1', 'chk-2', 'shared', 'savepoint-abc']) await utimes(path.join(job, d), old, old);
  const r = await sweepIncompleteCheckpoints(`file:${base}`, 600_000, Date.now());
  t.same(r.removed, [path.join(job, 'chk-2')]);
  t.same(r.warnings, []);
  t.same(
    (await readdir(job)).sort(),
    ['chk-1', 'chk-3', 'savepoint-abc', 'shared'],
    'completed, recent and other kept',
  );
  t.same(await sweepIncompleteCheckpoints(path.join(base, 'missing'), 0, Date.now()), { removed: [], warnings: [] });
});
