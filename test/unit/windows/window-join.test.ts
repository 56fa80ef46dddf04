/**
 * Window join and coGroup (Flink's JoinedStreams / CoGroupedStreams) and window().apply(WindowFunction)
 * in the local executor at parallelism 2, checked against an oracle the test computes by itself: group
 * both inputs by (key, tumbling window), then pair them.
 */
import t from 'tap';
import {
  type Collector,
  GlobalWindows,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  CountTrigger,
  SlidingEventTimeWindows,
} from '../../../runtime/exports/index.js';
import { seededRandom } from '../../../runtime/platform/index.js';

type Order = { user: string; ts: number; amount: number };
type Click = { user: string; ts: number; page: string };
const sizeMs = 1000;
const rnd = seededRandom(42);
const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
const orders: Order[] = [...Array(300).keys()].map((i) => ({
  user: users[Math.floor(rnd() * 5)]!,
  ts: i * 37,
  amount: Math.floor(rnd() * 100),
}));
const clicks: Click[] = [...Array(250).keys()].map((i) => ({
  user: users[Math.floor(rnd() * 4)]!, // u5 never clicks: its orders join nothing, coGroup sees them alone
  ts: i * 43 + 5,
  page: `p${i}`,
}));

const env = () => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
const withTs = <T extends { ts: number }>() =>
  WatermarkStrategy.forMonotonousTimestamps<T>().withTimestampAssigner((e) => e.ts);

function groups<T extends { user: string; ts: number }>(xs: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = `${x.user}@${Math.floor(x.ts / sizeMs) * sizeMs}`;
    m.set(k, [...(m.get(k) ?? []), x]);
  }
  return m;
}

t.test('join: every (order, click) pair with equal user in the same window', async (t) => {
  const e = env();
  const out = await e
    .fromCollection(orders)
    .assignTimestampsAndWatermarks(withTs<Order>())
    .join(e.fromCollection(clicks).assignTimestampsAndWatermarks(withTs<Click>()))
    .where((o: Order) => o.user)
    .equalTo((c: Click) => c.user)
    .window(TumblingEventTimeWindows.of(sizeMs))
    .apply((o: Order, c: Click) => `${o.user}|${o.ts}|${c.page}`)
    .uid('join')
    .executeAndCollect();
  const byOrders = groups(orders);
  const byClicks = groups(clicks);
  const expected: string[] = [];
  for (const [k, os] of byOrders)
    for (const o of os) for (const c of byClicks.get(k) ?? []) expected.push(`${o.user}|${o.ts}|${c.page}`);
  t.ok(expected.length > 500, `a real join (${expected.length} pairs)`);
  t.same(out.sort(), expected.sort());
});

t.test('join with a FlatJoinFunction object (rich: open) and the window timestamp on outputs', async (t) => {
  const e = env();
  class BigOnly {
    private min = 0;
    open() {
      this.min = 50;
    }
    join(o: Order, c: Click, out: Collector<string>) {
      if (o.amount >= this.min) out.collect(`${o.ts}:${c.ts}`);
    }
  }
  const out = await e
    .fromCollection(orders)
    .assignTimestampsAndWatermarks(withTs<Order>())
    .join(e.fromCollection(clicks).assignTimestampsAndWatermarks(withTs<Click>()))
    .where('user')
    .equalTo('user')
    .window(TumblingEventTimeWindows.of(sizeMs))
    .apply(new BigOnly())
    .uid('join')
    .process((v: string, ctx, out: Collector<[string, number | null]>) => out.collect([v, ctx.timestamp()]))
    .executeAndCollect();
  const byClicks = groups(clicks);
  const expected: [string, number][] = [];
  for (const o of orders.filter((x) => x.amount >= 50))
    for (const c of byClicks.get(`${o.user}@${Math.floor(o.ts / sizeMs) * sizeMs}`) ?? [])
      expected.push([`${o.ts}:${c.ts}`, Math.floor(o.ts / sizeMs) * sizeMs + sizeMs - 1]);
  t.same(out.sort(), expected.sort());
});

t.test('coGroup: both sides per key and window, including one-sided groups', async (t) => {
  const e = env();
  const out = await e
    .fromCollection(orders)
    .assignTimestampsAndWatermarks(withTs<Order>())
    .coGroup(e.fromCollection(clicks).assignTimestampsAndWatermarks(withTs<Click>()))
    .where((o: Order) => o.user)
    .equalTo((c: Click) => c.user)
    .window(TumblingEventTimeWindows.of(sizeMs))
    .apply({
      coGroup(os: Order[], cs: Click[], out: Collector<string>) {
        const user = os[0]?.user ?? cs[0]!.user;
        const w = Math.floor((os[0]?.ts ?? cs[0]!.ts) / sizeMs) * sizeMs;
        const asc = (xs: number[]) => xs.sort((a, b) => a - b).join(','); // order within a side is not promised at p > 1
        out.collect(`${user}@${w}:${asc(os.map((o) => o.ts))}/${asc(cs.map((c) => c.ts))}`);
      },
    })
    .uid('cogroup')
    .executeAndCollect();
  const byOrders = groups(orders);
  const byClicks = groups(clicks);
  const keys = new Set([...byOrders.keys(), ...byClicks.keys()]);
  const expected = [...keys].map(
    (k) =>
      `${k}:${(byOrders.get(k) ?? []).map((o) => o.ts).join(',')}/${(byClicks.get(k) ?? []).map((c) => c.ts).join(',')}`,
  );
  t.ok(
    expected.some((s) => s.endsWith('/')),
    'some groups have orders only',
  );
  t.same(out.sort(), expected.sort());
});

t.test('window().apply(WindowFunction) and windowAll().apply(AllWindowFunction)', async (t) => {
  const keyed = await env()
    .fromCollection(orders)
    .assignTimestampsAndWatermarks(withTs<Order>())
    .keyBy((o: Order) => o.user)
    .window(SlidingEventTimeWindows.of(2000, 1000))
    .apply((user: string, w: TimeWindow, input: Order[], out: Collector<string>) =>
      out.collect(`${user}[${w.start},${w.end})=${input.reduce((s, o) => s + o.amount, 0)}`),
    )
    .uid('apply')
    .executeAndCollect();
  const expected: string[] = [];
  const starts = new Set(
    orders.flatMap((o) => [Math.floor(o.ts / 1000) * 1000, Math.floor(o.ts / 1000) * 1000 - 1000]),
  );
  for (const s of starts)
    for (const u of users) {
      const inW = orders.filter((o) => o.user === u && o.ts >= s && o.ts < s + 2000);
      if (inW.length) expected.push(`${u}[${s},${s + 2000})=${inW.reduce((a, o) => a + o.amount, 0)}`);
    }
  t.same(keyed.sort(), expected.sort());

  const all = await env()
    .fromCollection(orders)
    .windowAll(GlobalWindows.create())
    .trigger(CountTrigger.of(100))
    .apply({
      apply(_w: unknown, input: Order[], out: Collector<number>) {
        out.collect(input.length);
      },
    })
    .uid('all')
    .executeAndCollect();
  t.same(all, [100, 200, 300], 'global window fires every 100 elements with all elements so far');
  t.throws(
    () =>
      env()
        .fromElements(1)
        .windowAll(GlobalWindows.create())
        .apply({} as never),
    {
      code: 'API_INVALID_ARGUMENT',
    },
  );
});
