/**
 * WindowOperator, driven as the runtime drives it (harness: real keyed backend and timers; timers advance
 * before the watermark is forwarded). Scenarios from Flink's WindowOperatorTest, expected outputs derived
 * from the window rules: sliding/tumbling reduce, session merging across a checkpoint, allowed lateness
 * with late re-firing, late-data side output and the numLateRecordsDropped counter, cleanup, GlobalWindows
 * with count triggers (also as windowAll), processing-time windows, aggregate + process.
 */
import t from 'tap';
import { OutputTag } from '../../../runtime/api/output-tag.js';
import { ValueStateDescriptor } from '../../../runtime/api/state.js';
import { LONG_MAX } from '../../../runtime/api/time.js';
import {
  CountTrigger,
  EventTimeSessionWindows,
  EventTimeTrigger,
  GlobalWindows,
  PurgingTrigger,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  WindowOperator,
  type ProcessWindowFunction,
  type TimeWindow,
  type WindowOperatorOptions,
} from '../../../operators/windows/index.js';
import { OperatorHarness, type Emitted } from './harness.js';

type KV = [string, number];
const sum = (a: KV, b: KV): KV => [a[0], a[1] + b[1]];

async function harness<W extends TimeWindow | import('../../../operators/windows/index.js').GlobalWindow>(
  o: WindowOperatorOptions<any, any, any, W>,
  restore?: OperatorHarness,
) {
  const h = new OperatorHarness(new WindowOperator(o), restore ? { restore: restore.snapshot() } : {});
  return h.open();
}

/** Records sorted by (timestamp, JSON) — Flink's tests compare window output ignoring order within a timestamp. */
function recs(out: Emitted[]): Array<[unknown, number]> {
  return out
    .filter((e) => e.kind === 'record')
    .map((e) => [(e as { value: unknown }).value, (e as { timestamp: number }).timestamp] as [unknown, number])
    .sort((a, b) => a[1] - b[1] || JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0])));
}

const ELEMENTS: Array<[KV, number]> = [
  [['key2', 1], 3999],
  [['key2', 1], 3000],
  [['key1', 1], 20],
  [['key1', 1], 0],
  [['key1', 1], 999],
  [['key2', 1], 1998],
  [['key2', 1], 1999],
  [['key2', 1], 1000],
];

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

t.test('allowed lateness: late re-firing, cleanup, then drop with counter', async (t) => {
  const h = await harness({
    assigner: TumblingEventTimeWindows.of(2000),
    allowedLatenessMs: 500,
    trigger: EventTimeTrigger.create(),
    function: { kind: 'reduce', reduce: sum },
  });
  h.element(['key2', 1], 500).watermark(1500).element(['key2', 1], 1300);
  h.watermark(2300);
  t.same(recs(h.take()), [[['key2', 2], 1999]], 'on time');
  h.element(['key2', 1], 1998);
  t.same(recs(h.take()), [[['key2', 3], 1999]], 'late but within lateness: re-fires with the accumulated contents');
  h.element(['key2', 1], 1999);
  t.same(recs(h.take()), [[['key2', 4], 1999]]);
  h.watermark(2498);
  h.element(['key2', 1], 1000);
  t.same(recs(h.take()), [[['key2', 5], 1999]], 'cleanup at maxTimestamp + lateness = 2499 not reached');
  h.watermark(2499);
  t.equal(h.timers.numEventTimeTimers(), 0, 'window state and timers cleaned');
  h.element(['key2', 1], 1500);
  t.same(recs(h.take()), [], 'window gone: element dropped');
  t.equal(h.counters.get('numLateRecordsDropped'), 1);
  h.element(['key2', 1], 2000);
  t.same(recs(h.take()), [], 'a new window [2000,4000) takes it');
  t.equal(h.counters.get('numLateRecordsDropped'), 1);
});

t.test('late elements to the side output; an element late for one sliding window but not all is kept', async (t) => {
  const late = new OutputTag<KV>('late');
  const h = await harness({
    assigner: TumblingEventTimeWindows.of(2000),
    lateDataOutputTag: late,
    function: { kind: 'reduce', reduce: sum },
  });
  h.element(['key2', 1], 500).element(['key2', 1], 1300).watermark(2300);
  t.same(recs(h.take()), [[['key2', 2], 1999]]);
  h.element(['key2', 1], 1998).element(['key2', 1], 1999).element(['key2', 1], 1000);
  t.same(
    h.take().filter((e) => e.kind === 'side'),
    [1998, 1999, 1000].map((ts) => ({ kind: 'side', tag: 'late', value: ['key2', 1], timestamp: ts })),
    'late records keep their own timestamps',
  );
  t.equal(h.counters.get('numLateRecordsDropped') ?? 0, 0, 'side output instead of dropping');

  const s = await harness({
    assigner: SlidingEventTimeWindows.of(3000, 1000),
    lateDataOutputTag: late,
    function: { kind: 'reduce', reduce: sum },
  });
  s.watermark(2000);
  s.element(['k', 1], 1500); // windows [1000,4000) live, [0,3000) live, [-1000,2000) late
  t.same(
    s.take().filter((e) => e.kind === 'side'),
    [],
    'not all windows late: not a late element',
  );
  s.watermark(3999);
  t.same(recs(s.take()), [
    [['k', 1], 2999],
    [['k', 1], 3999],
  ]);
});

t.test(
  'session windows: late element whose window is late goes to the side output; merge within lateness',
  async (t) => {
    const late = new OutputTag<KV>('late');
    const z = await harness<TimeWindow>({
      assigner: EventTimeSessionWindows.withGap(3000),
      lateDataOutputTag: late,
      function: { kind: 'reduce', reduce: sum },
    });
    z.element(['k', 1], 0).watermark(4000);
    t.same(recs(z.take()), [[['k', 1], 2999]]);
    z.element(['k', 1], 1000);
    t.same(z.take().filter((e) => e.kind === 'side').length, 1, '[1000,4000) is late at watermark 4000');

    const l = await harness<TimeWindow>({
      assigner: EventTimeSessionWindows.withGap(3000),
      allowedLatenessMs: 1000,
      function: { kind: 'reduce', reduce: sum },
    });
    l.element(['k', 1], 0).watermark(3500);
    t.same(recs(l.take()), [[['k', 1], 2999]]);
    l.element(['k', 1], 1000); // merges into [0, 4000)
    t.same(recs(l.take()), []);
    l.watermark(4000);
    t.same(recs(l.take()), [[['k', 2], 3999]]);
    l.watermark(5000);
    t.equal(l.timers.numEventTimeTimers(), 0);
    l.element(['k', 5], 1000);
    t.equal(l.counters.get('numLateRecordsDropped'), 1, 'merged session cleaned at 3999 + 1000');
  },
);

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

t.test(
  'aggregate + process window function; context: window/global state, side output, clear at cleanup',
  async (t) => {
    const avg = {
      createAccumulator: () => [0, 0] as [number, number],
      add: (v: KV, a: [number, number]): [number, number] => [a[0] + v[1], a[1] + 1],
      getResult: (a: [number, number]) => a[0] / a[1],
      merge: (a: [number, number], b: [number, number]): [number, number] => [a[0] + b[0], a[1] + b[1]],
    };
    const fires = new ValueStateDescriptor<number>('fires');
    const seen = new ValueStateDescriptor<number>('windows-seen');
    const side = new OutputTag<string>('info');
    const cleared: string[] = [];
    const proc = {
      process(key: string, ctx: any, elements: number[], out: { collect(v: unknown): void }) {
        const f = ctx.windowState().getState(fires);
        f.update((f.value() ?? 0) + 1);
        const g = ctx.globalState().getState(seen);
        g.update((g.value() ?? 0) + 1);
        out.collect({ key, avg: elements[0], fires: f.value(), globalSeen: g.value(), wm: ctx.currentWatermark() });
        ctx.output(side, `${key}@${ctx.window().toString()}`);
      },
      clear(ctx: any) {
        cleared.push(`${ctx.window().toString()} fires=${ctx.windowState().getState(fires).value()}`);
        ctx.windowState().getState(fires).clear();
      },
    };
    const h = await harness({
      assigner: TumblingEventTimeWindows.of(1000),
      allowedLatenessMs: 100,
      function: { kind: 'aggregate', aggregate: avg, process: proc },
    });
    h.element(['k', 2], 10).element(['k', 4], 20).watermark(999);
    const out = h.take();
    t.same(recs(out), [[{ key: 'k', avg: 3, fires: 1, globalSeen: 1, wm: 999 }, 999]]);
    t.same(
      out.filter((e) => e.kind === 'side'),
      [{ kind: 'side', tag: 'info', value: 'k@0:1000', timestamp: 999 }],
    );
    h.element(['k', 9], 30);
    t.same(
      recs(h.take()),
      [[{ key: 'k', avg: 5, fires: 2, globalSeen: 2, wm: 999 }, 999]],
      'late re-fire sees per-window state',
    );
    h.watermark(1099);
    t.same(cleared, ['0:1000 fires=2'], 'clear(ctx) at cleanup time, with the window state still readable');
    t.throws(
      () =>
        new WindowOperator({
          assigner: TumblingEventTimeWindows.of(1000),
          allowedLatenessMs: -1,
          function: { kind: 'reduce', reduce: sum },
        }),
      { code: 'API_INVALID_ARGUMENT' },
    );
    t.throws(
      () =>
        new WindowOperator({
          assigner: EventTimeSessionWindows.withGap(10),
          trigger: {
            onElement: () => null as never,
            onEventTime: () => null as never,
            onProcessingTime: () => null as never,
            clear() {},
          },
          function: { kind: 'reduce', reduce: sum },
        }),
      { message: /does not support merging/ },
    );
  },
);

t.test(
  'cleanup time saturates at Long.MAX_VALUE: no cleanup timer, window state kept (WindowOperatorTest.testCleanupTimeOverflow)',
  async (t) => {
    const op = new WindowOperator({
      assigner: TumblingEventTimeWindows.of(1000),
      allowedLatenessMs: LONG_MAX,
      function: { kind: 'reduce', reduce: sum },
    });
    const h = await new OperatorHarness(op).open();
    t.equal(op.cleanupTime(TumblingEventTimeWindows.of(1000).assignWindows(null, 5)[0]!), LONG_MAX);
    h.element(['k', 1], 5);
    t.equal(h.timers.numEventTimeTimers(), 1, "only the trigger's timer at maxTimestamp");
    h.watermark(999);
    t.same(recs(h.take()), [[['k', 1], 999]]);
    h.watermark(1e15).element(['k', 1], 6);
    t.same(recs(h.take()), [[['k', 2], 999]], 'never cleaned: a very late element still re-fires the window');
  },
);
