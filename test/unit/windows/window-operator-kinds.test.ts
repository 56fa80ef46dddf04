/**
 * WindowOperator per kind of window, driven as the runtime drives it (harness: real keyed backend and timers;
 * timers advance before the watermark is forwarded). Scenarios from Flink's WindowOperatorTest, expected
 * outputs derived from the window rules: sliding/tumbling reduce (also across a checkpoint), session merging
 * across a checkpoint and bridging two sessions, GlobalWindows with count triggers (also as windowAll),
 * processing-time windows. Lateness, late data and cleanup: window-operator-lateness.test.ts.
 */
import t from 'tap';
import { LONG_MAX } from '../../../runtime/api/time.js';
import {
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindows,
  PurgingTrigger,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WindowOperator,
  type ProcessWindowFunction,
  type TimeWindow,
} from '../../../operators/windows/index.js';
import { OperatorHarness } from './harness.js';
import { ELEMENTS, harness, type KV, recs, sum } from './window-operator-fixtures.js';

t.test('sliding event-time windows with reduce (WindowOperatorTest.testSlidingEventTimeWindowsReduce)', async (t) => {
  let h = await harness({
    assigner: SlidingEventTimeWindows.of(3000, 1000),
    function: { kind: 'reduce', reduce: sum },
  });
  for (const [v, ts] of ELEMENTS) h.element(v, ts);
  h.watermark(999);
  t.same(recs(h.take()), [[['key1', 3], 999]]);
  h.watermark(1999);
  t.same(recs(h.take()), [
    [['key1', 3], 1999],
    [['key2', 3], 1999],
  ]);
  h.watermark(2999);
  t.same(recs(h.take()), [
    [['key1', 3], 2999],
    [['key2', 3], 2999],
  ]);
  // checkpoint and restore into a fresh operator: windows and timers continue
  h = await harness({ assigner: SlidingEventTimeWindows.of(3000, 1000), function: { kind: 'reduce', reduce: sum } }, h);
  h.watermark(2999);
  h.watermark(3999);
  t.same(recs(h.take()), [[['key2', 5], 3999]]);
  h.watermark(4999);
  t.same(recs(h.take()), [[['key2', 2], 4999]]);
  h.watermark(5999);
  t.same(recs(h.take()), [[['key2', 2], 5999]]);
  h.watermark(6999);
  h.watermark(7999);
  t.same(
    h.take(),
    [
      { kind: 'watermark', timestamp: 6999 },
      { kind: 'watermark', timestamp: 7999 },
    ],
    'only watermarks: every window fired and was cleaned',
  );
  t.equal(h.timers.numEventTimeTimers(), 0);
});

t.test('tumbling event-time windows with reduce; output after the watermark that fired it is forwarded', async (t) => {
  const h = await harness({ assigner: TumblingEventTimeWindows.of(3000), function: { kind: 'reduce', reduce: sum } });
  for (const [v, ts] of ELEMENTS) h.element(v, ts);
  h.watermark(999).watermark(1999);
  t.same(recs(h.take()), []);
  h.watermark(2999);
  const out = h.take();
  t.same(recs(out), [
    [['key1', 3], 2999],
    [['key2', 3], 2999],
  ]);
  t.same(out[out.length - 1], { kind: 'watermark', timestamp: 2999 }, 'records first, then the watermark');
  h.watermark(3999).watermark(4999);
  t.same(recs(h.take()), []);
  h.watermark(5999);
  t.same(recs(h.take()), [[['key2', 2], 5999]]);
});

const sessionFn: ProcessWindowFunction<KV, [string, number, number], string, TimeWindow> = (
  key,
  ctx,
  elements,
  out,
) => {
  const total = elements.reduce((a, e) => a + e[1], 0);
  out.collect([`${key}-${total}`, ctx.window().start, ctx.window().end]);
};

t.test('session windows merge, also across a checkpoint (WindowOperatorTest.testSessionWindows)', async (t) => {
  const opts = () => ({
    assigner: EventTimeSessionWindows.withGap(3000),
    function: { kind: 'process' as const, process: sessionFn },
  });
  let h = await harness<TimeWindow>(opts());
  h.element(['key2', 1], 0).element(['key2', 2], 1000).element(['key2', 3], 2500);
  h.element(['key1', 1], 10).element(['key1', 2], 1000);
  h = await harness<TimeWindow>(opts(), h);
  h.element(['key1', 3], 2500);
  h.element(['key2', 4], 5501).element(['key2', 5], 6000).element(['key2', 5], 6000).element(['key2', 6], 6050);
  h.watermark(12000);
  t.same(recs(h.take()), [
    [['key1-6', 10, 5500], 5499],
    [['key2-6', 0, 5500], 5499],
    [['key2-20', 5501, 9050], 9049],
  ]);
  h.element(['key1', 0], 15000).element(['key2', 10], 15000).element(['key2', 20], 15000);
  h.watermark(17999);
  t.same(recs(h.take()), [
    [['key1-0', 15000, 18000], 17999],
    [['key2-30', 15000, 18000], 17999],
  ]);
  t.equal(h.timers.numEventTimeTimers(), 0);
});

t.test('session merge that bridges two sessions, merged state and timers', async (t) => {
  const h = await harness<TimeWindow>({
    assigner: EventTimeSessionWindows.withGap(1000),
    function: { kind: 'reduce', reduce: sum },
  });
  h.element(['k', 1], 0).element(['k', 10], 1500);
  t.equal(h.timers.numEventTimeTimers(), 2, 'two sessions, one timer each');
  h.element(['k', 100], 900); // [900, 1900) bridges [0,1000) and [1500,2500)
  t.equal(h.timers.numEventTimeTimers(), 1, 'merged windows lost their timers; the result has one');
  h.watermark(2499);
  t.same(recs(h.take()), [[['k', 111], 2499]]);
});

t.test(
  'GlobalWindows with PurgingTrigger(CountTrigger): every n elements per key, timestamp Long.MAX_VALUE; works as windowAll',
  async (t) => {
    const h = await harness({
      assigner: GlobalWindows.create(),
      trigger: PurgingTrigger.of(CountTrigger.of(3)),
      function: { kind: 'reduce', reduce: sum },
    });
    for (const k of ['a', 'b', 'a', 'a', 'b', 'a', 'a', 'a', 'b']) h.element([k, 1]);
    t.same(recs(h.take()), [
      [['a', 3], LONG_MAX],
      [['a', 3], LONG_MAX],
      [['b', 3], LONG_MAX],
    ]);
    t.equal(
      h.timers.numEventTimeTimers() + h.timers.numProcessingTimeTimers(),
      0,
      'no cleanup timer for a window that never ends',
    );

    const all = new OperatorHarness(
      new WindowOperator({
        assigner: GlobalWindows.create(),
        trigger: CountTrigger.of(2),
        function: { kind: 'reduce', reduce: sum },
      }),
      { keySelectors: [() => 0] },
    );
    await all.open();
    for (const k of ['x', 'y', 'z', 'w']) all.element([k, 1]);
    t.same(
      recs(all.take()).map(([v]) => (v as KV)[1]),
      [2, 4],
      'one constant key: non-purging count windows accumulate',
    );
  },
);

t.test('processing-time tumbling windows fire on processing time and clean up', async (t) => {
  const h = await harness({
    assigner: TumblingProcessingTimeWindows.of(1000),
    function: { kind: 'reduce', reduce: sum },
  });
  h.processingTime(100);
  h.element(['k', 1]).element(['k', 2]);
  h.processingTime(998);
  t.same(recs(h.take()), []);
  h.processingTime(999);
  t.same(recs(h.take()), [[['k', 3], 999]]);
  t.equal(h.timers.numProcessingTimeTimers(), 0);
  h.processingTime(1000).watermark(10_000).element(['k', 4]);
  t.same(recs(h.take()), [], 'watermarks do not make processing-time elements late');
  h.processingTime(1999);
  t.same(recs(h.take()), [[['k', 4], 1999]]);
});
