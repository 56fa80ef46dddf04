/**
 * Bundle retention: storing a bundle keeps only the newest bundle files of the directory, never the one just
 * written; other files are left alone.
 */
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { RETAINED_BUNDLES, pruneBundles } from '../../../runtime/bundle/job-bundle.js';

t.test('keeps the newest bundles and the one just written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bundles-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (let i = 0; i < 10; i++) {
    const p = join(dir, `b${i}.mjs`);
    writeFileSync(p, `export const x = ${i};`);
    utimesSync(p, 1000 + i, 1000 + i); // b9 newest
  }
  writeFileSync(join(dir, 'notes.txt'), 'not a bundle');
  const justWritten = join(dir, 'b0.mjs'); // the oldest by mtime, but the one being stored
  pruneBundles(dir, justWritten, 4);
  t.same(readdirSync(dir).sort(), ['b0.mjs', 'b6.mjs', 'b7.mjs', 'b8.mjs', 'b9.mjs', 'notes.txt']);
  t.ok(RETAINED_BUNDLES >= 8, 'the production limit keeps a working set');
});
