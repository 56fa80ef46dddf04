// Build of the unit tier: transpiles the sources and the tests (everything but test/integration) to
// dist/unit/ with esbuild, file by file as scripts/build.mjs does, so that `npm run test:unit` runs plain
// JavaScript: a test process then loads no TypeScript loader (tsx cost each unit file about a CPU-second
// of module loading). Invariants: the layout mirrors the repository (dist/unit/test/unit/x.test.js imports
// dist/unit/runtime/…), so relative imports and `import.meta.url` lookups of neighbouring files behave as
// in the source tree; every other file of those folders (JSON, PMML, fixtures' data) is copied next to
// them; no `__SLUICE_BUILD__` stamp, so this code reports itself unbuilt like the sources; linked source
// maps (tap runs the files with --enable-source-maps) point stack traces and `t` locations at the .ts lines.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
