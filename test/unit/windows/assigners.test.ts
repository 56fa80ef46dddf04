/**
 * Window assigners and TimeWindow: every case of window-assignment-test-vectors.json, and the scenarios of
 * Flink's TumblingEventTimeWindowsTest, SlidingEventTimeWindowsTest, EventTimeSessionWindowsTest and
 * TimeWindowTest; processing-time and global assigners.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  EventTimeSessionWindows,
  EventTimeTrigger,
  GlobalWindow,
  GlobalWindows,
  NeverTrigger,
  ProcessingTimeSessionWindows,
  ProcessingTimeTrigger,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  isMergingAssigner,
  windowFromNamespace,
} from '../../../operators/windows/index.js';
import { LONG_MAX, LONG_MIN } from '../../../runtime/api/time.js';

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
const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/flink/window-assignment-test-vectors.json', import.meta.url), 'utf8'),
) as { cases: Case[] };
const pairs = (ws: TimeWindow[]) => ws.map((w) => [w.start, w.end]);
const sorted = (ws: TimeWindow[]) => pairs(ws).sort((a, b) => a[0]! - b[0]!);

t.test('every case of window-assignment-test-vectors.json', async (t) => {
  t.ok(vectors.cases.length > 10);
  for (const c of vectors.cases) {
    if (c.kind === 'tumbling') {
      const ws = TumblingEventTimeWindows.of(c.size, c.off ?? 0).assignWindows(null, c.t);
      t.same(pairs(ws), [c.window], `tumbling t=${c.t} size=${c.size} off=${c.off ?? 0}`);
      t.equal(ws[0]!.maxTimestamp(), c.maxTimestamp);
    } else {
      const ws = SlidingEventTimeWindows.of(c.size, c.slide!, c.off ?? 0).assignWindows(null, c.t);
      t.same(pairs(ws), c.windows, `sliding t=${c.t} size=${c.size} slide=${c.slide} off=${c.off ?? 0} (newest first)`);
    }
  }
});

t.test('TumblingEventTimeWindowsTest', async (t) => {
  const w = (a: TumblingEventTimeWindows, ts: number) => pairs(a.assignWindows(null, ts));
  const plain = TumblingEventTimeWindows.of(5000);
  t.same([w(plain, 0), w(plain, 4999), w(plain, 5000)], [[[0, 5000]], [[0, 5000]], [[5000, 10000]]]);
  const plus = TumblingEventTimeWindows.of(5000, 100);
  t.same([w(plus, 100), w(plus, 5099), w(plus, 5100)], [[[100, 5100]], [[100, 5100]], [[5100, 10100]]]);
  const minus = TumblingEventTimeWindows.of(5000, -100);
  t.same([w(minus, 0), w(minus, 4899), w(minus, 4900)], [[[-100, 4900]], [[-100, 4900]], [[4900, 9900]]]);
  for (const [size, off] of [
    [-1, 0],
    [10, 20],
    [10, -11],
    [0, 0],
  ] as const) {
    t.throws(() => TumblingEventTimeWindows.of(size, off), {
      code: 'API_INVALID_ARGUMENT',
      message: /abs\(offset\) < size/,
    });
  }
  t.throws(() => plain.assignWindows(null, NaN), { code: 'EVENT_TIME_NO_TIMESTAMP' });
  t.throws(
    () => plain.assignWindows(null, LONG_MIN),
    { code: 'EVENT_TIME_NO_TIMESTAMP' },
    'Long.MIN_VALUE is the no-timestamp marker',
  );
  t.ok(plain.isEventTime());
  t.ok(plain.getDefaultTrigger() instanceof EventTimeTrigger);
  t.notOk(isMergingAssigner(plain));
});

t.test('SlidingEventTimeWindowsTest', async (t) => {
  const a = SlidingEventTimeWindows.of(5000, 1000);
  t.same(sorted(a.assignWindows(null, 0)), [
    [-4000, 1000],
    [-3000, 2000],
    [-2000, 3000],
    [-1000, 4000],
    [0, 5000],
  ]);
  t.same(sorted(a.assignWindows(null, 4999)), [
    [0, 5000],
    [1000, 6000],
    [2000, 7000],
    [3000, 8000],
    [4000, 9000],
  ]);
  t.same(sorted(a.assignWindows(null, 5000)), [
    [1000, 6000],
    [2000, 7000],
    [3000, 8000],
    [4000, 9000],
    [5000, 10000],
  ]);
  const off = SlidingEventTimeWindows.of(5000, 1000, 100);
  t.same(sorted(off.assignWindows(null, 100)), [
    [-3900, 1100],
    [-2900, 2100],
    [-1900, 3100],
    [-900, 4100],
    [100, 5100],
  ]);
  t.same(sorted(off.assignWindows(null, 5099)), [
    [100, 5100],
    [1100, 6100],
    [2100, 7100],
    [3100, 8100],
    [4100, 9100],
  ]);
  t.same(sorted(off.assignWindows(null, 5100)), [
    [1100, 6100],
    [2100, 7100],
    [3100, 8100],
    [4100, 9100],
    [5100, 10100],
  ]);
  t.same(
    pairs(SlidingEventTimeWindows.of(3000, 1000).assignWindows(null, 2500)),
    [
      [2000, 5000],
      [1000, 4000],
      [0, 3000],
    ],
    'newest first',
  );
  for (const [size, slide, o] of [
    [-2, 1, 0],
    [2, -1, 0],
    [20, 10, 30],
    [10, 5, -11],
  ] as const) {
    t.throws(() => SlidingEventTimeWindows.of(size, slide, o), {
      code: 'API_INVALID_ARGUMENT',
      message: /abs\(offset\) < slide and size > 0/,
    });
  }
  t.throws(() => a.assignWindows(null, NaN), { code: 'EVENT_TIME_NO_TIMESTAMP' });
});

t.test('EventTimeSessionWindowsTest', async (t) => {
  const s = EventTimeSessionWindows.withGap(5000);
  t.same(pairs(s.assignWindows(null, 0)), [[0, 5000]]);
  t.same(pairs(s.assignWindows(null, 4999)), [[4999, 9999]]);
  t.same(pairs(s.assignWindows(null, 5000)), [[5000, 10000]]);
  t.ok(isMergingAssigner(s));
  t.ok(s.isEventTime());
  t.ok(s.getDefaultTrigger() instanceof EventTimeTrigger);
  t.throws(() => EventTimeSessionWindows.withGap(-1), { message: /0 < size/ });
  t.throws(() => EventTimeSessionWindows.withGap(0), { message: /0 < size/ });

  const calls: Array<[number[][], number[]]> = [];
  const record = (toBeMerged: TimeWindow[], r: TimeWindow) => void calls.push([sorted(toBeMerged), [r.start, r.end]]);
  s.mergeWindows(
    [new TimeWindow(0, 1), new TimeWindow(1, 2), new TimeWindow(2, 3), new TimeWindow(4, 5), new TimeWindow(5, 6)],
    record,
  );
  t.same(
    calls.splice(0),
    [
      [
        [
          [0, 1],
          [1, 2],
          [2, 3],
        ],
        [0, 3],
      ],
      [
        [
          [4, 5],
          [5, 6],
        ],
        [4, 6],
      ],
    ],
    'consecutive windows merge',
  );
  s.mergeWindows([new TimeWindow(1, 1), new TimeWindow(0, 2), new TimeWindow(4, 7), new TimeWindow(5, 6)], record);
  t.same(
    calls.splice(0),
    [
      [
        [
          [0, 2],
          [1, 1],
        ],
        [0, 2],
      ],
      [
        [
          [4, 7],
          [5, 6],
        ],
        [4, 7],
      ],
    ],
    'covering windows merge',
  );
  s.mergeWindows([new TimeWindow(0, 1), new TimeWindow(3, 4)], record);
  t.same(calls, [], 'disjoint windows: no merge callback');
  s.mergeWindows([new TimeWindow(0, 3), new TimeWindow(0, 3)], record);
  t.same(calls, [], 'equal windows count once (a set)');

  const dyn = EventTimeSessionWindows.withDynamicGap((e: { gap: number }) => e.gap);
  t.same(pairs(dyn.assignWindows({ gap: 5 }, 10)), [[10, 15]]);
  t.throws(() => dyn.assignWindows({ gap: 0 }, 10), { message: /0 < gap/ });
  t.same(pairs(EventTimeSessionWindows.withDynamicGap({ extract: () => 7 }).assignWindows(null, 1)), [[1, 8]]);
});

t.test('TimeWindowTest: start with offset, intersects, cover, namespaces', async (t) => {
  const s = TimeWindow.getWindowStartWithOffset;
  t.same([s(1, 0, 7), s(7, 0, 7), s(12, 0, 7), s(-1, 0, 7), s(-7, 0, 7), s(-8, 0, 7)], [0, 7, 7, -7, -7, -14]);
  t.same(
    [s(1, 2, 7), s(2, 2, 7), s(3, 2, 7), s(9, 2, 7), s(10, 2, 7), s(-1, 2, 7), s(-5, 2, 7), s(-6, 2, 7)],
    [-5, 2, 2, 9, 9, -5, -5, -12],
  );
  t.same([s(1, -1, 7), s(-2, -1, 7), s(-1, -1, 7), s(5, -1, 7), s(6, -1, 7)], [-1, -8, -1, -1, 6]);
  t.ok(new TimeWindow(0, 5).intersects(new TimeWindow(5, 10)), 'touching windows intersect');
  t.notOk(new TimeWindow(0, 5).intersects(new TimeWindow(6, 10)));
  t.same(pairs([new TimeWindow(0, 5).cover(new TimeWindow(3, 9))]), [[0, 9]]);
  t.equal(new TimeWindow(3, 9).maxTimestamp(), 8);
  t.equal(new TimeWindow(-10, 20).toString(), '-10:20');
  t.ok(windowFromNamespace('-10:20').equals(new TimeWindow(-10, 20)));
  t.equal(windowFromNamespace('global'), GlobalWindow.get());
  t.equal(GlobalWindow.get().maxTimestamp(), LONG_MAX);
  t.throws(() => windowFromNamespace('nope'), { code: 'STATE_CORRUPT_NAMESPACE' });
});

t.test('processing-time and global assigners', async (t) => {
  const at = (ms: number) => ({ getCurrentProcessingTime: () => ms });
  const tumbling = TumblingProcessingTimeWindows.of(1000, 100);
  t.same(
    pairs(tumbling.assignWindows(null, 5, at(2050))),
    [[1100, 2100]],
    'uses processing time, not the record timestamp',
  );
  t.notOk(tumbling.isEventTime());
  t.ok(tumbling.getDefaultTrigger() instanceof ProcessingTimeTrigger);
  t.same(pairs(SlidingProcessingTimeWindows.of(2000, 1000).assignWindows(null, NaN, at(2500))), [
    [2000, 4000],
    [1000, 3000],
  ]);
  const sess = ProcessingTimeSessionWindows.withGap(300);
  t.same(pairs(sess.assignWindows(null, NaN, at(700))), [[700, 1000]]);
  t.ok(isMergingAssigner(sess));
  t.throws(() => TumblingProcessingTimeWindows.of(0), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => SlidingProcessingTimeWindows.of(10, 5, 5), { code: 'API_INVALID_ARGUMENT' });
  const g = GlobalWindows.create();
  t.same(g.assignWindows(), [GlobalWindow.get()]);
  t.ok(g.getDefaultTrigger() instanceof NeverTrigger);
  t.notOk(g.isEventTime());
  t.equal(
    TumblingEventTimeWindows.of(10).assignWindows(null, 3)[0]!.toString(),
    '0:10',
    'namespace of an assigned window',
  );
});
