/**
 * The event-time DataStream API end to end in the local executor: assignTimestampsAndWatermarks,
 * keyBy().window() with reduce / aggregate+process / field sums, windowAll, countWindow, intervalJoin
 * with late data, and the build-time errors of bad combinations.
 */
import t from 'tap';
import {
  EventTimeSessionWindows,
  OutputTag,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  type TimeWindow,
} from '../../../runtime/exports/index.js';

const env = () => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
type Ev = { k: string; ts: number; v: number };
const rows: Ev[] = [
  { k: 'a', ts: 100, v: 1 },
  { k: 'b', ts: 200, v: 10 },
  { k: 'a', ts: 900, v: 2 },
  { k: 'a', ts: 1100, v: 4 },
  { k: 'b', ts: 1999, v: 20 },
  { k: 'a', ts: 2500, v: 8 },
];
const ascending = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.ts);

t.test('assignTimestampsAndWatermarks + tumbling windows: reduce, aggregate with process, sum', async (t) => {
  const reduced = await env()
    .fromCollection(rows)
    .assignTimestampsAndWatermarks(ascending)
    .keyBy((e) => e.k)
    .window(TumblingEventTimeWindows.of(1000))
    .reduce((a, b) => ({ k: a.k, ts: a.ts, v: a.v + b.v }))
    .uid('w1')
    .map((e) => `${e.k}:${e.v}`)
    .executeAndCollect();
  t.same(reduced.sort(), ['a:3', 'a:4', 'a:8', 'b:10', 'b:20']);

  const labelled = await env()
    .fromCollection(rows)
    .assignTimestampsAndWatermarks(ascending)
    .keyBy((e) => e.k)
    .window(TumblingEventTimeWindows.of(1000))
    .aggregate(
      {
        createAccumulator: () => 0,
        add: (e: Ev, acc: number) => acc + e.v,
        getResult: (acc: number) => acc,
        merge: (a: number, b: number) => a + b,
      },
      (key: string, ctx, [sum], out) => out.collect(`${key}[${ctx.window().start},${ctx.window().end})=${sum}`),
    )
    .uid('w2')
    .executeAndCollect();
  t.same(labelled.sort(), ['a[0,1000)=3', 'a[1000,2000)=4', 'a[2000,3000)=8', 'b[0,1000)=10', 'b[1000,2000)=20']);

  const sums = await env()
    .fromCollection(rows)
    .assignTimestampsAndWatermarks(ascending)
    .keyBy('k')
    .window(TumblingEventTimeWindows.of(3000))
    .sum('v')
    .uid('w3')
    .executeAndCollect();
  t.same(sums.map((e) => `${e.k}:${e.v}`).sort(), ['a:15', 'b:30']);
});

t.test('windowAll runs at parallelism 1 and its process function gets no key; sessions merge', async (t) => {
  const out = await env()
    .fromCollection(rows)
    .assignTimestampsAndWatermarks(ascending)
    .windowAll(EventTimeSessionWindows.withGap(700))
    .process((ctx, elements: Ev[], out: { collect(s: string): void }) =>
      out.collect(`${(ctx.window() as TimeWindow).start}-${(ctx.window() as TimeWindow).end}:${elements.length}`),
    )
    .uid('all')
    .executeAndCollect();
  // gaps: 100,200,900,1100 chain (≤ 700 apart), 1999 joins (1100+700 = 1800 ≥ ... inclusive merge at 1800? no: 1999 − 1100 = 899 > 700), 2500 joins 1999
  t.same(out.sort(), ['100-1800:4', '1999-3200:2']);
});

t.test('countWindow: tumbling and sliding count windows per key', async (t) => {
  const tumbling = await env()
    .fromSequence(1, 9)
    .keyBy((x: number) => x % 2)
    .countWindow(2)
    .reduce((a, b) => a + b)
    .uid('count')
    .executeAndCollect();
  t.same(
    tumbling.sort((a, b) => a - b),
    [4, 6, 12, 14],
    'odd: 1+3, 5+7 (9 waits); even: 2+4, 6+8',
  );
  const sliding = await env()
    .fromSequence(1, 4)
    .keyBy(() => 0)
    .countWindow(2, 1)
    .process((_k, _c, els: number[], out: { collect(s: string): void }) => out.collect(els.join('+')))
    .uid('sliding-count')
    .executeAndCollect();
  t.same(sliding, ['1', '1+2', '2+3', '3+4']);
});

t.test('intervalJoin matches predictions with later outcomes; late outcomes go to the side output', async (t) => {
  type P = { trip: string; ts: number; predicted: number };
  type O = { trip: string; ts: number; actual: number };
  const e = env().setParallelism(1);
  const preds = e
    .fromCollection<P>([
      { trip: 't1', ts: 1000, predicted: 600 },
      { trip: 't2', ts: 2000, predicted: 300 },
      { trip: 't3', ts: 3000, predicted: 900 },
    ])
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<P>().withTimestampAssigner((p) => p.ts));
  const outcomes = e
    .fromCollection<O>([
      { trip: 't1', ts: 1500, actual: 640 },
      { trip: 't2', ts: 9000, actual: 310 }, // beyond the upper bound
      { trip: 't3', ts: 3100, actual: 880 },
      { trip: 't3', ts: 2900, actual: 1 }, // before the prediction: below the lower bound, and late
    ])
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<O>().withTimestampAssigner((o) => o.ts));
  const lateTag = new OutputTag<O>('late-outcomes');
  const joined = preds
    .keyBy((p) => p.trip)
    .intervalJoin(outcomes.keyBy((o) => o.trip))
    .between(0, 5000)
    .sideOutputRightLateData(lateTag)
    .process((p, o, ctx, out: { collect(s: string): void }) =>
      out.collect(`${p.trip} err=${o.actual - p.predicted} at ${ctx.getTimestamp()}`),
    )
    .uid('join');
  const late = joined.getSideOutput(lateTag).map((o) => `late ${o.trip}@${o.ts}`);
  const all = await joined.union(late).executeAndCollect();
  t.same(all.filter((l) => !l.startsWith('late')).sort(), ['t1 err=40 at 1500', 't3 err=-20 at 3100']);
  // Whether t3@2900 is late depends on how far the prediction input's watermark has come when it arrives
  // (the operator's watermark is the minimum of both inputs), as in Flink; nothing else may be late.
  t.ok(
    all.filter((l) => l.startsWith('late')).every((l) => l === 'late t3@2900'),
    'only the out-of-order outcome can be late',
  );
});

t.test('bad combinations fail when the job is built, with clear errors', async (t) => {
  const keyed = env()
    .fromCollection(rows)
    .keyBy((e) => e.k);
  t.throws(() => keyed.window(TumblingEventTimeWindows.of(1000)).allowedLateness(-1), {
    code: 'API_INVALID_ARGUMENT',
    message: /cannot be negative/,
  });
  const nonMerging = {
    onElement: () => 'CONTINUE',
    onEventTime: () => 'CONTINUE',
    onProcessingTime: () => 'CONTINUE',
    clear() {},
  };
  t.throws(
    () =>
      keyed
        .window(EventTimeSessionWindows.withGap(10))
        .trigger(nonMerging as never)
        .reduce((a) => a),
    /merging/,
  );
  t.throws(() => keyed.intervalJoin(keyed).between(5, 1), { message: /lowerBound must be <= upperBound/ });
  t.throws(() => keyed.window({} as never), /not a WindowAssigner/);
  t.throws(() => keyed.countWindow(0), /positive integer/);
  t.throws(
    () =>
      env()
        .fromCollection(rows)
        .assignTimestampsAndWatermarks({} as never),
    /expected a WatermarkStrategy/,
  );
});

t.test('ProcessFunction context: currentWatermark advances without timers, keyed or not', async (t) => {
  const punctuated = WatermarkStrategy.forGenerator<Ev>(() => ({
    onEvent: (_e, ts, out) => out.emitWatermark(ts - 1),
    onPeriodicEmit() {},
  })).withTimestampAssigner((e) => e.ts);
  const seen = (keyed: boolean) => {
    const e = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    const s = e.fromCollection(rows).assignTimestampsAndWatermarks(punctuated);
    const fn = (ev: Ev, ctx: { timerService(): { currentWatermark(): number } }, out: { collect(s: string): void }) =>
      out.collect(`${ev.ts}:${ctx.timerService().currentWatermark()}`);
    return (
      keyed
        ? s
            .keyBy(() => 'k')
            .process(fn as never)
            .uid('p')
        : s.process(fn as never)
    ).executeAndCollect() as Promise<string[]>;
  };
  for (const keyed of [false, true]) {
    const out = await seen(keyed);
    t.equal(out[0], `100:${-(2 ** 63)}`, 'no watermark before the first record');
    t.equal(
      out[out.length - 1],
      '2500:1998',
      `${keyed ? 'keyed' : 'non-keyed'}: the last record sees the watermark the previous one caused`,
    );
  }
});
