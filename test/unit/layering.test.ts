// The layering rules themselves: the allowed-imports table (scripts/layers.cjs) is acyclic and covers every
// subfolder, and dependency-cruiser with the project's rule set (.dependency-cruiser.cjs) reports each kind of
// violation, by rule name and file, on a small fixture tree written to a temporary directory.
import t from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';

// The rules are read from the repository (cwd), also when this file runs compiled from dist/unit.
const require = createRequire(import.meta.url);
const { LAYERS } = require(join(process.cwd(), 'scripts/layers.cjs')) as { LAYERS: Record<string, string[]> };
const config = require(join(process.cwd(), '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[];
  options: { enhancedResolveOptions: Record<string, unknown> };
};

t.test('the layer table is a DAG', async (t) => {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycle: string[] = [];
  const visit = (layer: string, path: string[]): boolean => {
    if (state.get(layer) === 'done') return false;
    if (state.get(layer) === 'visiting') {
      cycle.push(...path.slice(path.indexOf(layer)), layer);
      return true;
    }
    state.set(layer, 'visiting');
    for (const dep of LAYERS[layer] ?? []) if (visit(dep, [...path, layer])) return true;
    state.set(layer, 'done');
    return false;
  };
  for (const layer of Object.keys(LAYERS)) visit(layer, []);
  t.same(cycle, [], 'no layer reaches itself through the table');
  const unknown = Object.values(LAYERS)
    .flat()
    .filter((l) => !(l in LAYERS));
  t.same(unknown, [], 'every allowed layer has its own row');
});

t.test('every subfolder of runtime/ and operators/, and checkpoints/, has a row', async (t) => {
  const root = process.cwd();
  const folders = ['runtime', 'operators'].flatMap((top) =>
    readdirSync(join(root, top))
      .filter((n) => statSync(join(root, top, n)).isDirectory())
      .map((n) => `${top}/${n}`),
  );
  t.same(
    [...folders, 'checkpoints'].filter((f) => !(f in LAYERS)),
    [],
  );
});

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

async function violations(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-layering-'));
  try {
    writeTree(dir, files);
    const roots = [...new Set(Object.keys(files).map((p) => p.split('/')[0]!))];
    const out = await cruise(
      roots,
      {
        baseDir: dir,
        validate: true,
        ruleSet: { forbidden: config.forbidden },
        tsPreCompilationDeps: true,
        outputType: 'json',
      },
      { ...config.options.enhancedResolveOptions, extensions: ['.ts'] } as never,
    );
    const result = (typeof out.output === 'string' ? JSON.parse(out.output) : out.output) as ICruiseResult;
    return result.summary.violations.map((v) => `${v.rule.name} ${v.from}`).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('a clean tree passes', async (t) => {
  const found = await violations({
    'runtime/api/contract.ts': 'export interface Contract { run(): void }\n',
    'runtime/task/runner.ts':
      "import type { Contract } from '../api/contract';\nexport const run = (c: Contract) => c.run();\n",
  });
  t.same(found, []);
});

t.test('each rule catches its violation, by name and file', async (t) => {
  const found = await violations({
    // a lower layer importing a higher one
    'runtime/api/contract.ts': "import { run } from '../task/runner';\nexport const x = run;\n",
    'runtime/task/runner.ts': 'export const run = 1;\n',
    // a file-level cycle (reported once, at the file where dependency-cruiser enters it)
    'operators/core/a.ts': "import { b } from './b';\nexport const a = b;\n",
    'operators/core/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
    // a job reaching past the public package
    'jobs/demo/job.ts': "import { run } from '../../runtime/task/runner';\nexport default run;\n",
    // nondeterminism outside runtime/platform
    'operators/sinks/io.ts': "import { writeFileSync } from 'node:fs';\nexport const w = writeFileSync;\n",
    // product code importing test support
    'runtime/state/uses-test.ts': "import { h } from '../../test/support/helper';\nexport const s = h;\n",
    'test/support/helper.ts': 'export const h = 1;\n',
  });
  t.same(found, [
    'jobs-public-package-only jobs/demo/job.ts',
    'layer:runtime/api runtime/api/contract.ts',
    'layer:runtime/state runtime/state/uses-test.ts',
    'no-circular operators/core/a.ts',
    'nondeterminism-through-platform operators/sinks/io.ts',
    'not-to-test runtime/state/uses-test.ts',
  ]);
});
