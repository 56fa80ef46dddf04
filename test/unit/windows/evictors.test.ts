/**
 * Evictors (Flink's CountEvictor, TimeEvictor, EvictingWindowOperator behaviour): eviction before or after
 * the window function, the remaining buffer written back to window state, reduce/aggregate folded over the
 * evicted buffer, continuous firing inside a window.
 */
import t from 'tap';
import {
  ContinuousEventTimeTrigger,
  CountEvictor,
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindows,
  TimeEvictor,
  TumblingEventTimeWindows,
  WindowOperator,
  type TimestampedValue,
} from '../../../operators/windows/index.js';
import { OperatorHarness } from './harness.js';

type KV = [string, number];
const values = (h: OperatorHarness) => h.records().map((r) => r.value);
const listing = {
  kind: 'process' as const,
  process: (_k: string, _c: unknown, els: KV[], out: { collect(v: unknown): void }) =>
    out.collect(els.map((e) => e[1])),
};

t.test('CountEvictor before: keeps the last n for the function and in state', async (t) => {
  const h = await new OperatorHarness(
    new WindowOperator({
      assigner: GlobalWindows.create(),
      trigger: CountTrigger.of(3),
      evictor: CountEvictor.of(2),
      function: { kind: 'reduce', reduce: (a: KV, b: KV): KV => [a[0], a[1] + b[1]] },
    }),
  ).open();
  for (const v of [1, 2, 3]) h.element(['k', v]);
  t.same(values(h), [['k', 5]], '[1,2,3] → [2,3]');
  for (const v of [4, 5, 6]) h.element(['k', v]);
  t.same(values(h), [['k', 11]], 'buffer [2,3,4,5,6] → [5,6]');
});

t.test('CountEvictor after: the function sees everything, the buffer keeps the last n', async (t) => {
  const h = await new OperatorHarness(
    new WindowOperator({
      assigner: GlobalWindows.create(),
      trigger: CountTrigger.of(2),
      evictor: CountEvictor.of(1, true),
      function: listing,
    }),
  ).open();
  for (const v of [1, 2, 3, 4]) h.element(['k', v]);
  t.same(values(h), [
    [1, 2],
    [2, 3, 4],
  ]);
});

t.test('TimeEvictor keeps elements newer than max timestamp − size', async (t) => {
  const h = await new OperatorHarness(
    new WindowOperator({
      assigner: TumblingEventTimeWindows.of(5000),
      evictor: TimeEvictor.of(1000),
      function: listing,
    }),
  ).open();
  h.element(['k', 1], 100).element(['k', 2], 1500).element(['k', 3], 3000).element(['k', 4], 3999).watermark(4999);
  t.same(values(h), [[3, 4]], 'cutoff 3999 − 1000 = 2999, evicted when ≤ cutoff');
  const els: TimestampedValue<number>[] = [
    { value: 1, timestamp: NaN },
    { value: 2, timestamp: NaN },
  ];
  TimeEvictor.of(0).evictBefore(els);
  t.equal(els.length, 2, 'no timestamps: nothing evicted');
  t.throws(() => CountEvictor.of(-1), { code: 'API_INVALID_ARGUMENT' });
});

t.test('evicting aggregate over merged sessions', async (t) => {
  const count = {
    createAccumulator: () => 0,
    add: (_v: KV, a: number) => a + 1,
    getResult: (a: number) => a,
    merge: (a: number, b: number) => a + b,
  };
  const h = await new OperatorHarness(
    new WindowOperator({
      assigner: EventTimeSessionWindows.withGap(100),
      evictor: CountEvictor.of(2),
      function: { kind: 'aggregate', aggregate: count },
    }),
  ).open();
  h.element(['k', 1], 0).element(['k', 1], 150).element(['k', 1], 80).watermark(1000);
  t.same(h.records(), [{ value: 2, timestamp: 249 }], 'three elements merged into [0,250), two left after eviction');
});

t.test('ContinuousEventTimeTrigger inside the operator: early results, then the final one and cleanup', async (t) => {
  const h = await new OperatorHarness(
    new WindowOperator({
      assigner: TumblingEventTimeWindows.of(10_000),
      trigger: ContinuousEventTimeTrigger.of(3000),
      function: { kind: 'reduce', reduce: (a: KV, b: KV): KV => [a[0], a[1] + b[1]] },
    }),
  ).open();
  h.element(['k', 1], 1000).watermark(3000);
  t.same(h.records(), [{ value: ['k', 1], timestamp: 9999 }], 'early firing carries the window maxTimestamp');
  h.element(['k', 1], 5000).watermark(9999);
  t.same(
    h.records().map((r) => r.value),
    [
      ['k', 2],
      ['k', 2],
      ['k', 2],
    ],
    'fires at 6000, 9000 and the window end',
  );
  t.equal(h.timers.numEventTimeTimers(), 0, 'cleaned up at the end');
});
