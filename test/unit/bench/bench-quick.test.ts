// Keeps the benchmark harness working: `npm run bench -- --quick` runs every benchmark at small sizes and
// prints the table (it does not write BENCHMARKS.md in quick mode).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

t.test('bench --quick runs and prints measured rows', async (t) => {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const r = spawnSync(process.execPath, ['dist/bench/run.js', '--quick'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /\| benchmark \| result \| target \| status \| note \|/);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('| local pipeline'));
  t.equal(rows.length, 2);
  for (const row of rows) t.match(row, /\| [\d,]+ records\/s \|/);
});
