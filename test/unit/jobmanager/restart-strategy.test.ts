import t from 'tap';
import { loadConfiguration } from '../../../runtime/config/index.js';
import { createRestartStrategy, type RestartStrategy } from '../../../runtime/jobmanager/restart-strategy.js';
import { platform } from '../../../runtime/platform/index.js';
import { installFakeClock } from '../../support/fake-clock.js';

const config = (yamlText: string) => loadConfiguration({ yamlText }).typed;
/** A failure now, as the job master reports it: at the platform clock's time. */
const fail = (s: RestartStrategy) => s.nextDelayMs(platform.clock.nowMs());

t.test('unset type: none without checkpointing, exponential-delay with it', async (t) => {
  t.equal(createRestartStrategy(config(''), false).name, 'none');
  t.equal(fail(createRestartStrategy(config(''), false)), undefined, 'the first failure fails the job');
  t.equal(createRestartStrategy(config(''), true).name, 'exponential-delay');
  t.equal(createRestartStrategy(config('restart-strategy.type: off'), true).name, 'none', 'Flink alias');
});

t.test('fixed-delay: attempts restarts after delay', async (t) => {
  const s = createRestartStrategy(
    config('restart-strategy: {type: fixeddelay, fixed-delay: {attempts: 2, delay: 50 ms}}'),
    true,
  );
  t.equal(s.name, 'fixed-delay');
  t.same([fail(s), fail(s), fail(s)], [50, 50, undefined]);
});

t.test('exponential-delay: multiplier, cap, reset after calm, jitter within its share', async (t) => {
  const clock = installFakeClock(t);
  const base = [
    'restart-strategy.type: exponential-delay',
    'restart-strategy.exponential-delay.initial-backoff: 100 ms',
    'restart-strategy.exponential-delay.max-backoff: 300 ms',
    'restart-strategy.exponential-delay.backoff-multiplier: 2',
    'restart-strategy.exponential-delay.reset-backoff-threshold: 10 s',
  ];
  const s = createRestartStrategy(
    config([...base, 'restart-strategy.exponential-delay.jitter-factor: 0'].join('\n')),
    true,
  );
  const seen: Array<number | undefined> = [];
  for (let i = 0; i < 4; i++) {
    seen.push(fail(s));
    clock.advance(1000);
  }
  t.same(seen, [100, 200, 300, 300]);
  clock.advance(10_001);
  t.equal(fail(s), 100, 'a failure after reset-backoff-threshold of calm starts over');

  const limited = createRestartStrategy(
    config([...base, 'restart-strategy.exponential-delay.attempts-before-reset-backoff: 1'].join('\n')),
    true,
  );
  t.ok(fail(limited) !== undefined);
  t.equal(fail(limited), undefined, 'attempts-before-reset-backoff exhausted');

  // jitter 0.5 around 100 ms: every delay in [50, 150], and not all equal (random draws are fed in).
  const draws = [0, 1, 0.5, 0.25];
  const jittered = createRestartStrategy(
    config([...base, 'restart-strategy.exponential-delay.jitter-factor: 0.5'].join('\n')),
    true,
    () => draws.shift()!,
  );
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    delays.push(fail(jittered)!);
    clock.advance(20_000); // past the reset threshold: every delay is around the initial 100 ms
  }
  t.same(delays, [50, 150, 100, 75]);
});

t.test("failure-rate: fails on the max-failures-per-interval'th failure within the interval (Flink)", async (t) => {
  const clock = installFakeClock(t);
  const s = createRestartStrategy(
    config(
      [
        'restart-strategy.type: failure-rate',
        'restart-strategy.failure-rate.max-failures-per-interval: 3',
        'restart-strategy.failure-rate.failure-rate-interval: 1 min',
        'restart-strategy.failure-rate.delay: 2 s',
      ].join('\n'),
    ),
    false,
  );
  t.equal(s.name, 'failure-rate');
  t.equal(fail(s), 2000, 'failure 1 at 0 s: restart after delay');
  clock.advance(10_000);
  t.equal(fail(s), 2000, 'failure 2 at 10 s');
  clock.advance(51_000);
  t.equal(fail(s), 2000, 'failure 3 at 61 s: the first is outside the interval, so 2 in the last minute');
  clock.advance(9000);
  t.equal(fail(s), undefined, 'failure 4 at 70 s: the 3rd within a minute (10 s, 61 s, 70 s) fails the job');

  const defaults = createRestartStrategy(config('restart-strategy.type: failurerate'), false);
  t.equal(fail(defaults), undefined, 'default max-failures-per-interval 1: the first failure is already too many');

  const two = createRestartStrategy(
    config(
      'restart-strategy: {type: failure-rate, failure-rate: {max-failures-per-interval: 2, failure-rate-interval: 5 s}}',
    ),
    false,
  );
  t.equal(fail(two), 1000, 'default delay 1 s');
  clock.advance(5001);
  t.equal(fail(two), 1000, 'the previous failure is more than 5 s ago');
  clock.advance(5000);
  t.equal(fail(two), undefined, 'two failures within 5 s');
});

t.test('restart-strategy values outside the table are refused at load, naming the key', async (t) => {
  t.throws(() => config('restart-strategy.type: sometimes'), {
    code: 'CONFIG_INVALID',
    message: /restart-strategy\.type.*none, fixed-delay, failure-rate, exponential-delay/,
  });
  t.throws(() => config('restart-strategy.exponential-delay.jitter-factor: 2'), {
    code: 'CONFIG_INVALID',
    message: /jitter-factor must be at most 1/,
  });
});
