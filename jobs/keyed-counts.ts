/**
 * Keyed running counts: the first job. A sequence source of N events over K keys, keyed by `key`, a
 * KeyedProcessFunction keeping a per-key count in ValueState, printed as `key,count` lines.
 * Args: [events=1000] [keys=10]. Deterministic, so tests can check the exact output.
 *
 * `--kafka host:port` (jobs/kafka-mode.ts; prefix `keyed-counts`): the sequence feeds the topic
 * `<prefix>.events` (JSON `{key, seq}`, Kafka key = key), the job reads it (read_committed) and writes the
 * `key,count` lines to `<prefix>.counts` (Kafka key = key, EXACTLY_ONCE: one transaction per checkpoint,
 * or one for the whole run without checkpointing) instead of printing. `--feed-only` and `--bounded` as in kafka-mode.ts.
 *
 * Invariant: without --kafka the graph and output are exactly the original ones.
 */
import {
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  jobArgs,
  type RuntimeContext,
  type ValueState,
} from 'sluice';
import { parseJobArgs, topicSink, topicSource } from './kafka-mode.js';

const { positional, kafka } = parseJobArgs(jobArgs(), 'keyed-counts');
const [events = 1000, keys = 10] = positional.map(Number);

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
const toEvent = (i: number): Event => ({ key: `key-${i % keys}`, seq: i });
if (!kafka) {
  env
    .fromSequence(0, events - 1)
    .name('events')
    .map(toEvent)
    .keyBy((e: Event) => e.key)
    .process(new CountPerKey())
    .uid('count-per-key')
    .name('count per key')
    .print();
} else {
  if (kafka.feed) {
    env
      .fromSequence(0, events - 1)
      .name('events')
      .map(toEvent)
      .sinkTo(topicSink<Event>(kafka, 'events', { key: (e) => e.key }))
      .uid('kafka-feed');
  }
  if (kafka.process) {
    env
      .fromSource(
        topicSource<Event>(kafka, 'events', (r) => JSON.parse(r.value?.toString('utf8') ?? '') as Event),
        undefined,
        'kafka-events',
      )
      .uid('kafka-events')
      .keyBy((e: Event) => e.key)
      .process(new CountPerKey())
      .uid('count-per-key')
      .name('count per key')
      .sinkTo(
        topicSink<string>(kafka, 'counts', { key: (line) => line.slice(0, line.indexOf(',')), value: (line) => line }),
      )
      .uid('kafka-counts');
  }
}

await env.execute('keyed running counts');
