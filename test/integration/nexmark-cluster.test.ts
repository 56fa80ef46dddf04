/**
 * Nexmark queries on real processes: jobs/nexmark/job.ts on one 2-worker cluster at parallelism 2, results
 * through the exactly-once FileSink, each equal to the from-scratch oracle. The stateful queries (joins,
 * keyed and all-window aggregations, q9's auction timers, q11's session windows) cross the keyed shuffle
 * between the workers. q12 (processing-time windows) has no oracle rows and is checked in-process only.
 */
import t from 'tap';
import { NexmarkGenerator, nexmarkConfig } from '../../runtime/exports/index.js';
import { oracle } from '../support/nexmark-oracle.js';
import { readPartLines, runCli, startCluster, tempDirs } from '../support/cluster-harness.js';

const EVENTS = 20_000;
const RATE = 200; // events per second of event time: 100 s, so windows close many times
const gen = new NexmarkGenerator(nexmarkConfig({ events: EVENTS, eventsPerSecond: RATE }));
const events = Array.from({ length: EVENTS }, (_, i) => gen.generate(i));
const canonical = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

t.test(
  'q4, q5, q8, q9 and q11 (keyed joins, windows and timers across the shuffle) on 2 workers equal the oracle',
  async (t) => {
    const c = await startCluster(t, { workers: 2 });
    for (const q of ['q4', 'q5', 'q8', 'q9', 'q11']) {
      const [out] = tempDirs(t, `sluice-nexmark-${q}-`);
      const r = await runCli(t, [
        'run',
        '-m',
        c.restUrl,
        '-p',
        '2',
        'jobs/nexmark/job.ts',
        q,
        `${EVENTS}`,
        `${RATE}`,
        '0',
        '--out',
        out!,
      ]);
      t.equal(r.code, 0, `${q} finished: ${r.stderr}`);
      const got = readPartLines(out!).map((l) => JSON.parse(l) as { id: number });
      const want = oracle(q, events);
      if (q === 'q4') {
        const last = new Map<number, unknown>();
        for (const row of got) last.set(row.id, row);
        t.same(canonical([...last.values()]), canonical(want), 'q4: the last update per category is its final average');
      } else {
        t.ok(want.length > 0, `${q}: the oracle has rows`);
        t.same(canonical(got), canonical(want), `${q}: exactly the oracle's rows`);
      }
    }
  },
);

t.test('an unknown query or a bad option fails at submission with the reason', async (t) => {
  const c = await startCluster(t, { workers: 1 });
  const bad = await runCli(t, ['run', '-m', c.restUrl, 'jobs/nexmark/job.ts', 'q6']);
  t.not(bad.code, 0);
  t.match(
    bad.stderr + bad.stdout,
    /unknown Nexmark query "q6"; sluice implements q0, q1, q2, q3, q4, q5, q7, q8, q9, q11, q12/,
  );
  const rate = await runCli(t, ['run', '-m', c.restUrl, 'jobs/nexmark/job.ts', 'q0', '1000', '-5']);
  t.not(rate.code, 0);
  t.match(rate.stderr + rate.stdout, /eventsPerSecond = -5 must be a positive number/);
});
