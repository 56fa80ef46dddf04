/**
 * Event time on real processes: 100 000 seeded out-of-order events over 25 keys through tumbling,
 * sliding and session windows with allowed lateness on a 2-worker cluster. Every firing (on time and late
 * re-firings) equals the from-scratch oracle, the last firing of every tumbling window equals a plain
 * GROUP BY over the accepted events, and the late side outputs hold exactly the events the oracle calls late.
 */
import t from 'tap';
import {
  BOUND_MS,
  LATENESS_MS,
  SESSION_GAP_MS,
  SLIDE_MS,
  SLIDE_SIZE_MS,
  TUMBLE_MS,
  eventAt,
} from '../fixtures/event-time-events.js';
import { readPartLines, runCli, startCluster, tempDirs } from '../support/cluster-harness.js';
import { batchWindows, windowOracle, type OracleResult } from '../support/event-time-oracle.js';

const COUNT = 100_000;
const SEED = 7;

const committedLines = readPartLines;
const sorted = (xs: string[]) => [...xs].sort();

t.test('windows with lateness on 2 workers equal the oracle; late side outputs are exact', async (t) => {
  const events = Array.from({ length: COUNT }, (_, i) => eventAt(SEED, i));
  const oracle: Record<string, OracleResult> = {
    tumbling: windowOracle('tumbling', events, BOUND_MS, LATENESS_MS, { kind: 'tumbling', sizeMs: TUMBLE_MS }),
    sliding: windowOracle('sliding', events, BOUND_MS, LATENESS_MS, {
      kind: 'sliding',
      sizeMs: SLIDE_SIZE_MS,
      slideMs: SLIDE_MS,
    }),
    session: windowOracle('session', events, BOUND_MS, LATENESS_MS, { kind: 'session', gapMs: SESSION_GAP_MS }),
  };
  // the data must exercise every path, or the comparison proves little
  for (const [kind, o] of Object.entries(oracle)) {
    t.ok(o.late.length > 100, `${kind}: the oracle calls ${o.late.length} events late`);
    const perWindow = new Map<string, number>();
    for (const f of o.fires)
      perWindow.set(f.split(',').slice(1, 4).join(), (perWindow.get(f.split(',').slice(1, 4).join()) ?? 0) + 1);
    t.ok([...perWindow.values()].filter((n) => n > 1).length > 100, `${kind}: windows that re-fire for late elements`);
  }

  const [out] = tempDirs(t, 'event-time-out');
  const c = await startCluster(t, { workers: 2 });
  const r = await runCli(
    t,
    ['run', '-m', c.restUrl, '-p', '2', 'test/fixtures/job-event-time-oracle.ts', out!, String(COUNT), String(SEED)],
    300_000,
  );
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /Job with JobID [0-9a-f]{32} has finished\./);

  const lines = committedLines(out!);
  for (const kind of ['tumbling', 'sliding', 'session']) {
    const fires = lines.filter((l) => l.startsWith(`${kind},`));
    const late = lines.filter((l) => l.startsWith(`late-${kind},`));
    t.equal(fires.length, oracle[kind]!.fires.length, `${kind}: number of firings`);
    t.same(sorted(fires), sorted(oracle[kind]!.fires), `${kind}: every firing (window, count, sum) as the oracle`);
    t.same(sorted(late), sorted(oracle[kind]!.late), `${kind}: late side output holds exactly the late events`);
  }

  // Tumbling: each window's last firing holds the GROUP BY of the events that were not late.
  const lateIds = new Set(oracle.tumbling!.late.map((l) => Number(l.split(',')[2])));
  const batch = batchWindows('tumbling', events, lateIds, { kind: 'tumbling', sizeMs: TUMBLE_MS });
  const last = new Map<string, { count: number; value: string }>();
  for (const l of lines.filter((x) => x.startsWith('tumbling,'))) {
    const p = l.split(',');
    const id = p.slice(0, 4).join();
    const count = Number(p[4]);
    if ((last.get(id)?.count ?? -1) < count) last.set(id, { count, value: `${p[4]},${p[5]}` });
  }
  t.equal(last.size, batch.size, 'one result per (key, window)');
  let mismatches = 0;
  for (const [id, v] of batch) if (last.get(id)?.value !== v) mismatches++;
  t.equal(mismatches, 0, 'final tumbling results equal the batch GROUP BY');
});
