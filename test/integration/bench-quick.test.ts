// Keeps the benchmark harness working: `npm run bench -- --quick` runs every benchmark at small sizes and
// prints the table (it does not write BENCHMARKS.md in quick mode).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

t.test('bench --quick runs and prints measured rows', async (t) => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const r = spawnSync(process.execPath, ['dist/bench/run.js', '--quick'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 150_000,
  });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /\| benchmark \| result \| target \| status \| note \|/);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('| local pipeline'));
  t.equal(rows.length, 2);
  for (const row of rows) t.match(row, /\| [\d,]+ records\/s \|/);
  for (const n of [1, 2, 3, 4, 5, 6])
    t.ok(
      r.stdout.split('\n').some((l) => l.startsWith(`| ${n}. `)),
      `benchmark ${n} reported`,
    );
  t.match(
    r.stdout,
    /\| 1\. scoring pipeline .* \| [\d,]+ records\/s \| >= 1,000,000 \| (met|\*\*missed\*\*) \|/,
    'targets compared in the table',
  );
});
