import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildInfo, codeVersion } from '../../../runtime/config/build-info.js';

/** scripts/build-info.mjs's readBuildInfo(dir), run as the build runs it (a plain node process). */
function readBuildInfo(dir: string): { version: string; commit: string; dirty: boolean } {
  const script = `import(${JSON.stringify(join(process.cwd(), 'scripts/build-info.mjs'))}).then((m) => console.log(JSON.stringify(m.readBuildInfo(${JSON.stringify(dir)}))))`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

t.test('the build stamps the package version and the git commit of the tree it builds', async (t) => {
  const info = readBuildInfo('.');
  t.equal(info.version, JSON.parse(readFileSync('package.json', 'utf8')).version);
  t.equal(info.commit, execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim());
});

t.test('outside a git clone the commit is unknown, not guessed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-buildinfo-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '9.8.7' }));
  t.same(readBuildInfo(dir), { version: '9.8.7', commit: 'unknown', dirty: false });
});

t.test('built code reports the stamp; the sources report that they are unbuilt', async (t) => {
  t.same(buildInfo(), { version: 'unbuilt', commit: 'unbuilt', dirty: false });
  t.equal(codeVersion(), 'sluice@unbuilt+unbuilt');
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
  const built = readBuildInfo('.');
  const out = execFileSync(
    process.execPath,
    ['-e', "import('./dist/runtime/config/build-info.js').then((m) => console.log(m.codeVersion()))"],
    { encoding: 'utf8' },
  ).trim();
  t.equal(out, `sluice@${built.version}+${built.commit}${built.dirty ? '.dirty' : ''}`);
});
