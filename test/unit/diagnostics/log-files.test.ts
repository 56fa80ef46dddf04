import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { listLogFiles, readLogFile } from '../../../runtime/diagnostics/log-files.js';
import { RotatingFile } from '../../../runtime/diagnostics/rotating-file.js';
import { isSluiceError } from '../../../runtime/errors/catalogue.js';

function dir(t: { teardown(f: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-logfiles-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

t.test('a rotating file keeps maxFiles old files and never splits a line', async (t) => {
  const d = dir(t);
  const f = new RotatingFile({ dir: d, name: 'p.log', maxFileBytes: 100, maxFiles: 2 });
  for (let i = 0; i < 20; i++) f.write(`line ${String(i).padStart(2, '0')} ${'x'.repeat(30)}\n`);
  f.close();
  t.same(readdirSync(d).sort(), ['p.log', 'p.log.1', 'p.log.2'], 'current file and two rotated ones');
  const lines = ['p.log.2', 'p.log.1', 'p.log'].flatMap((n) =>
    readFileSync(join(d, n), 'utf8').split('\n').filter(Boolean),
  );
  t.ok(
    lines.every((l) => /^line \d\d x{30}$/.test(l)),
    'whole lines only',
  );
  t.equal(lines[lines.length - 1], `line 19 ${'x'.repeat(30)}`, 'the newest line is in the current file');
  for (const n of ['p.log', 'p.log.1']) t.ok(readFileSync(join(d, n)).length <= 100, `${n} within the size`);
});

t.test('only plain names of this process are served', async (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'taskworker-7.log'), 'mine\n');
  writeFileSync(join(d, 'taskworker-8.log'), 'another process\n');
  writeFileSync(join(tmpdir(), 'sluice-outside.log'), 'outside\n');
  t.teardown(() => rmSync(join(tmpdir(), 'sluice-outside.log'), { force: true }));
  t.same(
    listLogFiles(d, 'taskworker-7').map((l) => l.name),
    ['taskworker-7.log'],
  );
  t.equal(readLogFile(d, 'taskworker-7', 'taskworker-7.log')?.toString(), 'mine\n');
  t.equal(readLogFile(d, 'taskworker-7', 'taskworker-8.log'), undefined, "another process's file is not listed");
  for (const bad of ['../sluice-outside.log', '/etc/passwd', '..', 'a/b', 'taskworker-7.log\0', 'x\\y']) {
    let status = 0;
    try {
      readLogFile(d, 'taskworker-7', bad);
    } catch (e) {
      status = isSluiceError(e) ? e.httpStatus : -1;
    }
    t.equal(status, 400, `"${bad}" refused with 400`);
  }
});
