// Build: transpiles every TypeScript source of the project to dist/ with esbuild (no bundling, ESM,
// source maps). Type checking is `npm run typecheck`; this step only has to be fast and deterministic.
import { build } from 'esbuild';
import { readdirSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readBuildInfo } from './build-info.mjs';

const roots = ['runtime', 'operators', 'checkpoints', 'jobs', 'bench', 'test/support'];
const entryPoints = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts') && !p.endsWith('.test.ts')) entryPoints.push(p);
  }
}
for (const r of roots) {
  try {
    walk(r);
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
}
// Files are rewritten in place, so a build does not pull dist/ from under a test or cluster that is running;
// `--clean` starts from an empty dist/ (a clean clone has none anyway).
if (process.argv.includes('--clean')) rmSync('dist', { recursive: true, force: true });
// Build info for model lineage (runtime/config/build-info.ts), read once per build.
const buildInfo = readBuildInfo();
await build({
  define: { __SLUICE_BUILD__: JSON.stringify(buildInfo) },
  entryPoints,
  outdir: 'dist',
  outbase: '.',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
});
