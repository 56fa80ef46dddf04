/**
 * Flink's TopSpeedWindowing, WindowJoin, state machine and async I/O examples, ported line by line
 * (test/fixtures/flink-examples), run in-process as a user runs them (the module's top-level
 * `await env.execute()` with program arguments), their printed lines checked against the independent
 * answers of test/support/flink-example-oracles.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { setJobArgs } from '../../../runtime/bundle/job-args.js';
import {
  asyncIoExpected,
  carData,
  carLine,
  joinInput,
  scoredLine,
  sorted,
  stateMachineExpected,
  topSpeedExpected,
  windowJoinExpected,
} from '../../support/flink-example-oracles.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-flink-examples-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a fixture module with program arguments and returns what print() wrote (without `N> ` prefixes). */
async function runPrinting(module: string, args: string[]): Promise<string[]> {
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  setJobArgs(args);
  try {
    // By its .js name: tsx maps it to the .ts source, and the unit tier's build (dist/unit) has the .js.
    await import(`../../fixtures/flink-examples/${module.replace(/\.ts$/, '.js')}`);
  } finally {
    process.stdout.write = write;
  }
  return out
    .join('')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.replace(/^\d+> /, ''));
}

t.test('TopSpeedWindowing: global windows, 10 s time evictor, 50 m delta trigger, maxBy speed', async (t) => {
  const cars = carData(3, 250);
  const input = join(dir, 'cars.txt');
  writeFileSync(input, cars.map(carLine).join('\n') + '\n');
  const lines = await runPrinting('top-speed-windowing.ts', ['--input', input]);
  const expected = topSpeedExpected(cars);
  t.ok(expected.length > 60, `${expected.length} firings`);
  t.same(sorted(lines), sorted(expected));
});

t.test('WindowJoin: grades and salaries joined by name over 5 ms tumbling windows', async (t) => {
  const grades = joinInput(300, 5, 3);
  const salaries = joinInput(300, 10000, 4);
  const g = join(dir, 'grades.txt');
  const s = join(dir, 'salaries.txt');
  writeFileSync(g, grades.map(scoredLine).join('\n') + '\n');
  writeFileSync(s, salaries.map(scoredLine).join('\n') + '\n');
  const lines = await runPrinting('window-join.ts', ['--grades', g, '--salaries', s]);
  const expected = windowJoinExpected(grades, salaries);
  t.ok(expected.length > 30, `${expected.length} joined pairs`);
  t.same(sorted(lines), sorted(expected));
});

t.test('StateMachineExample: an alert for each invalid transition, per address', async (t) => {
  const lines = await runPrinting('state-machine-example.ts', [
    '--parallelism',
    '2',
    '--events',
    '3000',
    '--error-rate',
    '0.2',
  ]);
  const expected = stateMachineExpected(2, 3000, 0.2);
  t.ok(expected.length > 100, `${expected.length} alerts`);
  t.same(sorted(lines), sorted(expected));
});

t.test('AsyncIOExample: unordered async I/O through a RichAsyncFunction, then a count per key', async (t) => {
  const lines = await runPrinting('async-io-example.ts', [
    '--maxCount',
    '400',
    '--sleepFactor',
    '20',
    '--failRatio',
    '0',
    '--waitMode',
    'unordered',
    '--waitOperatorParallelism',
    '2',
  ]);
  t.same(sorted(lines), sorted(asyncIoExpected(400)));
});
