/**
 * Watermark generators and strategies: Flink's BoundedOutOfOrdernessWatermarksTest vectors, ascending
 * timestamps, WatermarksWithIdleness with an injected clock (IdlenessTimer rules), and WatermarkStrategy's
 * assigner / idleness / custom-generator decorators.
 */
import t from 'tap';
import {
  BoundedOutOfOrdernessWatermarks,
  WatermarkStrategy,
  WatermarksWithIdleness,
  type WatermarkGenerator,
  type WatermarkOutput,
} from '../../../operators/watermarks/index.js';
import { LONG_MIN } from '../../../runtime/api/time.js';

function recorder() {
  const events: string[] = [];
  const out: WatermarkOutput = {
    emitWatermark: (w) => void events.push(`wm ${w === LONG_MIN ? 'MIN' : w}`),
    markIdle: () => void events.push('idle'),
    markActive: () => void events.push('active'),
  };
  return { events, out };
}

function periodic(gen: WatermarkGenerator<unknown>): number {
  let wm = NaN;
  gen.onPeriodicEmit({ emitWatermark: (w) => (wm = w), markIdle() {}, markActive() {} });
  return wm;
}

t.test('BoundedOutOfOrdernessWatermarks (Flink test vectors, d = 10 ms)', async (t) => {
  t.equal(periodic(new BoundedOutOfOrdernessWatermarks(10)), LONG_MIN, 'no event: Long.MIN_VALUE');
  const one = new BoundedOutOfOrdernessWatermarks(10);
  one.onEvent(null, 122511);
  t.equal(periodic(one), 122500, '122511 → 122500');
  const many = new BoundedOutOfOrdernessWatermarks(10);
  for (const ts of [12545, 12500, 12540, 12580]) many.onEvent(null, ts);
  t.equal(periodic(many), 12569, 'max 12580 → 12569');
  many.onEvent(null, 12000);
  t.equal(periodic(many), 12569, 'an older event does not lower the watermark');
  t.throws(() => new BoundedOutOfOrdernessWatermarks(-1), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => WatermarkStrategy.forBoundedOutOfOrderness(-5), { code: 'API_INVALID_ARGUMENT' });
});

t.test('forMonotonousTimestamps trails the max timestamp by 1 ms', async (t) => {
  const gen = WatermarkStrategy.forMonotonousTimestamps<number>().createWatermarkGenerator();
  t.equal(periodic(gen), LONG_MIN);
  gen.onEvent(0, 1000, recorder().out);
  t.equal(periodic(gen), 999);
  t.ok(Number.isNaN(periodic(WatermarkStrategy.noWatermarks().createWatermarkGenerator())), 'noWatermarks never emits');
});

t.test(
  'WatermarksWithIdleness: countdown starts at the first quiet periodic emit, idle strictly after the timeout',
  async (t) => {
    let now = 0;
    const clock = { relativeTimeMs: () => now };
    const gen = new WatermarksWithIdleness<number>(new BoundedOutOfOrdernessWatermarks(0), 100, clock);
    const { events, out } = recorder();
    gen.onEvent(1, 50, out);
    now = 10;
    gen.onPeriodicEmit(out); // activity since last check: resets, emits
    t.same(events.splice(0), ['wm 49']);
    now = 20;
    gen.onPeriodicEmit(out); // first quiet probe: countdown starts at 20
    t.same(events.splice(0), ['wm 49']);
    now = 120;
    gen.onPeriodicEmit(out); // 100 elapsed: not strictly more
    t.same(events.splice(0), ['wm 49']);
    now = 121;
    gen.onPeriodicEmit(out);
    t.same(events.splice(0), ['idle'], 'idle, no watermark');
    now = 300;
    gen.onPeriodicEmit(out);
    t.same(events.splice(0), [], 'marked idle once');
    gen.onEvent(2, 70, out);
    now = 310;
    gen.onPeriodicEmit(out);
    t.same(events.splice(0), ['wm 69'], 'an event ends idleness: watermarks resume');
    t.throws(() => new WatermarksWithIdleness(new BoundedOutOfOrdernessWatermarks(0), 0, clock), {
      code: 'API_INVALID_ARGUMENT',
    });
  },
);

t.test('WatermarkStrategy: timestamp assigner, idleness through the context clock, custom generators', async (t) => {
  const s = WatermarkStrategy.forBoundedOutOfOrderness<{ at: number }>(5).withTimestampAssigner((e) => e.at);
  t.equal(s.createTimestampAssigner()({ at: 42 }, LONG_MIN), 42);
  t.equal(
    WatermarkStrategy.forMonotonousTimestamps<number>().createTimestampAssigner()(1, 77),
    77,
    'default keeps the record timestamp',
  );
  t.equal(
    WatermarkStrategy.forMonotonousTimestamps<number>()
      .withTimestampAssigner({ extractTimestamp: (e: number) => e * 2 })
      .createTimestampAssigner()(4, 0),
    8,
  );

  let now = 0;
  const idle = s.withIdleness(50).createWatermarkGenerator({ inputActivityClock: { relativeTimeMs: () => now } });
  const { events, out } = recorder();
  idle.onPeriodicEmit(out); // no activity: countdown starts at 0
  now = 51;
  idle.onPeriodicEmit(out);
  t.same(events, ['wm MIN', 'idle']);
  t.equal(s.withIdleness(50).createTimestampAssigner()({ at: 3 }, 0), 3, 'withIdleness keeps the assigner');
  t.throws(() => s.withIdleness(0), { code: 'API_INVALID_ARGUMENT' });

  const punctuated = WatermarkStrategy.forGenerator<number>(() => ({
    onEvent: (e, ts, o) => {
      if (e % 2 === 0) o.emitWatermark(ts);
    },
    onPeriodicEmit: () => {},
  }));
  const g = punctuated.createWatermarkGenerator();
  const r = recorder();
  g.onEvent(1, 10, r.out);
  g.onEvent(2, 20, r.out);
  t.same(r.events, ['wm 20']);
  t.throws(() => WatermarkStrategy.forGenerator(undefined as never), { code: 'API_INVALID_ARGUMENT' });
});
