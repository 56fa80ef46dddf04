import t from 'tap';
import { readFileSync } from 'node:fs';
import { EventTimeSessionWindows, SlidingEventTimeWindows, TimeWindow, TumblingEventTimeWindows } from '../../../operators/windows/time-window.js';

interface Case {
  kind: 'tumbling' | 'sliding';
  t: number;
  size: number;
  off?: number;
  slide?: number;
  window?: [number, number];
  maxTimestamp?: number;
  windows?: Array<[number, number]>;
}
const vectors = JSON.parse(readFileSync(new URL('../../../../shared/flink-reference/window-assignment-test-vectors.json', import.meta.url), 'utf8')) as { cases: Case[] };

t.test('every case of window-assignment-test-vectors.json', async (t) => {
  t.ok(vectors.cases.length > 10);
  for (const c of vectors.cases) {
    if (c.kind === 'tumbling') {
      const [w] = TumblingEventTimeWindows.of(c.size, c.off ?? 0).assignWindows(c.t);
      t.same([w!.start, w!.end], c.window, `tumbling t=${c.t} size=${c.size} off=${c.off}`);
      t.equal(w!.maxTimestamp(), c.maxTimestamp);
    } else {
      const ws = SlidingEventTimeWindows.of(c.size, c.slide!, c.off ?? 0).assignWindows(c.t);
      t.same(ws.map((w) => [w.start, w.end]), c.windows, `sliding t=${c.t} size=${c.size} slide=${c.slide} off=${c.off ?? 0}`);
    }
  }
});

t.test("Flink's TumblingEventTimeWindowsTest scenarios", async (t) => {
  const w = (a: TumblingEventTimeWindows, ts: number) => a.assignWindows(ts).map((x) => [x.start, x.end]);
  const plain = TumblingEventTimeWindows.of(5000);
  t.same([w(plain, 0), w(plain, 4999), w(plain, 5000)], [[[0, 5000]], [[0, 5000]], [[5000, 10000]]]);
  const plus = TumblingEventTimeWindows.of(5000, 100);
  t.same([w(plus, 100), w(plus, 5099), w(plus, 5100)], [[[100, 5100]], [[100, 5100]], [[5100, 10100]]]);
  const minus = TumblingEventTimeWindows.of(5000, -100);
  t.same([w(minus, 0), w(minus, 4899), w(minus, 4900)], [[[-100, 4900]], [[-100, 4900]], [[4900, 9900]]]);
  t.throws(() => TumblingEventTimeWindows.of(-1), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => TumblingEventTimeWindows.of(10, 20), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => plain.assignWindows(NaN), /no timestamp/);
});

t.test('session windows: [t, t+gap), touching windows merge', async (t) => {
  const s = EventTimeSessionWindows.withGap(1000);
  t.same(s.assignWindows(5000).map((x) => [x.start, x.end]), [[5000, 6000]]);
  const merged = EventTimeSessionWindows.mergeWindows([new TimeWindow(0, 1000), new TimeWindow(1000, 2000), new TimeWindow(5000, 6000), new TimeWindow(500, 1500)]);
  t.same(merged.map((m) => [m.merged.start, m.merged.end, m.from.length]), [[0, 2000, 3], [5000, 6000, 1]]);
  const dyn = EventTimeSessionWindows.withDynamicGap((e: { gap: number }) => e.gap);
  t.same(dyn.assignWindows(10, { gap: 5 }).map((x) => [x.start, x.end]), [[10, 15]]);
  t.throws(() => EventTimeSessionWindows.withGap(0), { code: 'API_INVALID_ARGUMENT' });
});
