/**
 * sum/min/max/minBy/maxBy by position and by field name with Flink's semantics: unit rules of the
 * reduction, then keyed rolling and windowed use in the local executor against an oracle.
 */
import t from 'tap';
import { fieldAggregation } from '../../../operators/core/field-aggregation.js';
import {
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from '../../../runtime/exports/index.js';

class Tuple3 {
  constructor(
    public f0: string,
    public f1: number,
    public f2: string,
  ) {}
  toString() {
    return `(${this.f0},${this.f1},${this.f2})`;
  }
}

t.test('rules: min keeps the first element’s other fields, minBy returns an element, ties by `first`', async (t) => {
  const a: [string, number, string] = ['k', 5, 'a'];
  const b: [string, number, string] = ['k', 3, 'b'];
  const c: [string, number, string] = ['k', 3, 'c'];
  const fold = (f: (x: any, y: any) => any, xs: unknown[]) => xs.reduce((acc, x) => f(acc, x));
  t.same(fold(fieldAggregation('min', 1), [a, b, c]), ['k', 3, 'a'], 'min: field replaced, rest from the first');
  t.same(fold(fieldAggregation('max', 1), [b, a, c]), ['k', 5, 'b']);
  t.same(fold(fieldAggregation('sum', 1), [a, b, c]), ['k', 11, 'a']);
  t.equal(fold(fieldAggregation('minBy', 1), [a, b, c]), b, 'minBy: the first element with the minimum');
  t.equal(fold(fieldAggregation('minBy', 1, false), [a, b, c]), c, 'first=false: the last one');
  t.equal(fold(fieldAggregation('maxBy', 1), [b, c, a]), a);
  t.same(a, ['k', 5, 'a'], 'inputs are not modified');

  const t1 = new Tuple3('k', 2, 'x');
  const t2 = new Tuple3('k', 7, 'y');
  const s = fieldAggregation<Tuple3>('sum', 1)(t1, t2);
  t.ok(s instanceof Tuple3, 'a tuple class stays that class');
  t.equal(String(s), '(k,9,x)');
  t.same(fieldAggregation<Tuple3>('max', 'f1')(t1, t2), new Tuple3('k', 7, 'x'), 'by name f1');

  const nested = fieldAggregation<{ s: { n: number }; id: string }>('sum', 's.n');
  t.same(nested({ s: { n: 1 }, id: 'a' }, { s: { n: 2 }, id: 'b' }), { s: { n: 3 }, id: 'a' });
  t.equal(fieldAggregation<number>('sum', 0)(2, 3), 5, 'position 0 of an atomic type is the value');
  t.equal(fieldAggregation<string>('max', '*')('apple', 'pear'), 'pear', 'strings compare');
  t.equal(fieldAggregation<bigint>('sum', 0)(2n, 3n), 5n);

  t.throws(() => fieldAggregation('sum', 'count')({ n: 1 }, { n: 2 }), {
    code: 'AGGREGATION_FIELD_INVALID',
    message: /'count' does not exist in \{"n":1\}/,
  });
  t.throws(() => fieldAggregation('sum', 3)(['a', 1], ['b', 2]), { code: 'AGGREGATION_FIELD_INVALID' });
  t.throws(() => fieldAggregation('sum', 'v')({ v: 'x' }, { v: 'y' }), /not numbers/);
  t.throws(() => fieldAggregation('sum', -1), { code: 'AGGREGATION_FIELD_INVALID' });
});

type Row = { user: string; ts: number; n: number; tag: string };
const rows: Row[] = [...Array(60).keys()].map((i) => ({
  user: `u${i % 3}`,
  ts: i * 100,
  n: (i * 37) % 11,
  tag: `t${i}`,
}));
const env = () => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);

t.test('keyed rolling aggregations by name and position', async (t) => {
  const lastPerUser = (out: Row[]) => new Map(out.map((r) => [r.user, r]));
  const sums = lastPerUser(await env().fromCollection(rows).keyBy('user').sum('n').uid('s').executeAndCollect());
  const mins = lastPerUser(await env().fromCollection(rows).keyBy('user').min('n').uid('m').executeAndCollect());
  const minBys = lastPerUser(await env().fromCollection(rows).keyBy('user').minBy('n').uid('mb').executeAndCollect());
  for (const u of ['u0', 'u1', 'u2']) {
    const mine = rows.filter((r) => r.user === u);
    const min = Math.min(...mine.map((r) => r.n));
    t.equal(
      sums.get(u)!.n,
      mine.reduce((s, r) => s + r.n, 0),
      `${u} sum`,
    );
    t.same(mins.get(u), { ...mine[0]!, n: min }, `${u} min keeps the first row's other fields`);
    t.same(
      minBys.get(u),
      mine.find((r) => r.n === min),
      `${u} minBy is the first row with the minimum`,
    );
  }

  const tuples = await env()
    .fromCollection(rows.map((r): [string, number] => [r.user, r.n]))
    .keyBy((x: [string, number]) => x[0])
    .maxBy(1, false)
    .uid('t')
    .executeAndCollect();
  const last = new Map(tuples.map((x) => [x[0], x]));
  t.same(last.get('u1'), ['u1', Math.max(...rows.filter((r) => r.user === 'u1').map((r) => r.n))]);
});

t.test('windowed aggregations', async (t) => {
  const out = await env()
    .setParallelism(1) // maxBy ties go to the first arrival: keep arrival order = input order
    .fromCollection(rows)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Row>().withTimestampAssigner((r) => r.ts))
    .keyBy('user')
    .window(TumblingEventTimeWindows.of(1000))
    .maxBy('n')
    .uid('w')
    .executeAndCollect();
  const expected: Row[] = [];
  for (const u of ['u0', 'u1', 'u2'])
    for (let w = 0; w < 6000; w += 1000) {
      const inW = rows.filter((r) => r.user === u && r.ts >= w && r.ts < w + 1000);
      if (!inW.length) continue;
      const max = Math.max(...inW.map((r) => r.n));
      expected.push(inW.find((r) => r.n === max)!);
    }
  const key = (r: Row) => r.tag;
  t.same(out.map(key).sort(), expected.map(key).sort());

  const all = await env()
    .setParallelism(1) // ties (n = 0 at t0 and t11) go to the first arrival: arrival order must be the input order
    .fromCollection(rows)
    .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Row>().withTimestampAssigner((r) => r.ts))
    .windowAll(TumblingEventTimeWindows.of(3000))
    .minBy('n')
    .uid('all')
    .executeAndCollect();
  const perWindow = [0, 3000].map((w) => {
    const inW = rows.filter((r) => r.ts >= w && r.ts < w + 3000);
    return inW.find((r) => r.n === Math.min(...inW.map((x) => x.n)))!;
  });
  t.same(all.map(key).sort(), perWindow.map(key).sort(), 'windowAll minBy');
});
