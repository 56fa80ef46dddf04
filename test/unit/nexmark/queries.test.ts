/**
 * Each Nexmark query in-process at parallelism 2 against the from-scratch oracle (test/support/nexmark-
 * oracle.ts) on 20 000 events spanning 100 s of event time (10 tumbling and 50 sliding windows). q12's
 * processing-time windows depend on the run's speed, so for q12 the test checks what does not: each window's
 * bounds (aligned to 10 s) and each bidder's counts summed over the windows (the oracle's per-bidder total).
 */
import t from 'tap';
import {
  NexmarkGenerator,
  NexmarkSource,
  StreamExecutionEnvironment,
  WatermarkStrategy,
  nexmarkConfig,
} from '../../../runtime/exports/index.js';
import { QUERIES, QUERY_BUILDERS } from '../../../jobs/nexmark/queries.js';
import { oracle } from '../../support/nexmark-oracle.js';

const options = { events: 20_000, eventsPerSecond: 200 };
const gen = new NexmarkGenerator(nexmarkConfig(options));
const events = Array.from({ length: options.events }, (_, i) => gen.generate(i));
const canonical = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

for (const q of QUERIES) {
  t.test(`${q} equals the oracle`, async (t) => {
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
    const stream = env.fromSource(new NexmarkSource(options), WatermarkStrategy.forMonotonousTimestamps(), 'nexmark');
    const got = (await QUERY_BUILDERS[q](stream).executeAndCollect()) as { id: number; final: number }[];
    const want = oracle(q, events);
    if (q === 'q12') {
      // Processing-time windows: the rows depend on the run's speed; their bounds and per-bidder sums do not.
      const rows = got as unknown as { bidder: number; bid_count: number; starttime: number; endtime: number }[];
      const misaligned = rows.filter((r) => r.starttime % 10_000 !== 0 || r.endtime !== r.starttime + 10_000);
      t.same(misaligned, [], 'every window is aligned to 10 s and 10 s long');
      const pairs = new Set(rows.map((r) => `${r.bidder}@${r.starttime}`));
      t.equal(pairs.size, rows.length, 'one row per bidder and window');
      const sums = new Map<number, number>();
      for (const r of rows) sums.set(r.bidder, (sums.get(r.bidder) ?? 0) + r.bid_count);
      const perBidder = [...sums].map(([bidder, bid_count]) => ({ bidder, bid_count }));
      t.ok(want.length > 0, `the oracle has bidders (${want.length})`);
      t.same(canonical(perBidder), canonical(want), "each bidder's counts summed over the windows");
    } else if (q === 'q4') {
      // A changelog: the last update per category is the category's final average.
      const last = new Map<number, unknown>();
      for (const r of got) last.set(r.id, r);
      t.same(canonical([...last.values()]), canonical(want), 'final average per category');
      t.ok(got.length > want.length, 'intermediate updates were emitted too');
    } else {
      t.ok(want.length > 0, `the oracle has rows (${want.length})`);
      t.same(canonical(got), canonical(want));
    }
  });
}
