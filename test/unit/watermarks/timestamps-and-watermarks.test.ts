/**
 * TimestampsAndWatermarks (sources) and TimestampsAndWatermarksOperator (assignTimestampsAndWatermarks):
 * periodic emission at pipeline.auto-watermark-interval through a ProcessingTimeService, only strictly
 * increasing watermarks, per-split generators combined by min with idle splits excluded, MAX_WATERMARK at
 * end of input, record-before-watermark order.
 */
import t from 'tap';
import {
  TimestampsAndWatermarks,
  TimestampsAndWatermarksOperator,
  WatermarkStrategy,
  autoWatermarkIntervalFrom,
} from '../../../operators/watermarks/index.js';
import { LONG_MIN, MAX_WATERMARK } from '../../../runtime/api/time.js';
import { FakeProcessingTime, OperatorHarness } from '../windows/harness.js';

function setup(strategy: WatermarkStrategy<any>, autoWatermarkIntervalMs?: number) {
  const pts = new FakeProcessingTime();
  const out: string[] = [];
  const tw = new TimestampsAndWatermarks<any>({
    strategy,
    processingTimeService: pts,
    ...(autoWatermarkIntervalMs === undefined ? {} : { autoWatermarkIntervalMs }),
    output: {
      emitWatermark: (w) => void out.push(w === MAX_WATERMARK ? 'wm MAX' : `wm ${w}`),
      emitWatermarkStatus: (idle) => void out.push(idle ? 'idle' : 'active'),
    },
  });
  return { pts, out, tw };
}

t.test('periodic emission every 200 ms by default, strictly increasing only, MAX at end', async (t) => {
  const { pts, out, tw } = setup(
    WatermarkStrategy.forBoundedOutOfOrderness<number>(10).withTimestampAssigner((e) => e),
  );
  t.equal(tw.autoWatermarkIntervalMs, 200);
  tw.startPeriodicWatermarkEmits();
  t.equal(tw.collect(1000), 1000, 'assigned timestamp returned');
  pts.advanceTo(199);
  t.same(out, [], 'nothing before the first interval');
  pts.advanceTo(200);
  t.same(out.splice(0), ['wm 989']);
  tw.collect(500);
  pts.advanceTo(400);
  t.same(out.splice(0), [], 'same watermark again is not forwarded');
  tw.collect(2000);
  pts.advanceTo(600);
  t.same(out.splice(0), ['wm 1989']);
  tw.emitEndOfInput();
  pts.advanceTo(2000);
  t.same(out.splice(0), ['wm MAX'], 'MAX_WATERMARK, then no more periodic emission');
  t.equal(pts.pending(), 0);
});

t.test(
  'interval 0 disables periodic emission; records without timestamps give the assigner NO_TIMESTAMP',
  async (t) => {
    const seen: number[] = [];
    const { pts, out, tw } = setup(
      WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((e, ts) => (seen.push(ts), e)),
      0,
    );
    tw.startPeriodicWatermarkEmits();
    tw.collect(5);
    tw.collect(6, 99);
    pts.advanceTo(10_000);
    t.same(out, []);
    t.same(seen, [LONG_MIN, 99]);
    tw.emitPeriodicWatermark();
    t.same(out, ['wm 5'], 'a manual periodic emit still works');
  },
);

t.test(
  'per-split generators combine by min; idle splits are excluded; released splits stop holding back',
  async (t) => {
    const { out, tw } = setup(WatermarkStrategy.forMonotonousTimestamps<number>().withTimestampAssigner((e) => e));
    const a = tw.createOutputForSplit('a');
    const b = tw.createOutputForSplit('b');
    a.collect(100);
    tw.emitPeriodicWatermark();
    t.same(out.splice(0), [], 'split b holds the minimum at Long.MIN_VALUE');
    b.collect(50);
    tw.emitPeriodicWatermark();
    t.same(out.splice(0), ['wm 49'], 'min(99, 49)');
    b.markIdle();
    t.same(out.splice(0), ['wm 99'], 'an idle split leaves the minimum at once');
    tw.emitPeriodicWatermark();
    t.same(
      out.splice(0),
      [],
      "b's next periodic watermark (49) ends its idleness, as in Flink, but cannot lower the output",
    );
    a.collect(300);
    b.collect(400);
    tw.emitPeriodicWatermark();
    t.same(out.splice(0), ['wm 299']);
    a.markIdle();
    t.same(out.splice(0), ['wm 399'], 'a idle: min over the active split b');
    b.markIdle();
    t.same(out.splice(0), ['idle'], 'all splits idle: output idle');
    a.collect(500);
    tw.emitPeriodicWatermark();
    t.same(
      out.splice(0),
      [],
      'both splits revived at min 399 = last output: no advance, so the output stays idle (Flink)',
    );
    tw.releaseOutputForSplit('b');
    tw.emitPeriodicWatermark();
    t.same(
      out.splice(0),
      ['active', 'wm 499'],
      'released b no longer holds back; the advancing watermark marks the output active',
    );
  },
);

t.test('auto-watermark interval read from the job config', async (t) => {
  t.equal(autoWatermarkIntervalFrom({}), 200);
  t.equal(autoWatermarkIntervalFrom({ 'pipeline.auto-watermark-interval': '50 ms' }), 50);
  t.equal(autoWatermarkIntervalFrom({ 'pipeline.auto-watermark-interval': '1 s' }), 1000);
  t.equal(autoWatermarkIntervalFrom({ 'pipeline.auto-watermark-interval': '0' }), 0);
  t.throws(() => autoWatermarkIntervalFrom({ 'pipeline.auto-watermark-interval': 'soon' }), { code: 'CONFIG_INVALID' });
});

t.test(
  'TimestampsAndWatermarksOperator: re-stamps records, record before its watermark, swallows upstream watermarks but MAX',
  async (t) => {
    const strategy = WatermarkStrategy.forGenerator<{ id: number; at: number }>(() => ({
      onEvent: (e, ts, o) => {
        if (e.id % 2 === 0) o.emitWatermark(ts); // punctuated
      },
      onPeriodicEmit: () => {},
    })).withTimestampAssigner((e) => e.at);
    const op = new TimestampsAndWatermarksOperator(strategy);
    t.equal(op.ownsWatermarks, true);
    const h = await new OperatorHarness(op, {
      keySelectors: [() => 0],
      jobConfig: { 'pipeline.auto-watermark-interval': '100 ms' },
    }).open();
    h.element({ id: 1, at: 10 }, 999);
    h.element({ id: 2, at: 20 });
    t.same(h.take(), [
      { kind: 'record', value: { id: 1, at: 10 }, timestamp: 10 },
      { kind: 'record', value: { id: 2, at: 20 }, timestamp: 20 },
      { kind: 'watermark', timestamp: 20 },
    ]);
    op.processWatermark(5000);
    t.same(h.take(), [], 'upstream watermarks are replaced by the strategy');
    op.processWatermark(MAX_WATERMARK);
    op.processWatermark(MAX_WATERMARK);
    t.same(h.take(), [{ kind: 'watermark', timestamp: MAX_WATERMARK }], 'end of input forwarded once');
    await op.close();
  },
);

t.test(
  'TimestampsAndWatermarksOperator: periodic generator through the processing-time service; finish emits once more',
  async (t) => {
    const op = new TimestampsAndWatermarksOperator(
      WatermarkStrategy.forBoundedOutOfOrderness<number>(5).withTimestampAssigner((e) => e),
    );
    const h = await new OperatorHarness(op, {
      keySelectors: [() => 0],
      jobConfig: { 'pipeline.auto-watermark-interval': '100 ms' },
    }).open();
    h.element(100);
    h.processingTime(100);
    t.same(
      h.take().filter((e) => e.kind === 'watermark'),
      [{ kind: 'watermark', timestamp: 94 }],
    );
    h.element(300);
    h.processingTime(150);
    t.same(
      h.take().filter((e) => e.kind === 'watermark'),
      [],
      'not yet',
    );
    await op.finish();
    t.same(h.take(), [{ kind: 'watermark', timestamp: 294 }]);
    await op.close();
    t.equal(h.pts.pending(), 0, 'close cancels the periodic timer');
  },
);
