/**
 * Flink's streaming examples, ported line by line (test/fixtures/flink-examples), run in-process as a
 * user runs them (the module's top-level `await env.execute()`), their printed output checked against
 * what an independent oracle computes from the same inputs — the checks Flink's example ITCases make.
 */
import t from 'tap';
import {
  incrementalLearningExpected,
  sessionWindowingExpected,
  sideOutputExpected,
  windowWordCountExpected,
  wordCountExpected,
} from '../../support/flink-example-oracles.js';

/** Runs a fixture module and returns the lines print() wrote (without the `N> ` subtask prefix). */
async function runPrinting(module: string): Promise<string[]> {
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
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

const sorted = (a: string[]) => [...a].sort();

t.test('WordCount: a running count per word, (word,1) … (word,n)', async (t) => {
  const lines = await runPrinting('word-count.ts');
  const expected = wordCountExpected();
  t.ok(expected.length > 250);
  t.same(sorted(lines), sorted(expected));
});

t.test('WindowWordCount: sliding count windows of 10 every 5 per word', async (t) => {
  const lines = await runPrinting('window-word-count.ts');
  const expected = windowWordCountExpected();
  t.ok(expected.length > 5);
  t.same(sorted(lines), sorted(expected));
});

t.test('SessionWindowing: event-time sessions (gap 3) from a legacy SourceFunction with watermarks', async (t) => {
  const lines = await runPrinting('session-windowing.ts');
  const expected = sessionWindowingExpected();
  t.equal(expected.length, 5);
  t.same(sorted(lines), sorted(expected));
});

t.test('SideOutputExample: long words to the side output, the rest counted in 5 s windows', async (t) => {
  const lines = await runPrinting('side-output-example.ts');
  const oracle = sideOutputExpected();
  const rejected = lines.filter((l) => l.startsWith('rejected: ')).map((l) => l.slice('rejected: '.length));
  t.same(sorted(rejected), sorted(oracle.rejected));
  // Ingestion time: a 5 s window boundary may fall inside the run, so a word's count may be split in two.
  const counted = new Map<string, number>();
  for (const l of lines.filter((l) => !l.startsWith('rejected: '))) {
    const m = /^\(([^,]+),(\d+)\)$/.exec(l);
    t.ok(m, `window output ${l} is a (word,count) tuple`);
    if (m) counted.set(m[1]!, (counted.get(m[1]!) ?? 0) + Number(m[2]));
  }
  t.same([...counted].sort(), [...oracle.counted].sort());
});

t.test('IncrementalLearningSkeleton: a 1 per 5 s model window, a 0 per prediction', async (t) => {
  const lines = await runPrinting('incremental-learning-skeleton.ts');
  const notice = 'Printing result to stdout. Use --output to specify output path.';
  t.equal(lines.filter((l) => l === notice).length, 1, 'main prints where the result goes');
  // In-process the default parallelism is 1: one LinearTimestamp counts all 8200 elements (17 windows).
  const expected = incrementalLearningExpected(1);
  t.equal(expected.length, 17 + 50, '8200 elements 10 ms apart span 17 windows of 5 s; 50 new-data elements');
  t.same(sorted(lines.filter((l) => l !== notice)), sorted(expected));
});
