import t from 'tap';
import {
  type Collector,
  CoProcessFunction,
  KeyedProcessFunction,
  OutputTag,
  ProcessAllWindowFunction,
  ProcessFunction,
  ProcessWindowFunction,
  RichFilterFunction,
  RichFlatMapFunction,
  RichMapFunction,
  RichParallelSourceFunction,
  RichSinkFunction,
  type SourceContext,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  Tuple2,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from '../../../runtime/exports/index.js';

const env = (p = 2) => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);

t.test('RichMapFunction / RichFlatMapFunction / RichFilterFunction: open, getRuntimeContext, close', async (t) => {
  const closed: number[] = [];
  class Tag extends RichMapFunction<number, string> {
    private subtask = -1;
    override open(): void {
      this.subtask = this.getRuntimeContext().getIndexOfThisSubtask();
    }
    map(value: number): string {
      return `${this.subtask}:${value}`;
    }
    override close(): void {
      closed.push(this.subtask);
    }
  }
  class Twice extends RichFlatMapFunction<string, string> {
    flatMap(value: string, out: Collector<string>): void {
      out.collect(value);
      out.collect(`${value}!`);
    }
  }
  class Odd extends RichFilterFunction<number> {
    filter(value: number): boolean {
      return this.getRuntimeContext().getNumberOfParallelSubtasks() === 2 && value % 2 === 1;
    }
  }
  const out = await env().fromSequence(1, 6).filter(new Odd()).map(new Tag()).flatMap(new Twice()).executeAndCollect();
  t.equal(out.length, 6);
  for (const v of [1, 3, 5])
    t.ok(
      out.some((s) => /^[01]:/.test(s) && s.endsWith(`:${v}`)),
      `value ${v} tagged`,
    );
  t.same(closed.sort(), [0, 1], 'each subtask opened and closed its own copy');
});

t.test('getRuntimeContext() before open is a specific error', async (t) => {
  class Early extends RichMapFunction<number, number> {
    map(v: number) {
      return v;
    }
  }
  t.throws(() => new Early().getRuntimeContext(), {
    code: 'API_NO_RUNTIME_CONTEXT',
    message: /Early\.getRuntimeContext/,
  });
});

t.test('KeyedProcessFunction: state from getRuntimeContext() in open, event-time onTimer', async (t) => {
  class CountThenFlush extends KeyedProcessFunction<string, Tuple2<string, number>, string> {
    private count!: ValueState<number>;
    override open(): void {
      this.count = this.getRuntimeContext().getState(new ValueStateDescriptor<number>('count', 0));
    }
    processElement(
      value: Tuple2<string, number>,
      ctx: KeyedProcessFunction.Context<string>,
      _out: Collector<string>,
    ): void {
      this.count.update((this.count.value() ?? 0) + 1);
      ctx.timerService().registerEventTimeTimer(value.f1 + 100);
    }
    override onTimer(timestamp: number, ctx: KeyedProcessFunction.OnTimerContext<string>, out: Collector<string>) {
      out.collect(`${ctx.getCurrentKey()}@${timestamp}=${this.count.value()}`);
    }
  }
  const out = await env()
    .fromElements(Tuple2.of('a', 1), Tuple2.of('b', 2), Tuple2.of('a', 3))
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<Tuple2<string, number>>().withTimestampAssigner((e) => e.f1),
    )
    .keyBy((v) => v.f0)
    .process(new CountThenFlush())
    .executeAndCollect();
  t.same(out.sort(), ['a@101=2', 'a@103=2', 'b@102=1']);
});

t.test('ProcessFunction with a side output; CoProcessFunction', async (t) => {
  const small = new OutputTag<number>('small');
  class Split extends ProcessFunction<number, number> {
    processElement(value: number, ctx: ProcessFunction.Context, out: Collector<number>): void {
      if (value < 3) ctx.output(small, value);
      else out.collect(value);
    }
  }
  const e = env(1);
  const split = e.fromSequence(1, 5).process(new Split());
  class Merge extends CoProcessFunction<number, number, string> {
    processElement1(value: number, _ctx: CoProcessFunction.Context, out: Collector<string>): void {
      out.collect(`big ${value}`);
    }
    processElement2(value: number, _ctx: CoProcessFunction.Context, out: Collector<string>): void {
      out.collect(`small ${value}`);
    }
  }
  const out = await split.connect(split.getSideOutput(small)).process(new Merge()).executeAndCollect();
  t.same(out.sort(), ['big 3', 'big 4', 'big 5', 'small 1', 'small 2']);
});

t.test('ProcessWindowFunction and ProcessAllWindowFunction: ctx.window(), runtime context', async (t) => {
  class Describe extends ProcessWindowFunction<Tuple2<string, number>, string, string, TimeWindow> {
    process(
      key: string,
      ctx: ProcessWindowFunction.Context<TimeWindow>,
      elements: Tuple2<string, number>[],
      out: Collector<string>,
    ): void {
      const subtasks = this.getRuntimeContext().getNumberOfParallelSubtasks();
      out.collect(`${key}[${ctx.window().start},${ctx.window().end})=${elements.length}/${subtasks}`);
    }
  }
  class Total extends ProcessAllWindowFunction<Tuple2<string, number>, string, TimeWindow> {
    process(
      ctx: ProcessAllWindowFunction.Context<TimeWindow>,
      elements: Tuple2<string, number>[],
      out: Collector<string>,
    ) {
      out.collect(`all[${ctx.window().start})=${elements.length}@${this.getRuntimeContext().getIndexOfThisSubtask()}`);
    }
  }
  const e = env();
  const input = e
    .fromElements(Tuple2.of('a', 1), Tuple2.of('a', 5), Tuple2.of('b', 12), Tuple2.of('a', 14))
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<Tuple2<string, number>>().withTimestampAssigner((v) => v.f1),
    );
  const perKey = await input
    .keyBy((v) => v.f0)
    .window(TumblingEventTimeWindows.of(10))
    .process(new Describe())
    .executeAndCollect();
  t.same(perKey.sort(), ['a[0,10)=2/2', 'a[10,20)=1/2', 'b[10,20)=1/2']);
  const e2 = env();
  const all = await e2
    .fromElements(Tuple2.of('a', 1), Tuple2.of('a', 5), Tuple2.of('b', 12))
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<Tuple2<string, number>>().withTimestampAssigner((v) => v.f1),
    )
    .windowAll(TumblingEventTimeWindows.of(10))
    .process(new Total())
    .executeAndCollect();
  t.same(all.sort(), ['all[0)=2@0', 'all[10)=1@0']);
});

t.test('RichParallelSourceFunction via addSource, RichSinkFunction via addSink', async (t) => {
  class Numbers extends RichParallelSourceFunction<string> {
    private running = true;
    async run(ctx: SourceContext<string>): Promise<void> {
      const i = this.getRuntimeContext().getIndexOfThisSubtask();
      for (let n = 0; n < 3 && this.running; n++) {
        ctx.collect(`${i}-${n}`);
        await Promise.resolve();
      }
    }
    cancel(): void {
      this.running = false;
    }
  }
  const seen: string[] = [];
  const lifecycle: string[] = [];
  class Keep extends RichSinkFunction<string> {
    override open(): void {
      lifecycle.push(`open ${this.getRuntimeContext().getIndexOfThisSubtask()}`);
    }
    invoke(value: string): void {
      seen.push(value);
    }
    override close(): void {
      lifecycle.push('close');
    }
  }
  const e = env();
  e.addSource(new Numbers()).addSink(new Keep()).setParallelism(1);
  await e.execute('legacy source and sink');
  t.same(seen.sort(), ['0-0', '0-1', '0-2', '1-0', '1-1', '1-2']);
  t.same(lifecycle, ['open 0', 'close']);
});

t.test('a SourceFunction whose run throws fails the job with its error', async (t) => {
  const e = env(1);
  e.addSource({
    run() {
      throw new Error('sensor offline');
    },
    cancel() {},
  }).print();
  await t.rejects(e.execute('failing source'), /sensor offline/);
});
