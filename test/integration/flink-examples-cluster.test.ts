/**
 * Flink's ported examples on a 2-worker cluster, run as a Flink user runs them (`sluice run -m … -p 2 <module>
 * <args>`): the program's main runs in the client, print() writes on the task workers' stdout, and those
 * lines — the workers' output minus their log lines — must equal the independent oracle's. Also: print
 * output is visible through REST `/taskmanagers/:id/stdout`, and `executeAndCollect()` on the cluster
 * returns every record to the client, with the code around `execute()` run once, in the client only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  asyncIoExpected,
  incrementalLearningExpected,
  carData,
  carLine,
  joinInput,
  scoredLine,
  sessionWindowingExpected,
  sideOutputExpected,
  sorted,
  stateMachineExpected,
  topSpeedExpected,
  windowJoinExpected,
  windowWordCountExpected,
  wordCountExpected,
} from '../support/flink-example-oracles.js';
import { runCli, sharedCluster, tempDirs, type TestCluster } from '../support/cluster-harness.js';

const cluster = sharedCluster(t, { workers: 2, slots: 2 });
const [dir] = tempDirs(t, 'flink-examples-cluster');

/** A log line of a cluster process (timestamped, JSON, or Node's warnings), not program output. */
const isLog = (l: string) => /^\d{4}-\d\d-\d\dT/.test(l) || l.startsWith('{') || /^\(node:\d+\)|^\(Use `node/.test(l);

/** Runs an example on the cluster; resolves with what print() wrote on the workers (subtask prefixes dropped). */
async function runExample(t: Test, c: TestCluster, module: string, args: string[] = []): Promise<string[]> {
  const from = c.lines.length;
  const r = await runCli(t, ['run', '-m', c.restUrl, '-p', '2', `test/fixtures/flink-examples/${module}`, ...args]);
  t.equal(r.code, 0, r.code === 0 ? `${module} ran` : `${module} failed: ${r.stderr.slice(-2000)}`);
  t.match(r.stdout, /Job with JobID [0-9a-f]{32} has finished\./);
  // The job is FINISHED when the CLI returns; the workers' last lines travel through their pipes meanwhile.
  const jobId = /JobID ([0-9a-f]{32})/.exec(r.stdout)![1]!;
  await c.rest.waitForTerminal(jobId, 10_000);
  return c.lines
    .slice(from)
    .filter((l) => l.length > 0 && !isLog(l))
    .map((l) => l.replace(/^\d+> /, ''));
}

/** Waits until `expectedCount` output lines have arrived (pipes drain after the CLI returns). */
async function settled(c: TestCluster, module: string, args: string[], t: Test, expectedCount: number) {
  const from = c.lines.length;
  const lines = await runExample(t, c, module, args);
  const deadline = Date.now() + 10_000;
  let got = lines;
  while (got.length < expectedCount && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    got = c.lines
      .slice(from)
      .filter((l) => l.length > 0 && !isLog(l))
      .map((l) => l.replace(/^\d+> /, ''));
  }
  return got;
}

t.test('WordCount, WindowWordCount and SessionWindowing on 2 workers', async (t) => {
  const c = await cluster();
  for (const [module, expected] of [
    ['word-count.ts', wordCountExpected()],
    ['window-word-count.ts', windowWordCountExpected()],
    ['session-windowing.ts', sessionWindowingExpected()],
  ] as const) {
    const lines = await settled(c, module, [], t, expected.length);
    t.same(sorted(lines), sorted(expected), module);
  }
});

t.test('SideOutputExample on 2 workers: long words on the side output, the rest counted', async (t) => {
  const c = await cluster();
  const { rejected, counted } = sideOutputExpected();
  const lines = await settled(c, 'side-output-example.ts', [], t, rejected.length + counted.size);
  t.same(sorted(lines.filter((l) => l.startsWith('rejected: ')).map((l) => l.slice(10))), sorted(rejected));
  const got = new Map<string, number>();
  for (const l of lines.filter((l) => !l.startsWith('rejected: '))) {
    const m = /^\(([^,]+),(\d+)\)$/.exec(l);
    t.ok(m, `window output ${l} is a (word,count) tuple`);
    if (m) got.set(m[1]!, (got.get(m[1]!) ?? 0) + Number(m[2]));
  }
  t.same([...got].sort(), [...counted].sort());
});

t.test('TopSpeedWindowing and WindowJoin on 2 workers, from files', async (t) => {
  const c = await cluster();
  const cars = carData(3, 250);
  const input = join(dir!, 'cars.txt');
  writeFileSync(input, cars.map(carLine).join('\n') + '\n');
  const top = topSpeedExpected(cars);
  t.same(sorted(await settled(c, 'top-speed-windowing.ts', ['--input', input], t, top.length)), sorted(top));

  const grades = joinInput(300, 5, 3);
  const salaries = joinInput(300, 10000, 4);
  const g = join(dir!, 'grades.txt');
  const s = join(dir!, 'salaries.txt');
  writeFileSync(g, grades.map(scoredLine).join('\n') + '\n');
  writeFileSync(s, salaries.map(scoredLine).join('\n') + '\n');
  const joined = windowJoinExpected(grades, salaries);
  const lines = await settled(c, 'window-join.ts', ['--grades', g, '--salaries', s], t, joined.length);
  t.same(sorted(lines), sorted(joined));
});

t.test('StateMachineExample and AsyncIOExample on 2 workers', async (t) => {
  const c = await cluster();
  const alerts = stateMachineExpected(2, 3000, 0.2);
  const smArgs = ['--parallelism', '2', '--events', '3000', '--error-rate', '0.2'];
  t.same(sorted(await settled(c, 'state-machine-example.ts', smArgs, t, alerts.length)), sorted(alerts));

  const counts = asyncIoExpected(400);
  const args = ['--maxCount', '400', '--sleepFactor', '20', '--failRatio', '0', '--waitMode', 'unordered'];
  const lines = await settled(c, 'async-io-example.ts', [...args, '--waitOperatorParallelism', '2'], t, counts.length);
  t.same(sorted(lines), sorted(counts));

  // print() wrote on the workers' stdout, which REST serves per task manager.
  const tms = await c.rest.call<{ taskmanagers: Array<{ id: string }> }>('GET', '/taskmanagers');
  let stdout = '';
  for (const tm of tms.taskmanagers)
    stdout += await fetch(`${c.restUrl}/taskmanagers/${encodeURIComponent(tm.id)}/stdout`).then((r) => r.text());
  t.ok(
    counts.some((l) => stdout.includes(l)),
    'a printed count is in the task managers stdout files',
  );
});

t.test('IncrementalLearningSkeleton on 2 workers: a 1 per model window, a 0 per prediction', async (t) => {
  const c = await cluster();
  // -p 2: two LinearTimestamp instances count 4100 elements each, so the models cover 9 windows, not 17.
  const expected = incrementalLearningExpected(2);
  t.equal(expected.length, 9 + 50);
  t.same(sorted(await settled(c, 'incremental-learning-skeleton.ts', [], t, expected.length)), sorted(expected));
});

t.test('executeAndCollect on the cluster: every record comes back; main runs once, in the client', async (t) => {
  const c = await cluster();
  const from = c.lines.length;
  const r = await runCli(t, ['run', '-m', c.restUrl, 'test/fixtures/client/collect-job.ts', '--records', '20000']);
  t.equal(r.code, 0, r.code === 0 ? 'the collect job ran' : r.stderr.slice(-2000));
  t.equal(r.stdout.split('BANNER: building the collect job').length - 1, 1, 'the banner prints once');
  t.equal(r.stdout.split('AFTER EXECUTE:').length - 1, 1, 'code after execute runs once');
  t.match(r.stdout, /AFTER EXECUTE: collected 20000 records/);
  const json = /^RESULTS (.*)$/m.exec(r.stdout)?.[1];
  const got = (JSON.parse(json ?? '[]') as number[]).sort((a, b) => a - b);
  const expected = Array.from({ length: 20000 }, (_, i) => (i + 1) * 2 + 1);
  t.same(got, expected, 'every record, once');
  t.notOk(
    c.lines.slice(from).some((l) => l.includes('BANNER') || l.includes('AFTER EXECUTE')),
    'the job manager and workers rebuilt the graph without the program output',
  );
});
