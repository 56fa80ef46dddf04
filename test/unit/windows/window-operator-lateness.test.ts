/**
 * WindowOperator past the end of a window, driven as the runtime drives it (harness: real keyed backend and
 * timers). Scenarios from Flink's WindowOperatorTest, expected outputs derived from the window rules:
 * allowed lateness with late re-firing, late-data side output and the numLateRecordsDropped counter (also
 * for sliding and session windows), cleanup of state and timers, the cleanup time saturating at
 * Long.MAX_VALUE, and aggregate + process functions whose context state lives until cleanup. Firing per
 * kind of window: window-operator-kinds.test.ts.
 */
import t from 'tap';
import { OutputTag } from '../../../runtime/api/output-tag.js';
import { ValueStateDescriptor } from '../../../runtime/api/state.js';
import { LONG_MAX } from '../../../runtime/api/time.js';
import {
  EventTimeSessionWindows,
  EventTimeTrigger,
  SlidingEventTimeWindows,
  TumblingEventTimeWindows,
  WindowOperator,
  type TimeWindow,
} from '../../../operators/windows/index.js';
import { OperatorHarness } from './harness.js';
import { harness, type KV, recs, sum } from './window-operator-fixtures.js';

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
