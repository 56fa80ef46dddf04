/**
 * The Node flags cluster processes start with (runtime/cli/node-flags.ts): a task worker gets the larger
 * young generation unless the operator set one in NODE_OPTIONS; other roles get nothing; and the flag is one
 * Node accepts and V8 applies (a child started with it reports the larger new space).
 */
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { TASK_WORKER_SEMI_SPACE_MIB, nodeFlagsFor } from '../../../runtime/cli/node-flags.js';

t.test('a task worker gets the semi-space flag; the job manager and unknown roles none', async (t) => {
  t.same(nodeFlagsFor('taskworker', {}), [`--max-semi-space-size=${TASK_WORKER_SEMI_SPACE_MIB}`]);
  t.same(nodeFlagsFor('jobmanager', {}), []);
  t.same(nodeFlagsFor(undefined, {}), []);
});

t.test("the operator's --max-semi-space-size in NODE_OPTIONS wins", async (t) => {
  t.same(nodeFlagsFor('taskworker', { NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=8' }), []);
  t.same(nodeFlagsFor('taskworker', { NODE_OPTIONS: '--enable-source-maps' }).length, 1);
});

t.test('V8 grows the new space beyond its default under the flag', async (t) => {
  // Survivors keep the young generation growing to its maximum; the default maximum is 2 × 16 MiB.
  const probe = `
    let keep = [];
    for (let i = 0; i < 1.2e6; i++) { keep.push({ a: i, b: [i] }); if (keep.length > 400000) keep = []; }
    const ns = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(ns.space_size));`;
  const run = (flags: string[]) => {
    const r = spawnSync(process.execPath, [...flags, '-e', probe], { encoding: 'utf8', env: {} });
    t.equal(r.status, 0, r.stderr);
    return Number(r.stdout) / 2 ** 20;
  };
  const withDefault = run([]);
  const withFlag = run(nodeFlagsFor('taskworker', {}));
  t.ok(withDefault <= 32, `default new space ${withDefault} MiB`);
  t.ok(withFlag > withDefault, `with the flag ${withFlag} MiB, more than the default ${withDefault} MiB`);
});
