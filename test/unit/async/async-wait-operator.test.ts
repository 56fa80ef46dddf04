/**
 * AsyncWaitOperator at operator level: ordered and unordered emission (watermarks as barriers), capacity
 * as back-pressure, timeouts (default and user handler), retries, end of input, checkpoint and restore.
 */
import t from 'tap';
import { AsyncWaitOperator, type AsyncWaitOptions } from '../../../operators/async/async-wait-operator.js';
import type { ResultFuture } from '../../../operators/async/async-function.js';
import { AsyncRetryStrategies, RetryPredicates } from '../../../operators/async/retry-strategies.js';
import { AsyncHarness, until } from './harness.js';

const opts = (o: Partial<AsyncWaitOptions<any>> = {}): AsyncWaitOptions<any> => ({
  mode: 'ORDERED',
  timeoutMs: 0,
  capacity: 100,
  ...o,
});

/** An async function whose calls the test completes by hand. */
function manual() {
  const calls = new Map<unknown, ResultFuture<unknown>[]>();
  return {
    calls,
    fn: { asyncInvoke: (x: unknown, rf: ResultFuture<unknown>) => void calls.set(x, [...(calls.get(x) ?? []), rf]) },
    done: (x: unknown, ...values: unknown[]) => calls.get(x)!.at(-1)!.complete(values),
  };
}

const shown = (h: AsyncHarness) => h.out.map((o) => (o.kind === 'watermark' ? `wm${o.timestamp}` : o.value));

t.test('ordered: results leave in input order, with the input timestamps', async (t) => {
  const m = manual();
  const h = await new AsyncHarness(new AsyncWaitOperator(m.fn, opts())).open();
  for (const x of [1, 2, 3]) h.element(x, x * 100);
  h.watermark(350);
  h.element(4, 400);
  for (const x of [4, 3, 2]) m.done(x, `r${x}`);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.same(h.out, [], 'nothing overtakes the unfinished head');
  m.done(1, 'r1a', 'r1b');
  await until(() => h.out.length === 6);
  t.same(shown(h), ['r1a', 'r1b', 'r2', 'r3', 'wm350', 'r4']);
  t.same(
    h.out.filter((o) => o.kind === 'record').map((o) => o.timestamp),
    [100, 100, 200, 300, 400],
  );
});

t.test('unordered: completion order within a segment, never across a watermark', async (t) => {
  const m = manual();
  const h = await new AsyncHarness(new AsyncWaitOperator(m.fn, opts({ mode: 'UNORDERED' }))).open();
  h.element('a');
  h.element('b');
  h.watermark(10);
  h.element('c');
  h.element('d');
  m.done('d', 'D');
  m.done('c', 'C');
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.same(h.out, [], 'c and d wait for the watermark, which waits for a and b');
  m.done('b', 'B');
  await until(() => h.out.length === 1);
  t.same(shown(h), ['B'], 'b overtakes a within the first segment');
  m.done('a', 'A');
  await until(() => h.out.length === 5);
  t.same(shown(h), ['B', 'A', 'wm10', 'D', 'C'], 'then the watermark, then c and d in completion order');
});

t.test(
  'capacity: a full queue makes processElement return a promise that settles only when room is made',
  async (t) => {
    const m = manual();
    const h = await new AsyncHarness(new AsyncWaitOperator(m.fn, opts({ capacity: 2 }))).open();
    t.equal(h.element(1), undefined);
    t.equal(h.element(2), undefined);
    const blocked = h.element(3);
    t.ok(blocked instanceof Promise, 'the third element is back-pressured');
    let settled = false;
    void (blocked as Promise<void>).then(() => {
      settled = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    t.equal(settled, false, 'still waiting: the task reads no further input');
    t.notOk(m.calls.has(3), 'the third call is not issued while the queue is full');
    m.done(1, 'one');
    await blocked;
    t.same(h.values(), ['one'], 'the waiting operator emitted the head itself');
    t.ok(m.calls.has(3), 'then issued the third call');
    t.equal((h.op as AsyncWaitOperator<unknown, unknown>).inFlight(), 2);
  },
);

t.test('default timeout: the element fails the job with Flink’s message', async (t) => {
  const h = await new AsyncHarness(new AsyncWaitOperator(manual().fn, opts({ timeoutMs: 20 }))).open();
  h.element({ id: 7 });
  await until(() => h.errors.length > 0);
  t.equal((h.errors[0] as { code?: string }).code, 'ASYNC_ELEMENT_FAILED');
  t.match(h.errors[0]!.message, /Could not complete the stream element: Record @ \(undef\) : \{"id":7\}\./);
  t.match(h.errors[0]!.message, /Async function call has timed out\./);
  t.equal(((h.errors[0] as Error).cause as { code?: string }).code, 'ASYNC_TIMEOUT');
});

t.test('a user timeout handler decides the outcome (a fallback result)', async (t) => {
  const fn = {
    asyncInvoke: () => {},
    timeout: (x: number, rf: ResultFuture<string>) => rf.complete([`fallback-${x}`]),
  };
  const h = await new AsyncHarness(new AsyncWaitOperator(fn, opts({ timeoutMs: 15 }))).open();
  h.element(1);
  h.element(2);
  await until(() => h.out.length === 2);
  t.same(h.values(), ['fallback-1', 'fallback-2']);
  t.same(h.errors, []);
});

t.test('retry: fixed delay on exceptions until success; exhausted retries fail', async (t) => {
  const attempts = new Map<number, number>();
  const flaky = async (x: number) => {
    const n = (attempts.get(x) ?? 0) + 1;
    attempts.set(x, n);
    if (n <= x) throw new Error(`attempt ${n} of ${x} failed`);
    return [`${x} after ${n}`];
  };
  const strategy = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<string>(2, 5)
    .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
    .build();
  const h = await new AsyncHarness(new AsyncWaitOperator(flaky, opts({ retryStrategy: strategy }))).open();
  h.element(0);
  h.element(1);
  h.element(2);
  await until(() => h.out.length === 3);
  t.same(h.values(), ['0 after 1', '1 after 2', '2 after 3'], 'maxAttempts 2 = up to 2 retries');
  h.element(3);
  await until(() => h.errors.length > 0);
  t.equal(attempts.get(3), 3, 'the first call and 2 retries, then the error is final');
  t.match(h.errors[0]!.message, /attempt 3 of 3 failed/);
});

t.test('retry: exponential backoff on empty results, only for matching exception types', async (t) => {
  class Transient extends Error {}
  let calls = 0;
  const times: number[] = [];
  const fn = async (x: string) => {
    calls++;
    times.push(Date.now());
    if (x === 'fatal') throw new TypeError('bad input');
    if (calls < 4) return calls === 2 ? Promise.reject(new Error('wrapped', { cause: new Transient('t') })) : [];
    return [x];
  };
  const strategy = new AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategyBuilder<string>(5, 10, 25, 2)
    .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
    .ifException(RetryPredicates.createExceptionTypePredicate(Transient))
    .build();
  t.same(
    [1, 2, 3, 4].map((n) => strategy.getBackoffTimeMillis(n)),
    [10, 20, 25, 25],
  );
  const h = await new AsyncHarness(new AsyncWaitOperator(fn, opts({ retryStrategy: strategy }))).open();
  h.element('x');
  await until(() => h.out.length === 1);
  t.same(h.values(), ['x']);
  t.equal(calls, 4, 'empty, transient error (in the cause chain), empty, then results');
  t.ok(times[1]! - times[0]! >= 9 && times[2]! - times[1]! >= 19, 'waits grow');
  h.element('fatal');
  await until(() => h.errors.length > 0);
  t.equal(calls, 5, 'a non-matching exception is not retried');
});

t.test('the timeout covers all retries', async (t) => {
  let calls = 0;
  const fn = {
    asyncInvoke: (_x: number, rf: ResultFuture<string>) => {
      calls++;
      rf.completeExceptionally(new Error('down'));
    },
    timeout: (x: number, rf: ResultFuture<string>) => rf.complete([`gave up on ${x}`]),
  };
  const strategy = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<string>(1000, 10)
    .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
    .build();
  const h = await new AsyncHarness(new AsyncWaitOperator(fn, opts({ retryStrategy: strategy, timeoutMs: 60 }))).open();
  h.element(1);
  await until(() => h.out.length === 1);
  t.same(h.values(), ['gave up on 1']);
  t.ok(calls >= 2 && calls < 20, `retried a few times (${calls}) before the timeout`);
  const before = calls;
  await new Promise((r) => setTimeout(r, 40));
  t.equal(calls, before, 'no retry after the timeout');
});

t.test(
  'finish: waits for in-flight elements; a pending retry runs once more at once, with no further retry',
  async (t) => {
    const m = manual();
    let calls = 0;
    const fn = {
      asyncInvoke: (x: string, rf: ResultFuture<string>) => {
        calls++;
        if (x === 'empty') rf.complete([]);
        else m.fn.asyncInvoke(x, rf as ResultFuture<unknown>);
      },
    };
    const strategy = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<string>(5, 60_000)
      .ifResult(RetryPredicates.EMPTY_RESULT_PREDICATE)
      .build();
    const h = await new AsyncHarness(new AsyncWaitOperator(fn, opts({ retryStrategy: strategy }))).open();
    h.element('empty');
    h.element('slow');
    let finished = false;
    const f = (h.op.finish!() as Promise<void>).then(() => {
      finished = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    t.equal(finished, false, 'finish waits for the slow element');
    m.done('slow', 'S');
    await f;
    t.same(h.values(), ['S'], 'the empty element ended with its (empty) result, no minute-long retry');
    t.equal(calls, 3, 'slow once, empty twice: the delayed retry ran at once at end of input');
  },
);

t.test('checkpoint: queued inputs (records and watermarks) are in state and re-issued on restore', async (t) => {
  const m = manual();
  const h1 = await new AsyncHarness(new AsyncWaitOperator(m.fn, opts())).open();
  for (const x of [1, 2, 3]) h1.element(x, x);
  h1.watermark(3);
  h1.element(4); // no timestamp
  m.done(1, 10);
  await until(() => h1.out.length === 1);
  m.done(3, 30); // complete but behind 2: not emitted, so it is in the snapshot too
  const snap = h1.snapshot();
  await h1.op.close!();

  const times10 = async (x: number) => [x * 10];
  const h2 = await new AsyncHarness(new AsyncWaitOperator(times10, opts({ capacity: 2 })), snap).open();
  await until(() => h2.out.length === 4);
  t.same(shown(h2), [20, 30, 'wm3', 40], 'restored elements issued again, in order, with the watermark');
  t.same(
    h2.out.map((o) => o.timestamp),
    [2, 3, 3, Number.NaN],
  );
  t.equal(h2.element(5), undefined, 'new input after the restored elements');
  await until(() => h2.out.length === 5);
});

t.test('bad arguments', async (t) => {
  t.throws(() => new AsyncWaitOperator({} as never, opts()), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => new AsyncWaitOperator(async () => [], opts({ capacity: 0 })), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder(0, 10), /maxAttempts/);
  const h = await new AsyncHarness(new AsyncWaitOperator((() => 42) as never, opts())).open();
  t.throws(
    () => h.element(1),
    /ResultFuture.complete expects a collection/,
    'a result that completes at once fails at once',
  );
});
