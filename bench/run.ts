/**
 * `npm run bench [-- --quick]`: runs every benchmark in one invocation, prints the table and appends it
 * to BENCHMARKS.md. `--quick` (used by the test suite to keep the harness working) runs small sizes and
 * does not write BENCHMARKS.md unless `--write` is given.
 */
import { appendReport, header, table, type BenchResult } from './harness.js';
import { pipelineLocal } from './pipeline-local.js';

const quick = process.argv.includes('--quick');
const write = !quick || process.argv.includes('--write');
const results: BenchResult[] = [];

results.push(await pipelineLocal(quick ? 20_000 : 2_000_000, 1));
results.push(await pipelineLocal(quick ? 20_000 : 2_000_000, 2));

const text = `${header(`npm run bench${quick ? ' -- --quick' : ''}`)}\n${table(results)}`;
process.stdout.write(text + '\n');
if (write) appendReport('BENCHMARKS.md', text);
