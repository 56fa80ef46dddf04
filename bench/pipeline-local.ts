/**
 * In-process pipeline throughput: sequence source → map → keyBy → keyed count (ValueState) → counting
 * sink, on the local executor. Measures the engine's per-record cost without the network.
 */
import {
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  type RuntimeContext,
  type Sink,
  type ValueState,
} from '../runtime/exports/index.js';
import type { BenchResult } from './harness.js';

export async function pipelineLocal(records: number, parallelism: number): Promise<BenchResult> {
  let seen = 0;
  const sink: Sink<number> = { createWriter: () => ({ write: () => void seen++ }) };
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(parallelism);
  env
    .fromSequence(0, records - 1)
    .map((i: number) => ({ k: i % 1024, v: i }))
    .keyBy((e: { k: number }) => e.k)
    .process<number>({
      c: undefined as unknown as ValueState<number>,
      open(this: { c: ValueState<number> }, ctx: RuntimeContext) {
        this.c = ctx.getState(new ValueStateDescriptor<number>('c', 0));
      },
      processElement(this: { c: ValueState<number> }, _e: unknown, _ctx: unknown, out: { collect(v: number): void }) {
        const n = (this.c.value() ?? 0) + 1;
        this.c.update(n);
        out.collect(n);
      },
    } as never)
    .uid('count')
    .sinkTo(sink)
    .uid('sink');
  const t0 = performance.now();
  await env.execute('bench local pipeline');
  const s = (performance.now() - t0) / 1000;
  if (seen !== records) throw new Error(`benchmark lost records: ${seen} of ${records}`);
  return {
    name: `local pipeline, keyed count, p=${parallelism} (${records.toLocaleString('en-US')} records)`,
    value: records / s,
    unit: 'records/s',
  };
}
