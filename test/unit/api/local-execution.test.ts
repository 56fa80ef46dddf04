import t from 'tap';
import {
  MapStateDescriptor,
  OutputTag,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type Collector,
  type KeyedCoProcessFunction,
  type KeyedProcessContext,
  type RuntimeContext,
  type ValueState,
} from '../../../runtime/exports/index.js';
import { assignKeyToParallelOperator } from '../../../runtime/keygroups/key-group-assignment.js';

const env = (p = 2) => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);

t.test('map / filter / flatMap as lambdas and objects', async (t) => {
  const out = await env()
    .fromSequence(1, 10)
    .map((x: number) => x * 10)
    .filter({ filter: (x: number) => x % 20 === 0 })
    .flatMap({ flatMap: (x: number, o: Collector<number>) => (o.collect(x), o.collect(-x)) })
    .executeAndCollect();
  t.same(
    out.sort((a, b) => a - b),
    [-100, -80, -60, -40, -20, 20, 40, 60, 80, 100],
  );
});

t.test('keyed process with ValueState counts per key across 2 subtasks', async (t) => {
  class Count {
    private c!: ValueState<number>;
    open(ctx: RuntimeContext) {
      this.c = ctx.getState(new ValueStateDescriptor<number>('c', 0));
    }
    processElement(v: number, ctx: KeyedProcessContext<number>, out: Collector<string>) {
      this.c.update((this.c.value() ?? 0) + 1);
      out.collect(`${ctx.getCurrentKey()}:${this.c.value()}:${v}`);
    }
  }
  const out = await env()
    .fromSequence(0, 29)
    .keyBy((x: number) => x % 3)
    .process(new Count())
    .uid('count')
    .executeAndCollect();
  t.equal(out.length, 30);
  for (const k of [0, 1, 2]) {
    const mine = out.filter((s) => s.startsWith(`${k}:`)).map((s) => Number(s.split(':')[1]));
    t.same(
      mine.sort((a, b) => a - b),
      [...Array(10).keys()].map((i) => i + 1),
      `key ${k} counts 1..10`,
    );
  }
});

t.test('reduce and sum by field', async (t) => {
  const rows = [...Array(20).keys()].map((i) => ({ k: `k${i % 4}`, v: i }));
  const sums = await env().fromCollection(rows).keyBy('k').sum('v').uid('sum').executeAndCollect();
  const last = new Map<string, number>();
  for (const r of sums) last.set(r.k, Math.max(last.get(r.k) ?? -1, r.v));
  for (let k = 0; k < 4; k++)
    t.equal(
      last.get(`k${k}`),
      rows.filter((r) => r.k === `k${k}`).reduce((a, r) => a + r.v, 0),
    );
});

t.test('keyed co-process joins two streams by key on the same subtask', async (t) => {
  const e = env();
  const models = e.fromElements({ key: 'a', w: 2 }, { key: 'b', w: 3 });
  const data = e.fromSequence(0, 99).map((i: number) => ({ key: i % 2 ? 'a' : 'b', x: i }));
  const fn: KeyedCoProcessFunction<string, { key: string; x: number }, { key: string; w: number }, string> = {
    model: undefined as unknown as ValueState<number>,
    buf: undefined as unknown as ValueState<number[]>,
    open(this: any, ctx: RuntimeContext) {
      this.model = ctx.getState(new ValueStateDescriptor<number>('model'));
      this.buf = ctx.getState(new ValueStateDescriptor<number[]>('buf'));
    },
    processElement1(this: any, d: { key: string; x: number }, _ctx: unknown, out: Collector<string>) {
      const w = this.model.value();
      if (w === undefined) this.buf.update([...(this.buf.value() ?? []), d.x]);
      else out.collect(`${d.key}:${d.x * w}`);
    },
    processElement2(this: any, m: { key: string; w: number }, _ctx: unknown, out: Collector<string>) {
      this.model.update(m.w);
      for (const x of this.buf.value() ?? []) out.collect(`${m.key}:${x * m.w}`);
      this.buf.clear();
    },
  } as never;
  const out = await data
    .keyBy((d) => d.key)
    .connect(models.keyBy((m) => m.key))
    .process<string>(fn)
    .uid('join')
    .executeAndCollect();
  t.equal(out.length, 100);
  const expected = [...Array(100).keys()].map((i) => (i % 2 ? `a:${i * 2}` : `b:${i * 3}`)).sort();
  t.same(out.sort(), expected);
});

t.test('broadcast state reaches every parallel instance', async (t) => {
  const e = env();
  const rules = new MapStateDescriptor<string, number>('rules');
  const ruleStream = e.fromElements({ name: 'factor', value: 7 }).broadcast(rules);
  const out = await e
    .fromSequence(1, 40)
    .rebalance()
    .connect(ruleStream)
    .process<number>({
      pending: [] as number[],
      processElement(this: any, v: number, ctx: any, o: Collector<number>) {
        const f = ctx.getBroadcastState(rules).get('factor');
        if (f === undefined) this.pending.push(v);
        else o.collect(v * f);
      },
      processBroadcastElement(this: any, r: { name: string; value: number }, ctx: any, o: Collector<number>) {
        ctx.getBroadcastState(rules).put(r.name, r.value);
        for (const v of this.pending) o.collect(v * r.value);
        this.pending = [];
      },
    } as never)
    .uid('bc')
    .executeAndCollect();
  t.same(
    out.sort((a, b) => a - b),
    [...Array(40).keys()].map((i) => (i + 1) * 7),
  );
});

t.test('side outputs and union', async (t) => {
  const e = env();
  const odd = new OutputTag<number>('odd');
  const main = e
    .fromSequence(0, 19)
    .process<number>((v: number, ctx, out) => (v % 2 ? ctx.output(odd, v) : out.collect(v)));
  const merged = await main
    .getSideOutput(odd)
    .map((v: number) => -v)
    .union(main)
    .executeAndCollect();
  t.same(
    merged.sort((a, b) => a - b),
    [...Array(20).keys()].map((i) => (i % 2 ? -i : i)).sort((a, b) => a - b),
  );
});

t.test('event-time timers fire in timestamp order when the final watermark passes', async (t) => {
  const out = await env(1)
    .fromElements('x', 'y')
    .keyBy((s: string) => s)
    .process<string>({
      processElement(_v: string, ctx: any) {
        ctx.timerService().registerEventTimeTimer(100);
        ctx.timerService().registerEventTimeTimer(50);
        ctx.timerService().registerEventTimeTimer(100); // one timer per key and time
      },
      onTimer(ts: number, ctx: any, out: Collector<string>) {
        out.collect(`${ctx.getCurrentKey()}@${ts}:${ctx.timeDomain()}`);
      },
    } as never)
    .uid('timers')
    .executeAndCollect();
  t.same(
    out.filter((s) => s.startsWith('x')),
    ['x@50:EVENT_TIME', 'x@100:EVENT_TIME'],
  );
  t.same(
    out.filter((s) => s.startsWith('y')),
    ['y@50:EVENT_TIME', 'y@100:EVENT_TIME'],
  );
  t.same(
    out.map((s) => s.split('@')[1]),
    ['50:EVENT_TIME', '50:EVENT_TIME', '100:EVENT_TIME', '100:EVENT_TIME'],
  );
});

t.test('a failing user function fails the job with a clear error', async (t) => {
  await t.rejects(
    env(1)
      .fromSequence(0, 5)
      .map((x: number) => {
        if (x === 3) throw new Error('boom at 3');
        return x;
      })
      .executeAndCollect(),
    { code: 'TASK_FAILED', message: /boom at 3/ },
  );
});

t.test('a task failure names the operator chain and the subtask (Flink: "Map -> Sink: x (2/4)")', async (t) => {
  // the one key that Flink's routing sends to subtask index 1 of 2 (max parallelism 128)
  const bad = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].find((k) => assignKeyToParallelOperator(k, 128, 2) === 1)!;
  await t.rejects(
    env(2)
      .setMaxParallelism(128)
      .fromSequence(0, 99)
      .keyBy((x: number) => x % 10)
      .map((x: number) => {
        if (x % 10 === bad) throw new Error(`boom at ${x}`);
        return x;
      })
      .name('score')
      .executeAndCollect(),
    { code: 'TASK_FAILED', message: /^job "collect" failed: score \(2\/2\) failed: boom at \d+$/ },
  );
});

t.test('processing-time timers fire while the input is still running', async (t) => {
  const { DataGeneratorSource } = await import('../../../runtime/exports/index.js');
  const out = await env(1)
    .fromSource(
      new DataGeneratorSource((i: number) => `k${i % 2}`, 40, { recordsPerSecond: 100, batchSize: 1 }),
      undefined,
      'slow',
    )
    .keyBy((s: string) => s)
    .process<string>({
      armed: undefined as unknown as ValueState<boolean>,
      open(this: any, ctx: RuntimeContext) {
        this.armed = ctx.getState(new ValueStateDescriptor<boolean>('armed', false));
      },
      processElement(this: any, _v: string, ctx: any) {
        if (!this.armed.value()) {
          this.armed.update(true);
          ctx.timerService().registerProcessingTimeTimer(ctx.timerService().currentProcessingTime() + 30);
        }
      },
      onTimer(_ts: number, ctx: any, out: Collector<string>) {
        out.collect(`${ctx.getCurrentKey()}:${ctx.timeDomain()}`);
      },
    } as never)
    .uid('ptimers')
    .executeAndCollect();
  t.same(out.sort(), ['k0:PROCESSING_TIME', 'k1:PROCESSING_TIME']);
});

t.test('CoMap and CoFlatMap over connected streams', async (t) => {
  const e = env(1);
  const a = e.fromElements(1, 2);
  const b = e.fromElements('x');
  const mapped = await a
    .connect(b)
    .map<string>({ map1: (n: number) => `n${n}`, map2: (s: string) => `s${s}` })
    .executeAndCollect();
  t.same(mapped.sort(), ['n1', 'n2', 'sx']);
  const e2 = env(1);
  const flat = await e2
    .fromElements(3)
    .connect(e2.fromElements('yz'))
    .flatMap<string>({
      flatMap1: (n: number, o: Collector<string>) => {
        for (let i = 0; i < n; i++) o.collect(`${i}`);
      },
      flatMap2: (s: string, o: Collector<string>) => [...s].forEach((c) => o.collect(c)),
    })
    .executeAndCollect();
  t.same(flat.sort(), ['0', '1', '2', 'y', 'z']);
});
