import t from 'tap';
import { EventTimeSchedule } from '../../../operators/ml/retrain-schedule.js';

const HOUR = 3_600_000;

t.test('points every N ms of event time, aligned to the origin, strictly after the given time', async (t) => {
  const s = new EventTimeSchedule(6 * HOUR);
  t.equal(s.nextAfter(0), 6 * HOUR);
  t.equal(s.nextAfter(6 * HOUR - 1), 6 * HOUR);
  t.equal(s.nextAfter(6 * HOUR), 12 * HOUR, 'a point is never due again once reached');
  t.equal(s.nextAfter(-1), 0);
  const shifted = new EventTimeSchedule(1000, 250);
  t.equal(shifted.nextAfter(0), 250);
  t.equal(shifted.nextAfter(250), 1250);
  t.same(shifted.between(250, 3250), [1250, 2250, 3250]);
  t.same(shifted.between(3250, 3250), []);
});

t.test('the same event times give the same points, however the watermark advanced', async (t) => {
  const s = new EventTimeSchedule(7);
  const inOneStep = s.between(0, 100);
  const inSteps: number[] = [];
  for (let wm = 0; wm < 100; wm += 3) inSteps.push(...s.between(wm, Math.min(100, wm + 3)));
  t.same(inSteps, inOneStep);
  t.equal(inOneStep.length, 14);
});

t.test('a schedule needs a positive integer period', async (t) => {
  t.throws(() => new EventTimeSchedule(0), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => new EventTimeSchedule(1.5), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => new EventTimeSchedule(10, 0.5), { code: 'API_INVALID_ARGUMENT' });
});
