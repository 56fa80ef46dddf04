/**
 * StatusWatermarkValve: every scenario of Flink's StatusWatermarkValveTest, inputs and expected outputs
 * re-derived from the valve's rules (min over aligned channels, idle exclusion, realignment, all-idle flush).
 */
import t from 'tap';
import { StatusWatermarkValve, type ValveEvent } from '../../../runtime/task/watermark-valve.js';

const wm = (timestamp: number): ValveEvent => ({ kind: 'watermark', timestamp });
const IDLE: ValveEvent = { kind: 'status', idle: true };
const ACTIVE: ValveEvent = { kind: 'status', idle: false };

t.test('single input: increasing watermarks', async (t) => {
  const v = new StatusWatermarkValve(1);
  t.same(v.inputWatermark(0, 0), [wm(0)]);
  t.same(v.inputWatermark(25, 0), [wm(25)]);
});

t.test('single input: decreasing watermarks yield no output', async (t) => {
  const v = new StatusWatermarkValve(1);
  t.same(v.inputWatermark(25, 0), [wm(25)]);
  t.same(v.inputWatermark(18, 0), []);
  t.same(v.inputWatermark(42, 0), [wm(42)]);
});

t.test('single input: status toggling, channels start ACTIVE', async (t) => {
  const v = new StatusWatermarkValve(1);
  t.same(v.inputWatermarkStatus(false, 0), []);
  t.same(v.inputWatermarkStatus(true, 0), [IDLE]);
  t.same(v.inputWatermarkStatus(true, 0), []);
  t.same(v.inputWatermarkStatus(false, 0), [ACTIVE]);
});

t.test('single input: watermark intact during idleness', async (t) => {
  const v = new StatusWatermarkValve(1);
  t.same(v.inputWatermark(25, 0), [wm(25)]);
  t.same(v.inputWatermarkStatus(true, 0), [IDLE]);
  t.same(v.inputWatermark(50, 0), [], 'ignored while idle');
  t.equal(v.getChannelStatus(0).watermark, 25);
  t.same(v.inputWatermarkStatus(false, 0), [ACTIVE]);
  t.same(v.inputWatermark(50, 0), [wm(50)]);
});

t.test('multiple inputs: a watermark only once every channel has one', async (t) => {
  const v = new StatusWatermarkValve(3);
  t.same([...v.inputWatermark(0, 0), ...v.inputWatermark(0, 1)], []);
  t.same(v.inputWatermark(0, 2), [wm(0)]);
});

t.test('multiple inputs: increasing watermarks', async (t) => {
  const v = new StatusWatermarkValve(3);
  v.inputWatermark(0, 0);
  v.inputWatermark(0, 1);
  t.same(v.inputWatermark(0, 2), [wm(0)]);
  t.same([...v.inputWatermark(12, 0), ...v.inputWatermark(8, 2), ...v.inputWatermark(10, 2)], []);
  t.same(v.inputWatermark(15, 1), [wm(10)], 'lowest is channel 2 at 10');
  t.same(v.inputWatermark(17, 2), [wm(12)], 'lowest is channel 0 at 12');
  t.same(v.inputWatermark(20, 0), [wm(15)], 'lowest is channel 1 at 15');
});

t.test('multiple inputs: decreasing watermarks yield no output', async (t) => {
  const v = new StatusWatermarkValve(3);
  v.inputWatermark(25, 0);
  v.inputWatermark(10, 1);
  t.same(v.inputWatermark(17, 2), [wm(10)]);
  t.same([...v.inputWatermark(12, 0), ...v.inputWatermark(8, 1), ...v.inputWatermark(15, 2)], []);
});

t.test('multiple inputs: status toggling', async (t) => {
  const v = new StatusWatermarkValve(2);
  t.same([...v.inputWatermarkStatus(false, 0), ...v.inputWatermarkStatus(false, 1)], []);
  t.same(v.inputWatermarkStatus(true, 1), []);
  t.same(v.inputWatermarkStatus(true, 0), [IDLE], 'all idle');
  t.same([...v.inputWatermarkStatus(true, 0), ...v.inputWatermarkStatus(true, 1)], []);
  t.same(v.inputWatermarkStatus(false, 1), [ACTIVE]);
  t.same(v.inputWatermarkStatus(false, 0), [], 'already active');
});

t.test('multiple inputs: advancing with partially idle channels', async (t) => {
  const v = new StatusWatermarkValve(3);
  t.same([...v.inputWatermark(15, 0), ...v.inputWatermark(10, 1)], []);
  t.same(v.inputWatermarkStatus(true, 2), [wm(10)], 'min over the remaining active channels');
  t.same(v.inputWatermark(18, 1), [wm(15)]);
  t.same(v.inputWatermark(20, 0), [wm(18)]);
});

t.test('multiple inputs: advancing as channels individually become idle', async (t) => {
  const v = new StatusWatermarkValve(3);
  v.inputWatermark(25, 0);
  v.inputWatermark(10, 1);
  t.same(v.inputWatermark(17, 2), [wm(10)]);
  t.same(v.inputWatermarkStatus(true, 1), [wm(17)]);
  t.same(v.inputWatermarkStatus(true, 2), [wm(25)]);
});

t.test('multiple inputs: max watermark and IDLE flushed once all inputs are idle', async (t) => {
  const v = new StatusWatermarkValve(3);
  v.inputWatermark(10, 0);
  v.inputWatermark(5, 1);
  t.same(v.inputWatermark(3, 2), [wm(3)]);
  t.same(
    [...v.inputWatermarkStatus(true, 0), ...v.inputWatermarkStatus(true, 1)],
    [],
    'channel 2 still holds the minimum',
  );
  t.same(v.inputWatermarkStatus(true, 2), [wm(10), IDLE], 'max flushed, then IDLE');
  t.ok(v.isIdle());
  t.same(v.inputWatermark(99, 2), [], 'idle valve ignores watermarks');
});

t.test('multiple inputs: realignment after a channel resumes', async (t) => {
  const v = new StatusWatermarkValve(3);
  v.inputWatermark(10, 0);
  v.inputWatermark(7, 1);
  t.same(v.inputWatermark(3, 2), [wm(3)]);
  t.same(v.inputWatermarkStatus(true, 2), [wm(7)]);
  t.same(v.inputWatermarkStatus(false, 2), []);
  t.equal(v.getChannelStatus(2).aligned, false, 'behind the last output: unaligned');
  t.same(v.inputWatermark(5, 2), [], 'accepted during realignment, no output');
  t.equal(v.getChannelStatus(2).watermark, 5);
  t.same(v.inputWatermark(9, 2), []);
  t.equal(v.getChannelStatus(2).aligned, true, 'caught up: aligned');
  t.same(v.inputWatermark(12, 1), [wm(9)], 'the realigned channel counts again');
});

t.test('no output when every active channel is unaligned (no Long.MAX_VALUE leak)', async (t) => {
  const v = new StatusWatermarkValve(3);
  v.inputWatermark(10, 0);
  v.inputWatermark(7, 1);
  t.same(v.inputWatermarkStatus(true, 2), [wm(7)]);
  t.same(v.inputWatermarkStatus(false, 2), []);
  t.same([...v.inputWatermarkStatus(true, 0), ...v.inputWatermarkStatus(true, 1)], []);
  t.equal(v.getLastOutputWatermark(), 7);
});

t.test('with an output object the events go there, none are returned; bad channels are rejected', async (t) => {
  const seen: string[] = [];
  const v = new StatusWatermarkValve(2, {
    emitWatermark: (w) => seen.push(`wm ${w}`),
    emitWatermarkStatus: (i) => seen.push(i ? 'idle' : 'active'),
  });
  v.inputWatermark(4, 0);
  v.inputWatermark(6, 1);
  v.inputWatermarkStatus(true, 0);
  t.same(v.inputWatermarkStatus(true, 1), []);
  t.same(seen, ['wm 4', 'wm 6', 'idle']);
  t.throws(() => v.inputWatermark(1, 2), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => new StatusWatermarkValve(0), { code: 'API_INVALID_ARGUMENT' });
});
