// Benchmark job: generator → keyBy over many keys → keyed count in ValueState
// → a sink that drops records but appends a wall-clock mark every `markEvery` records to
// <outDir>/progress-<subtask>.log (so a benchmark can see when output stops and resumes).
// Args: outDir count recordsPerSecond(0 = unlimited) keys checkpointIntervalMs(0 = off) markEvery
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataGeneratorSource,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  jobArgs,
  type RuntimeContext,
  type Sink,
  type ValueState,
} from 'sluice';

const [
  outDir = 'out/bench-state',
  count = '3000000',
  rate = '0',
  keys = '1000000',
  intervalMs = '0',
  markEvery = '5000',
] = jobArgs();
const K = Number(keys);
const MARK = Number(markEvery);

class Count {
  private c!: ValueState<number>;
  open(ctx: RuntimeContext) {
    this.c = ctx.getState(new ValueStateDescriptor<number>('c', 0));
  }
  processElement(_i: number, _ctx: unknown, out: { collect(v: number): void }) {
    const n = (this.c.value() ?? 0) + 1;
    this.c.update(n);
    out.collect(n);
  }
}

const progressSink: Sink<number> = {
  createWriter(ctx: { subtaskIndex: number }) {
    let n = 0;
    mkdirSync(outDir!, { recursive: true });
    const file = join(outDir!, `progress-${ctx.subtaskIndex}.log`);
    return {
      write() {
        if (++n % MARK === 0) appendFileSync(file, `${Date.now()}\n`);
      },
    };
  },
};

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (Number(intervalMs) > 0) env.enableCheckpointing(Number(intervalMs));
env
  .fromSource(
    new DataGeneratorSource<number>(
      (i) => i,
      Number(count),
      Number(rate) > 0 ? { recordsPerSecond: Number(rate) } : {},
    ),
    undefined,
    'generator',
  )
  .uid('generator')
  .keyBy((i: number) => i % K)
  .process(new Count())
  .uid('count')
  .sinkTo(progressSink)
  .uid('sink');
await env.execute('bench keyed state');
