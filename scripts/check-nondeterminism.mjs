// Nondeterminism check for what Biome's noRestrictedGlobals cannot express: `Date.now()`, `new Date()` without
// arguments and `Math.random()` outside runtime/platform (and outside test/, bench/, scripts/). Part of
// `npm run lint:deps`; prints `rule file:line: code` per finding and exits 1 when there is one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = ['runtime', 'operators', 'checkpoints', 'jobs'];
const ALLOWED = /^runtime\/platform\//;
const CHECKS = [
  { rule: 'clock-through-platform', re: /\bDate\.now\s*\(/, use: 'platform.clock.nowMs()' },
  { rule: 'clock-through-platform', re: /\bnew Date\s*\(\s*\)/, use: 'new Date(platform.clock.nowMs())' },
  { rule: 'random-through-platform', re: /\bMath\.random\s*\(/, use: 'platform.random (seeded or crypto)' },
];

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* sources(p);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !p.startsWith('runtime/rest/dashboard/')) yield p;
  }
}

const findings = [];
for (const root of ROOTS)
  for (const file of sources(root)) {
    if (ALLOWED.test(file)) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
        for (const c of CHECKS)
          if (c.re.test(code)) findings.push(`  error ${c.rule}: ${file}:${i + 1}: ${line.trim()} (use ${c.use})`);
      });
  }
if (findings.length) {
  console.error(findings.join('\n'));
  console.error(
    `\nx ${findings.length} nondeterminism violation(s): reach clocks and randomness through runtime/platform`,
  );
  process.exit(1);
}
console.log('✔ no clock or randomness outside runtime/platform');
