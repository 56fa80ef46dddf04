// Build of the unit tier: transpiles the sources and the tests (everything but test/integration) to
// dist/unit/ with esbuild, file by file as scripts/build.mjs does, so that `npm run test:unit` runs plain
// JavaScript: a test process then loads no TypeScript loader (tsx cost each unit file about a CPU-second
// of module loading). Invariants: the layout mirrors the repository (dist/unit/test/unit/x.test.js imports
// dist/unit/runtime/…), so relative imports and `import.meta.url` lookups of neighbouring files behave as
// in the source tree; every other file of those folders (JSON, PMML, fixtures' data) is copied next to
// them; no `__SLUICE_BUILD__` stamp, so this code reports itself unbuilt like the sources; linked source
// maps (tap runs the files with --enable-source-maps) point stack traces and `t` locations at the .ts lines.
// Then the groups (scripts/unit-groups.mjs): a compiled test file's `import t from "tap"` is pointed at
// test/support/unit-group/file-scope.js (tap's root `t` when the file runs alone, its file's subtest in a
// group), and dist/unit/groups/<name>.test.js runs a group's files in one process, which is what
// `npm run test:unit` gives tap. `--seed N` plans shuffled groups instead (other neighbours, another order).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { planGroups } from './unit-groups.mjs';

const outdir = 'dist/unit';
const roots = ['runtime', 'operators', 'checkpoints', 'jobs', 'bench', 'test'];
const skip = new Set(['test/integration']);
const entryPoints = [];
const assets = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (skip.has(p)) continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) entryPoints.push(p);
    else if (!p.endsWith('.md')) assets.push(p);
  }
}
for (const r of roots) walk(r);
// A clean tree each time: a test deleted from test/unit must not keep running from an old build.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints,
  outdir,
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
for (const a of assets) {
  mkdirSync(dirname(join(outdir, a)), { recursive: true });
  copyFileSync(a, join(outdir, a));
}

// Imports the mirror resolves to itself. `sluice` and `sluice/x` (job modules and fixtures import the package
// by name) point at the mirror's own runtime, not dist/: one process then holds one copy of the runtime, whose
// module-level registrations (msgpack's tuple extension, warn-once keys) a second copy would replace for every
// later file of a group. A test file's only import of tap must be the default `t`, pointed at the file scope
// (the stand-in for nothing else: a named import would reach tap's root and escape the file's subtest, so the
// build refuses it).
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const fileScope = join(outdir, 'test/support/unit-group/file-scope.js');
const importPath = (from, to) => {
  const r = relative(dirname(from), to);
  return JSON.stringify(r.startsWith('.') ? r : `./${r}`);
};
const selfTarget = (specifier) => {
  const entry = pkg.exports[specifier === 'sluice' ? '.' : `.${specifier.slice('sluice'.length)}`];
  if (!entry?.default) throw new Error(`no export of the package for ${specifier}`);
  return join(outdir, entry.default.replace(/^\.\/dist\//, ''));
};
for (const src of entryPoints) {
  const out = join(outdir, src.replace(/\.ts$/, '.js'));
  let code = readFileSync(out, 'utf8');
  const original = code;
  code = code.replace(
    /(\bfrom |\bimport\()"(sluice(?:\/[\w-]+)?)"/g,
    (_m, lead, spec) => lead + importPath(out, selfTarget(spec)),
  );
  if (src.startsWith('test/unit/')) {
    const imports = code.match(/^import [^;]*from "tap";$/gm) ?? [];
    if (imports.length > 1 || (imports.length === 1 && !/^import \w+ from "tap";$/.test(imports[0])))
      throw new Error(
        `${src}: import only tap's default export (\`import t from 'tap'\`), found: ${imports.join(' ')}`,
      );
    if (imports.length === 1) code = code.replace(imports[0], imports[0].replace('"tap"', importPath(out, fileScope)));
  }
  if (code !== original) writeFileSync(out, code);
}
const testFiles = entryPoints.filter((p) => p.startsWith('test/unit/') && p.endsWith('.test.ts'));

const seedArg = process.argv.indexOf('--seed');
const seed = seedArg < 0 ? undefined : Number(process.argv[seedArg + 1]);
if (seed !== undefined && !Number.isInteger(seed)) throw new Error('--seed takes an integer');
// The per-file timeout of a file in a group: tap's `timeout` (seconds per process) of package.json.
const fileTimeoutMs = pkg.tap.timeout * 1000;
mkdirSync(join(outdir, 'groups'), { recursive: true });
for (const group of planGroups(testFiles, { seed })) {
  const lines = group.files.map(
    (f) =>
      `  { name: ${JSON.stringify(f)}, load: () => import(${JSON.stringify(`../${f.replace(/\.ts$/, '.js')}`)}) },`,
  );
  writeFileSync(
    join(outdir, 'groups', `${group.name}.test.js`),
    `// Generated by scripts/build-unit-tests.mjs: ${group.files.length} unit test files in one process.\n` +
      `import { runFiles } from '../test/support/unit-group/run-files.js';\n` +
      `runFiles([\n${lines.join('\n')}\n], ${fileTimeoutMs});\n`,
  );
}
