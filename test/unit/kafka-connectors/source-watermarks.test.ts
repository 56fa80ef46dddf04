import t from 'tap';
import * as kit from '../../support/kafka/test-kit.js';
import { StreamExecutionEnvironment, WatermarkStrategy, type Collector } from '../../../runtime/exports/index.js';
import { KafkaSource, OffsetsInitializer } from '../../../operators/connectors/kafka/index.js';
import { createTopic, quiet } from './helpers.js';

// Event time is observed through event-time timers: each record registers a timer at its own timestamp,
// which fires once the operator's watermark reaches it (forMonotonousTimestamps: watermark = max ts - 1).
t.test('per-partition watermarks: the job watermark is the minimum over the partitions', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  await createTopic(await kit.admin(t, k), 'wm', 2);
  const producer = await kit.producer(t, k);
  const send = (partition: number, value: string, ts: number) =>
    producer.send({ topic: 'wm', messages: [{ partition, value, timestamp: String(ts) }] });

  const seen: Array<{ v: string; ts: number | null }> = [];
  const fired: number[] = [];
  const source = quiet(KafkaSource.builder())
    .setBootstrapServers(b.address)
    .setTopics('wm')
    .setStartingOffsets(OffsetsInitializer.earliest())
    .setValueOnlyDeserializer((v) => v!.toString())
    .build();
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.getConfig().setAutoWatermarkInterval(20);
  env
    .fromSource(source, WatermarkStrategy.forMonotonousTimestamps<string>(), 'kafka')
    .keyBy(() => 'all')
    .process<number>({
      processElement(v: string, ctx: any) {
        seen.push({ v, ts: ctx.timestamp() });
        ctx.timerService().registerEventTimeTimer(ctx.timestamp());
      },
      onTimer(ts: number, _ctx: unknown, out: Collector<number>) {
        fired.push(ts);
        out.collect(ts);
      },
    } as never)
    .uid('timers')
    .sinkTo({ createWriter: () => ({ write() {} }) })
    .uid('discard');
  const job = await env.executeAsync('watermarks');
  t.teardown(async () => {
    await job.cancel().catch(() => undefined);
    await job.getJobExecutionResult().catch(() => undefined);
  });

  await send(1, 'fast-1', 10_000);
  await send(1, 'fast-2', 20_000);
  await kit.until(() => seen.length === 2, 'the fast partition');
  t.same(
    seen.map((s) => s.ts),
    [10_000, 20_000],
    'the Kafka timestamp is the record timestamp',
  );
  await send(0, 'slow-1', 1_000);
  await send(0, 'slow-2', 5_000);
  await kit.until(() => fired.length > 0, 'a first timer');
  // one generator for the whole source would be at 19 999 and would have fired 1 000, 5 000 and 10 000 at once
  t.same(fired, [1_000], 'watermark = min(partition 0: 4 999, partition 1: 19 999)');

  await send(0, 'slow-3', 30_000);
  await kit.until(() => fired.includes(10_000), 'the timers up to partition 1');
  t.same(
    fired,
    [1_000, 5_000, 10_000],
    'watermark = min(partition 0: 29 999, partition 1: 19 999): 20 000 and 30 000 wait',
  );
});

t.test('an empty partition holds event time back, unless the strategy has idleness', async (t) => {
  const b = await kit.broker(t);
  const k = kit.kafka(b);
  await createTopic(await kit.admin(t, k), 'idle', 2);
  const producer = await kit.producer(t, k);
  await producer.send({
    topic: 'idle',
    messages: [1_000, 2_000, 3_000].map((ts) => ({ partition: 0, value: String(ts), timestamp: String(ts) })),
  });
  const run = async (idleness: boolean) => {
    const fired: number[] = [];
    const seen: number[] = [];
    const source = quiet(KafkaSource.builder())
      .setBootstrapServers(b.address)
      .setTopics('idle')
      .setValueOnlyDeserializer((v) => v!.toString())
      .build();
    const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
    env.getConfig().setAutoWatermarkInterval(20);
    const strategy = WatermarkStrategy.forMonotonousTimestamps<string>();
    env
      .fromSource(source, idleness ? strategy.withIdleness(100) : strategy, 'kafka')
      .keyBy(() => 'all')
      .process<number>({
        processElement(_v: string, ctx: any) {
          seen.push(ctx.timestamp());
          ctx.timerService().registerEventTimeTimer(ctx.timestamp());
        },
        onTimer(ts: number, _ctx: unknown, out: Collector<number>) {
          fired.push(ts);
          out.collect(ts);
        },
      } as never)
      .uid('timers')
      .sinkTo({ createWriter: () => ({ write() {} }) })
      .uid('discard');
    const job = await env.executeAsync(`idle ${idleness}`);
    t.teardown(async () => {
      await job.cancel().catch(() => undefined);
      await job.getJobExecutionResult().catch(() => undefined);
    });
    return { fired, seen, job };
  };
  const withIdleness = await run(true);
  // Partition 0 must stay active while partition 1 goes idle: were both idle, the source would be idle and its
  // watermark would not advance (as in Flink), and partition 0's three records alone leave it idle 100 ms later,
  // possibly before partition 1's split is. So records at 3 000 keep it active (watermark 2 999: the timer at
  // 3 000 they register does not fire) until the timers below it have fired.
  await kit.until(async () => {
    if (withIdleness.fired.length >= 2) return true;
    await producer.send({ topic: 'idle', messages: [{ partition: 0, value: '3000', timestamp: '3000' }] });
    return false;
  }, "timers below the active partition's watermark");
  t.same(
    withIdleness.fired,
    [1_000, 2_000],
    'the empty partition went idle; the watermark follows partition 0 (2 999)',
  );
  const without = await run(false);
  await kit.until(() => without.seen.length >= 3, 'the records without idleness');
  // the same job without idleness, observed for as long as the idle run needed plus a margin: no timer
  await kit.until(() => without.fired.length > 0, 'a timer without idleness', 1_000).catch(() => undefined);
  t.same(without.fired, [], 'without idleness the empty partition holds the watermark back');
});
