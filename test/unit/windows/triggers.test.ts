/**
 * Triggers against the real keyed backend and timer service (a port of Flink's TriggerTestHarness use in
 * EventTimeTriggerTest, ProcessingTimeTriggerTest, CountTriggerTest, PurgingTriggerTest and the continuous
 * trigger tests): timers per window, firing, clear, merging.
 */
import t from 'tap';
import type { InternalTimer } from '../../../runtime/api/operator.js';
import { createKeyedStateBackend, createTimerServiceManager } from '../../../runtime/state/index.js';
import {
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountTrigger,
  EventTimeTrigger,
  ProcessingTimeTrigger,
  PurgingTrigger,
  TimeWindow,
  TriggerResult,
  windowFromNamespace,
  type Trigger,
} from '../../../operators/windows/index.js';
import { createTriggerContext } from '../../../operators/windows/trigger-context.js';
import { FakeProcessingTime } from './harness.js';

class TriggerHarness {
  readonly pts = new FakeProcessingTime();
  readonly backend = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } });
  readonly mgr = createTimerServiceManager({ backend: this.backend, processingTimeService: this.pts });
  readonly fired: string[] = [];
  readonly timers;
  readonly ctx;
  constructor(readonly trigger: Trigger<unknown, TimeWindow>) {
    const onTimer = (kind: 'event' | 'proc') => (timer: InternalTimer) => {
      const w = windowFromNamespace(timer.namespace) as TimeWindow;
      const ctx = this.ctx.bind(w);
      const r =
        kind === 'event'
          ? trigger.onEventTime(timer.timestamp, w, ctx)
          : trigger.onProcessingTime(timer.timestamp, w, ctx);
      this.fired.push(`${w.toString()}@${timer.timestamp} ${r.toString()}`);
    };
    this.timers = this.mgr.getTimerService('t', { onEventTime: onTimer('event'), onProcessingTime: onTimer('proc') });
    this.ctx = createTriggerContext<TimeWindow>(this.backend, this.timers);
    this.backend.setCurrentKey('k');
  }
  element(ts: number, w: TimeWindow): TriggerResult {
    return this.trigger.onElement(null, ts, w, this.ctx.bind(w));
  }
  merge(result: TimeWindow, merged: TimeWindow[]): void {
    this.trigger.onMerge!(result, this.ctx.bindMerge(result, merged));
  }
  clear(w: TimeWindow): void {
    this.trigger.clear(w, this.ctx.bind(w));
  }
  advanceWatermark(wm: number): string[] {
    this.mgr.advanceWatermark(wm);
    return this.fired.splice(0);
  }
  advanceProcessingTime(ms: number): string[] {
    this.pts.advanceTo(ms);
    return this.fired.splice(0);
  }
}

const w = (s: number, e: number) => new TimeWindow(s, e);

t.test('EventTimeTrigger', async (t) => {
  const h = new TriggerHarness(EventTimeTrigger.create());
  t.equal(h.element(1, w(0, 2)), TriggerResult.CONTINUE);
  h.element(1, w(0, 2));
  h.element(3, w(2, 4));
  h.element(3, w(2, 4));
  t.equal(h.mgr.numEventTimeTimers(), 2, 'one timer per window');
  t.same(h.advanceWatermark(2), ['0:2@1 FIRE']);
  t.same(h.advanceWatermark(4), ['2:4@3 FIRE']);
  t.equal(h.mgr.numEventTimeTimers(), 0);

  const late = new TriggerHarness(EventTimeTrigger.create());
  late.advanceWatermark(2);
  t.equal(late.element(1, w(0, 2)), TriggerResult.FIRE, 'late element fires at once');
  t.equal(late.mgr.numEventTimeTimers(), 0, 'and registers no timer');

  const clear = new TriggerHarness(EventTimeTrigger.create());
  clear.element(1, w(0, 2));
  clear.element(3, w(2, 4));
  clear.clear(w(2, 4));
  t.equal(clear.mgr.numEventTimeTimers(), 1);
  clear.clear(w(0, 2));
  t.equal(clear.mgr.numEventTimeTimers(), 0);

  const merging = new TriggerHarness(EventTimeTrigger.create());
  t.ok(merging.trigger.canMerge!());
  merging.element(1, w(0, 2));
  merging.element(3, w(2, 4));
  merging.merge(w(0, 4), [w(0, 2), w(2, 4)]);
  merging.clear(w(0, 2));
  merging.clear(w(2, 4));
  t.equal(merging.mgr.numEventTimeTimers(), 1, 'only the merged window has a timer');
  t.same(merging.advanceWatermark(4), ['0:4@3 FIRE']);

  const lateMerge = new TriggerHarness(EventTimeTrigger.create());
  lateMerge.advanceWatermark(10);
  t.equal(lateMerge.element(1, w(0, 2)), TriggerResult.FIRE);
  lateMerge.merge(w(0, 4), [w(0, 2), w(2, 4)]);
  t.equal(lateMerge.mgr.numEventTimeTimers(), 0, 'no timer for a merged window behind the watermark');
});

t.test('ProcessingTimeTrigger', async (t) => {
  const h = new TriggerHarness(ProcessingTimeTrigger.create());
  t.equal(h.element(NaN, w(0, 2)), TriggerResult.CONTINUE);
  h.element(NaN, w(2, 4));
  t.equal(h.mgr.numProcessingTimeTimers(), 2);
  t.same(h.advanceProcessingTime(2), ['0:2@1 FIRE']);
  t.same(h.advanceProcessingTime(4), ['2:4@3 FIRE']);
  t.same(h.advanceWatermark(100), [], 'event time means nothing to it');
  const m = new TriggerHarness(ProcessingTimeTrigger.create());
  m.element(NaN, w(0, 2));
  m.element(NaN, w(2, 4));
  m.merge(w(0, 4), [w(0, 2), w(2, 4)]);
  m.clear(w(0, 2));
  m.clear(w(2, 4));
  t.same(m.advanceProcessingTime(4), ['0:4@3 FIRE']);
});

t.test('CountTrigger: fires at n per window, state merges', async (t) => {
  const h = new TriggerHarness(CountTrigger.of(3));
  const r = [1, 2, 3, 4, 5, 6].map(() => h.element(0, w(0, 2)).toString());
  t.same(r, ['CONTINUE', 'CONTINUE', 'FIRE', 'CONTINUE', 'CONTINUE', 'FIRE'], 'count resets after firing');
  t.equal(h.element(0, w(2, 4)), TriggerResult.CONTINUE, 'other windows count separately');
  h.element(0, w(0, 2));
  h.merge(w(0, 4), [w(0, 2), w(2, 4)]);
  t.equal(h.element(0, w(0, 4)), TriggerResult.FIRE, 'merged count 1 + 1 + 1 = 3');
  t.throws(() => CountTrigger.of(0), { code: 'API_INVALID_ARGUMENT' });
});

t.test('PurgingTrigger turns FIRE into FIRE_AND_PURGE', async (t) => {
  const h = new TriggerHarness(PurgingTrigger.of(CountTrigger.of(2)));
  t.same([h.element(0, w(0, 2)), h.element(0, w(0, 2))], [TriggerResult.CONTINUE, TriggerResult.FIRE_AND_PURGE]);
  const e = new TriggerHarness(PurgingTrigger.of(EventTimeTrigger.create()));
  e.element(1, w(0, 2));
  t.same(e.advanceWatermark(1), ['0:2@1 FIRE_AND_PURGE']);
  t.ok(e.trigger.canMerge!());
  t.ok(
    TriggerResult.FIRE_AND_PURGE.isFire() &&
      TriggerResult.FIRE_AND_PURGE.isPurge() &&
      !TriggerResult.CONTINUE.isFire() &&
      TriggerResult.PURGE.isPurge(),
  );
});

t.test('ContinuousEventTimeTrigger: every interval, aligned, and at the window end', async (t) => {
  const h = new TriggerHarness(ContinuousEventTimeTrigger.of(3000));
  t.equal(h.element(1000, w(0, 10_000)), TriggerResult.CONTINUE);
  h.element(2000, w(0, 10_000));
  t.same(h.advanceWatermark(2999), []);
  t.same(h.advanceWatermark(3000), ['0:10000@3000 FIRE'], 'first fire aligned to the interval');
  t.same(
    h.advanceWatermark(9999),
    ['0:10000@6000 FIRE', '0:10000@9000 FIRE', '0:10000@9999 FIRE'],
    'next fire capped at maxTimestamp',
  );
  const c = new TriggerHarness(ContinuousEventTimeTrigger.of(3000));
  c.element(1000, w(0, 10_000));
  c.clear(w(0, 10_000));
  t.equal(
    c.mgr.numEventTimeTimers(),
    1,
    'clear removes the fire-time timer (the end-of-window timer is the operator cleanup)',
  );
  const late = new TriggerHarness(ContinuousEventTimeTrigger.of(3000));
  late.advanceWatermark(20_000);
  t.equal(late.element(1000, w(0, 10_000)), TriggerResult.FIRE);
  const m = new TriggerHarness(ContinuousEventTimeTrigger.of(1000));
  m.element(500, w(500, 3500));
  m.element(2600, w(2600, 5600));
  m.merge(w(500, 5600), [w(500, 3500), w(2600, 5600)]);
  m.clear(w(500, 3500));
  m.clear(w(2600, 5600));
  t.same(
    m.advanceWatermark(1000),
    ['500:3500@1000 CONTINUE', '500:5600@1000 FIRE'],
    'merged fire time is the minimum; the stale timer of a merged window does nothing (the operator ignores it)',
  );
});

t.test('ContinuousProcessingTimeTrigger', async (t) => {
  const h = new TriggerHarness(ContinuousProcessingTimeTrigger.of(1000));
  h.pts.now = 250;
  h.element(NaN, w(0, 3000));
  t.same(h.advanceProcessingTime(999), []);
  t.same(h.advanceProcessingTime(2000), ['0:3000@1000 FIRE', '0:3000@2000 FIRE'], 'aligned to the interval');
  t.equal(h.mgr.numProcessingTimeTimers(), 1, 'next fire at min(3000, maxTimestamp 2999)');
  h.clear(w(0, 3000));
  t.equal(h.mgr.numProcessingTimeTimers(), 0);
  t.throws(() => ContinuousProcessingTimeTrigger.of(0), { code: 'API_INVALID_ARGUMENT' });
});
