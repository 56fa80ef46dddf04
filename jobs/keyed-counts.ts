/**
 * Keyed running counts: the first job. A sequence source of N events over K keys, keyed by `key`, a
 * KeyedProcessFunction keeping a per-key count in ValueState, printed as `key,count` lines.
 * Args: [events=1000] [keys=10]. Deterministic, so tests can check the exact output.
 */
import { StreamExecutionEnvironment, ValueStateDescriptor, jobArgs, type RuntimeContext, type ValueState } from 'sluice';

const [events = 1000, keys = 10] = jobArgs().map(Number);

interface Event {
  key: string;
  seq: number;
}

class CountPerKey {
  private count!: ValueState<number>;
  open(ctx: RuntimeContext): void {
    this.count = ctx.getState(new ValueStateDescriptor<number>('count', 0));
  }
  processElement(e: Event, _ctx: unknown, out: { collect(v: string): void }): void {
    const n = (this.count.value() ?? 0) + 1;
    this.count.update(n);
    out.collect(`${e.key},${n}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env
  .fromSequence(0, events - 1)
  .name('events')
  .map((i: number): Event => ({ key: `key-${i % keys}`, seq: i }))
  .keyBy((e: Event) => e.key)
  .process(new CountPerKey())
  .uid('count-per-key')
  .name('count per key')
  .print();

await env.execute('keyed running counts');
