/**
 * Watermark generation, ported from Flink's BoundedOutOfOrdernessWatermarksTest, and the two-input
 * idleness acceptance: a quiet model stream marked idle does not stall event time on the data stream;
 * without idleness it does. (The valve's own scenarios are in valve.test.ts.)
 */
import t from 'tap';
import {
  BoundedOutOfOrdernessWatermarks,
  WatermarkStrategy,
} from '../../../operators/watermarks/watermark-strategy.js';
import { LONG_MIN } from '../../../runtime/api/time.js';
import {
  DataGeneratorSource,
  StreamExecutionEnvironment,
  type Collector,
  type Source,
} from '../../../runtime/exports/index.js';
import { startLocally } from '../../../runtime/executor/local-executor.js';

function emitted(gen: BoundedOutOfOrdernessWatermarks<unknown>): number {
  let wm = NaN;
  gen.onPeriodicEmit({ emitWatermark: (w) => (wm = w), markIdle() {}, markActive() {} });
  return wm;
}

t.test('BoundedOutOfOrdernessWatermarks (Flink test vectors, d = 10 ms)', async (t) => {
  const none = new BoundedOutOfOrdernessWatermarks(10);
  t.equal(emitted(none), LONG_MIN, 'no event: Long.MIN_VALUE');
  const one = new BoundedOutOfOrdernessWatermarks(10);
  one.onEvent(null, 122511);
  t.equal(emitted(one), 122500);
  const many = new BoundedOutOfOrdernessWatermarks(10);
  for (const ts of [12545, 12500, 12540, 12580]) many.onEvent(null, ts);
  t.equal(emitted(many), 12569);
  t.throws(() => new BoundedOutOfOrdernessWatermarks(-1), { code: 'API_INVALID_ARGUMENT' });
});

/** A model stream that sends one model (timestamp 0) and then stays quiet without ending. */
function quietModelSource(): Source<string, { id: string }> {
  return {
    boundedness: 'CONTINUOUS_UNBOUNDED',
    createSplits: () => [{ id: 'models' }],
    createReader: () => {
      let sent = false;
      return {
        addSplits() {},
        pollNext(out) {
          if (!sent) {
            sent = true;
            out.collect('model-v1', 0);
          }
          return 'NOTHING_AVAILABLE';
        },
        isAvailable: () => new Promise((r) => setTimeout(r, 10)),
        snapshotState: () => [{ id: 'models' }],
      };
    },
  };
}

async function firedTimers(idle: boolean): Promise<number> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  env.getConfig().setAutoWatermarkInterval(20);
  const fired: number[] = [];
  const models = env.fromSource(
    quietModelSource(),
    idle
      ? WatermarkStrategy.forMonotonousTimestamps<string>().withIdleness(100)
      : WatermarkStrategy.forMonotonousTimestamps<string>(),
    'models',
  );
  const data = env.fromSource(
    new DataGeneratorSource((i: number) => i, 50, { recordsPerSecond: 500, timestampOf: (i) => i * 10 }),
    WatermarkStrategy.forMonotonousTimestamps<number>(),
    'data',
  );
  let seen = 0;
  data
    .keyBy(() => 'k')
    .connect(models.keyBy(() => 'k'))
    .process<number>({
      processElement1(v: number, ctx: any) {
        seen++;
        ctx.timerService().registerEventTimeTimer(v * 10);
      },
      processElement2() {},
      onTimer(ts: number, _ctx: unknown, out: Collector<number>) {
        fired.push(ts);
        out.collect(ts);
      },
    } as never)
    .uid('join')
    .sinkTo({ createWriter: () => ({ write() {} }) })
    .uid('discard');
  const job = await startLocally(env, idle ? 'idle' : 'not idle');
  const deadline = Date.now() + 10_000;
  // the data input ends after 50 records (~100 ms); give event time time to advance, then stop
  while (Date.now() < deadline && (seen < 50 || (idle && fired.length < 50)))
    await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, idle ? 0 : 400)); // without idleness: show nothing fires even later
  await job.cancel();
  await job.result.catch(() => {});
  t.equal(seen, 50);
  return fired.length;
}

t.test('a quiet model stream marked idle does not stall event time; without idleness it does', async (t) => {
  t.equal(await firedTimers(true), 50, 'with withIdleness: every data timer fires');
  t.equal(await firedTimers(false), 0, 'without idleness: the quiet input holds the combined watermark at -1');
});
