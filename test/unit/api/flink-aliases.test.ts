import t from 'tap';
import {
  Duration,
  EventTimeSessionWindows,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  Time,
  TimeEvictor,
  Tuple,
  Tuple2,
  TumblingEventTimeWindows,
  Types,
  WatermarkStrategy,
} from '../../../runtime/exports/index.js';
import { toMillis } from '../../../runtime/api/duration.js';
import { deprecated, issuedWarnings, warnOnce } from '../../../runtime/api/deprecation.js';
import { buildJobGraph } from '../../../runtime/graph/job-graph.js';

const env = (p = 2) => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);

t.test('Duration: factories, toMillis, ISO toString, equality', async (t) => {
  t.equal(Duration.ofMillis(250).toMillis(), 250);
  t.equal(Duration.ofSeconds(5).toMillis(), 5000);
  t.equal(Duration.ofMinutes(2).toMillis(), 120_000);
  t.equal(Duration.ofHours(1).toMillis(), 3_600_000);
  t.equal(Duration.ofDays(1).toMillis(), 86_400_000);
  t.equal(Duration.ofSeconds(5).toString(), 'PT5S');
  t.equal(Duration.ofMillis(90 * 60_000 + 250).toString(), 'PT1H30M0.25S');
  t.equal(Duration.ZERO.toString(), 'PT0S');
  t.ok(Duration.ofSeconds(60).equals(Duration.ofMinutes(1)));
  t.throws(() => Duration.ofSeconds(Number.NaN), { code: 'API_INVALID_ARGUMENT', message: /Duration\.ofSeconds/ });
});

t.test('Time (Flink 1.x) is Duration, with a one-time deprecation warning', async (t) => {
  const emitted: string[] = [];
  const original = process.emitWarning;
  process.emitWarning = ((message: string) => void emitted.push(message)) as typeof process.emitWarning;
  try {
    t.ok(Time.seconds(5).equals(Duration.ofSeconds(5)));
    t.ok(Time.seconds(7).equals(Duration.ofSeconds(7)));
    t.ok(Time.milliseconds(3).equals(Duration.ofMillis(3)));
    t.ok(Time.minutes(1).equals(Duration.ofMinutes(1)));
    t.ok(Time.hours(1).equals(Duration.ofHours(1)));
    t.ok(Time.days(1).equals(Duration.ofDays(1)));
    t.ok(Time.of(2, 'SECONDS').equals(Duration.ofSeconds(2)));
    t.equal(Time.seconds(1).toMilliseconds(), 1000, "1.x's toMilliseconds() still works");
  } finally {
    process.emitWarning = original;
  }
  t.equal(emitted.filter((m) => m.startsWith('Time.seconds()')).length, 1, 'Time.seconds warned once');
  t.match(emitted.join('\n'), /Time\.seconds\(\) is deprecated in Flink 2\.x; use Duration\.ofSeconds\(\)/);
  t.ok(issuedWarnings().has('deprecated:Time.minutes()'));
});

t.test('warnOnce / deprecated warn once per key', async (t) => {
  const emitted: unknown[][] = [];
  const original = process.emitWarning;
  process.emitWarning = ((...a: unknown[]) => void emitted.push(a)) as typeof process.emitWarning;
  try {
    deprecated('fooApi()', 'barApi()');
    deprecated('fooApi()', 'barApi()');
    warnOnce('k1', 'once');
    warnOnce('k1', 'once');
  } finally {
    process.emitWarning = original;
  }
  t.equal(emitted.length, 2);
  t.match(emitted[0]![1], { type: 'DeprecationWarning' });
});

t.test('a Time or Duration is converted wherever milliseconds were expected', async (t) => {
  t.equal(TumblingEventTimeWindows.of(Duration.ofSeconds(5)).sizeMs, 5000);
  t.equal(TumblingEventTimeWindows.of(Time.seconds(5), Duration.ofSeconds(1)).offsetMs, 1000);
  t.equal(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(5)).slideMs, 5000);
  const session = EventTimeSessionWindows.withGap(Duration.ofMillis(3));
  t.same(
    session.assignWindows(null, 10).map((w) => [w.start, w.end]),
    [[10, 13]],
  );
  t.ok(TimeEvictor.of(Duration.ofSeconds(1)));
  t.ok(WatermarkStrategy.forBoundedOutOfOrderness(Duration.ofSeconds(2)).withIdleness(Duration.ofMinutes(1)));
  const e = env();
  e.enableCheckpointing(Duration.ofSeconds(2));
  t.equal(e.checkpointConfig.intervalMs, 2000);
  const keyed = e.fromSequence(0, 1).keyBy((x: number) => x);
  t.ok(keyed.window(TumblingEventTimeWindows.of(10)).allowedLateness(Duration.ofMillis(5)));
  t.ok(keyed.intervalJoin(keyed).between(Duration.ofMillis(-5), Duration.ofSeconds(1)));
  t.equal(toMillis(42, 'x'), 42);
  t.throws(() => TumblingEventTimeWindows.of({} as never), {
    code: 'API_INVALID_ARGUMENT',
    message: /TumblingEventTimeWindows\.of: expected milliseconds or a Duration .*got an object \(Object\)/,
  });
  t.throws(() => e.enableCheckpointing('5s' as never), { message: /enableCheckpointing\(interval\).*got string 5s/ });
});

t.test('keyBy on tuple positions and field names (Flink 1.x), routing as Flink', async (t) => {
  const words = [Tuple2.of('a', 1), Tuple2.of('b', 1), Tuple2.of('a', 1), Tuple2.of('a', 1)];
  const byPosition = await env().fromCollection(words).keyBy(0).sum(1).executeAndCollect();
  t.same(byPosition.map(String).sort(), ['(a,1)', '(a,2)', '(a,3)', '(b,1)']);
  const pojos = [
    { word: 'x', n: 1 },
    { word: 'y', n: 2 },
    { word: 'x', n: 3 },
  ];
  const byName = await env().fromCollection(pojos).keyBy('word').sum('n').executeAndCollect();
  t.same(byName.map((p) => `${p.word}:${p.n}`).sort(), ['x:1', 'x:4', 'y:2']);
  const rows = [
    ['k', 1, 5],
    ['k', 2, 5],
    ['k', 1, 5],
  ] as [string, number, number][];
  const keys: unknown[] = [];
  await env()
    .fromCollection(rows)
    .keyBy(0, 1)
    .process({
      processElement(_v: unknown, ctx: { getCurrentKey(): unknown }) {
        keys.push(ctx.getCurrentKey());
      },
    })
    .executeAndCollect();
  t.ok(
    keys.every((k) => k instanceof Tuple),
    'several fields key by a Tuple of them',
  );
  t.same(keys.map(String).sort(), ['(k,1)', '(k,1)', '(k,2)']);
  t.throws(() => env().fromSequence(0, 1).keyBy(-1), { code: 'API_INVALID_ARGUMENT', message: /keyBy\(-1\)/ });
});

t.test('generated uids: stable per topology, independent of names, changed by upstream changes', async (t) => {
  const build = (opts: { extraMap?: boolean; name?: string }) => {
    const e = env();
    let s = e.fromSequence(0, 9).map((x: number) => x);
    if (opts.extraMap) s = s.map((x: number) => x + 1);
    const counted = s
      .keyBy((x: number) => x % 2)
      .reduce((a: number, b: number) => a + b)
      .name(opts.name ?? 'Sum');
    counted.print();
    const explicit = s
      .keyBy((x: number) => x)
      .reduce((a: number, b: number) => a * b)
      .uid('product');
    explicit.print();
    const jg = buildJobGraph(e.graph, { defaultParallelism: 2 });
    const nodes = [...jg.streamGraph.nodes.values()];
    return {
      sum: nodes.find((n) => n.name === (opts.name ?? 'Sum'))!.generatedUid,
      product: nodes.find((n) => n.uid === 'product')!.generatedUid,
      all: nodes.map((n) => n.generatedUid),
    };
  };
  const a = build({});
  const b = build({});
  t.match(a.sum, /^[0-9a-f]{32}$/);
  t.same(a.all, b.all, 'the same job builds the same uids');
  t.equal(build({ name: 'Renamed' }).sum, a.sum, 'names do not count');
  t.not(build({ extraMap: true }).sum, a.sum, 'an inserted upstream operator changes it');
  t.equal(a.product, undefined, 'an explicit uid is kept, none generated');
  t.equal(new Set(a.all.filter(Boolean)).size, a.all.filter(Boolean).length, 'generated uids are unique');
});

t.test('unsupported Flink APIs fail at the call, naming the API and the alternative', async (t) => {
  const e = env();
  const s = e.fromSequence(0, 1);
  const m = s.map((x: number) => x);
  const cases: [() => unknown, RegExp][] = [
    [() => s.iterate(), /iterate\(\) is not supported by sluice; iterations were removed/],
    [() => s.global(), /global\(\) is not supported.*setParallelism\(1\)/],
    [() => s.partitionCustom(), /partitionCustom\(\) is not supported.*keyBy/],
    [() => s.writeToSocket(), /writeToSocket\(\) is not supported/],
    [() => s.writeUsingOutputFormat(), /writeUsingOutputFormat\(\) is not supported/],
    [() => m.setUidHash('abc'), /setUidHash\(\) is not supported.*uid/],
    [() => e.socketTextStream('localhost', 9999), /socketTextStream\(\) is not supported.*fromSource/],
    [() => e.registerCachedFile('a', 'b'), /registerCachedFile\(\) is not supported/],
    [() => e.setRuntimeMode('BATCH'), /setRuntimeMode\(BATCH\) is not supported/],
    [() => e.getCheckpointConfig(), /getCheckpointConfig\(\) is not supported.*execution\.checkpointing/],
    [() => e.setStateBackend({}), /setStateBackend\(\) is not supported.*state\.backend\.type \(hashmap or rocksdb\)/],
    [() => e.setRestartStrategy({}), /setRestartStrategy\(\) is not supported.*restart-strategy/],
    [() => e.getExecutionPlan(), /getExecutionPlan\(\) is not supported.*sluice info/],
    [() => e.setStreamTimeCharacteristic('IngestionTime'), /IngestionTime is not supported/],
  ];
  for (const [call, message] of cases) t.throws(call, { code: 'API_UNSUPPORTED', message });
  t.equal(e.setStreamTimeCharacteristic('EventTime'), e, 'EventTime is a no-op');
  t.equal(e.setRuntimeMode('STREAMING'), e);
});

t.test('startNewChain, returns, Types, setDescription, project', async (t) => {
  const e = env(1);
  e.fromSequence(0, 3)
    .map((x: number) => Tuple2.of(`k${x}`, x))
    .returns(Types.TUPLE(Types.STRING, Types.INT))
    .map((v) => v)
    .startNewChain()
    .setDescription('second map')
    .print();
  const jg = buildJobGraph(e.graph, { defaultParallelism: 1 });
  t.equal(jg.vertices.length, 2, 'the second map starts a new chain; the sink chains to it');
  t.match(String(Types.TUPLE(Types.STRING, Types.INT)), /Tuple2<String .*Integer.*ignored/);
  const projected = await env(1)
    .fromElements(Tuple2.of('a', 1))
    .map((v) => Tuple.fromArray([v.f0, v.f1, true]))
    .project(2, 0)
    .executeAndCollect();
  t.same(projected.map(String), ['(true,a)']);
});
