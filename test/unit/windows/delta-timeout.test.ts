/**
 * DeltaTrigger, ProcessingTimeoutTrigger and DeltaEvictor inside the real WindowOperator (keyed state,
 * timers, eviction), each checked against the rule written out in the test.
 */
import t from 'tap';
import {
  CountTrigger,
  DeltaEvictor,
  DeltaTrigger,
  EuclideanDistance,
  EventTimeTrigger,
  GlobalWindows,
  ProcessingTimeoutTrigger,
  TumblingEventTimeWindows,
  WindowOperator,
} from '../../../operators/windows/index.js';
import { OperatorHarness } from './harness.js';

type KV = [string, number];
const listing = {
  kind: 'process' as const,
  process: (k: string, _c: unknown, els: KV[], out: { collect(v: unknown): void }) =>
    out.collect([k, els.map((e) => e[1])]),
};

t.test('DeltaTrigger fires when the delta to the last fired element exceeds the threshold', async (t) => {
  const threshold = 5;
  const h = await new OperatorHarness(
    new WindowOperator({
      assigner: GlobalWindows.create(),
      trigger: DeltaTrigger.of(threshold, (a: KV, b: KV) => Math.abs(b[1] - a[1])),
      function: listing,
    }),
  ).open();
  const input: KV[] = [1, 2, 6, 7, 13, 14, 14, 8, 2, 30].map((v, i) => [i % 2 ? 'b' : 'a', v] as KV);
  for (const kv of input) h.element(kv);
  // oracle: per key, remember the first element; fire (with everything so far) when |v - remembered| > 5
  const expected: unknown[] = [];
  const remembered = new Map<string, number>();
  const seen = new Map<string, number[]>();
  for (const [k, v] of input) {
    seen.set(k, [...(seen.get(k) ?? []), v]);
    const r = remembered.get(k);
    if (r === undefined) remembered.set(k, v);
    else if (Math.abs(v - r) > threshold) {
      remembered.set(k, v);
      expected.push([k, [...seen.get(k)!]]);
    }
  }
  t.ok(expected.length >= 3, 'the input fires several times');
  t.same(
    h.records().map((r) => r.value),
    expected,
  );
  t.throws(() => DeltaTrigger.of(Number.NaN, () => 0), { code: 'API_INVALID_ARGUMENT' });
});

t.test('DeltaTrigger with an object DeltaFunction (EuclideanDistance over an extractor)', async (t) => {
  const h = await new OperatorHarness(
    new WindowOperator({
      assigner: GlobalWindows.create(),
      trigger: DeltaTrigger.of(1, new EuclideanDistance((v: [string, number, number]) => [v[1], v[2]])),
      function: {
        kind: 'process',
        process: (_k: string, _c: unknown, els: unknown[], o: any) => o.collect(els.length),
      },
    }),
  ).open();
  h.element(['k', 0, 0]).element(['k', 0.6, 0.6]).element(['k', 0.8, 0.8]); // distances 0.85, 1.13 from (0,0)
  t.same(
    h.records().map((r) => r.value),
    [3],
  );
});

t.test('ProcessingTimeoutTrigger: nested fires first, else the timeout fires once and clears', async (t) => {
  const h = await new OperatorHarness(
    new WindowOperator({
      assigner: GlobalWindows.create(),
      trigger: ProcessingTimeoutTrigger.of(CountTrigger.of(3), 100),
      function: listing,
    }),
  ).open();
  h.processingTime(1000);
  h.element(['a', 1]).element(['a', 2]).element(['a', 3]); // the count fires; the timeout state is cleared
  t.same(
    h.records().map((r) => r.value),
    [['a', [1, 2, 3]]],
  );
  h.processingTime(1050);
  h.element(['a', 4]); // timer at 1150
  h.processingTime(1100);
  h.element(['a', 5]); // no reset: still 1150
  h.processingTime(1149);
  t.same(h.records(), [], 'not yet');
  h.processingTime(1150);
  t.same(
    h.records().map((r) => r.value),
    [['a', [1, 2, 3, 4, 5]]],
    'the timeout fires the window (FIRE: contents kept)',
  );
  h.processingTime(2000);
  t.same(h.records(), [], 'the timeout state was cleared: no second firing');
  h.element(['a', 6]);
  h.element(['a', 7]);
  t.same(
    h.records().map((r) => r.value),
    [],
    'the count state was cleared by the timeout too (shouldClearOnTimeout): 2 elements do not fire',
  );
  h.element(['a', 8]);
  t.same(
    h.records().map((r) => r.value),
    [['a', [1, 2, 3, 4, 5, 6, 7, 8]]],
  );
});

t.test('ProcessingTimeoutTrigger with resetTimerOnNewRecord and a purging nested result', async (t) => {
  const h = await new OperatorHarness(
    new WindowOperator({
      assigner: TumblingEventTimeWindows.of(1_000_000),
      trigger: ProcessingTimeoutTrigger.of(EventTimeTrigger.create(), { toMillis: () => 100 }, true),
      function: listing,
    }),
  ).open();
  h.processingTime(0);
  h.element(['a', 1], 10);
  h.processingTime(90);
  h.element(['a', 2], 20); // reset: timer moves to 190
  h.processingTime(150);
  t.same(h.records(), [], 'the first timer was deleted by the reset');
  h.processingTime(190);
  t.same(
    h.records().map((r) => r.value),
    [['a', [1, 2]]],
  );
  t.throws(() => ProcessingTimeoutTrigger.of(CountTrigger.of(1), 0), { code: 'API_INVALID_ARGUMENT' });
});

t.test('DeltaEvictor keeps the elements closer than the threshold to the last one', async (t) => {
  for (const doEvictAfter of [false, true]) {
    const h = await new OperatorHarness(
      new WindowOperator({
        assigner: GlobalWindows.create(),
        trigger: CountTrigger.of(4),
        evictor: DeltaEvictor.of(3, (a: KV, b: KV) => Math.abs(a[1] - b[1]), doEvictAfter),
        function: listing,
      }),
    ).open();
    const batch1 = [1, 9, 8, 10];
    const batch2 = [2, 3, 11, 12];
    for (const v of batch1) h.element(['k', v]);
    for (const v of batch2) h.element(['k', v]);
    // oracle
    const evict = (xs: number[]) => xs.filter((x) => !(Math.abs(x - xs[xs.length - 1]!) >= 3));
    let buffer: number[] = [];
    const expected: unknown[] = [];
    for (const b of [batch1, batch2]) {
      buffer = [...buffer, ...b];
      if (!doEvictAfter) buffer = evict(buffer);
      expected.push(['k', buffer]);
      if (doEvictAfter) buffer = evict(buffer);
    }
    t.same(
      h.records().map((r) => r.value),
      expected,
      `doEvictAfter=${doEvictAfter}`,
    );
  }
});
