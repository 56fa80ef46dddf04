/**
 * Benchmark 7, the chaos rows (`npm run bench -- --chaos [--seeds N]`): runs the seeded fault-injection
 * runner (`npm run chaos`, a separate process: bench code does not import test code) for N seeds and
 * reports seeds run per minute and faults survived, with the lost and duplicated totals the independent
 * checker found (the target is 0 of each).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './harness.js';

const RUNNER = fileURLToPath(new URL('../test/support/chaos/main.js', import.meta.url));

export function chaosRows(seeds: number): BenchResult[] {
  const r = spawnSync(process.execPath, [RUNNER, '--seeds', String(seeds)], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  process.stderr.write(r.stdout);
  const m =
    /summary: (\d+) seeds in ([\d.]+) min \(([\d.]+) seeds\/min\), (\d+) faults survived, lost=(\d+) duplicated=(\d+), failed seeds: (.*)/.exec(
      r.stdout,
    );
  if (!m) throw new Error(`the chaos runner printed no summary (exit ${r.status})`);
  const failed = m[7]!.trim();
  const note = `${m[1]} seeds, lost ${m[5]}, duplicated ${m[6]}, failed seeds: ${failed}`;
  return [
    {
      name: '7. chaos: seeds run per minute (keyed exactly-once job, 1–4 faults per seed)',
      value: Number(m[3]),
      unit: 'seeds/min',
      note,
    },
    {
      name: '7. chaos: faults survived with 0 lost / 0 duplicated',
      value: failed === 'none' ? Number(m[4]) : 0,
      unit: 'faults',
      note,
    },
    {
      name: '7. chaos: records lost + duplicated',
      value: Number(m[5]) + Number(m[6]),
      unit: 'records',
      target: { op: '<=', value: 0 },
    },
  ];
}
