/**
 * AsyncDataStream through real local execution (tasks, mailboxes, chaining): ordered and unordered waits
 * with promise/timer functions, the capacity bounding concurrent calls, a job failing on the default
 * timeout, and calls to an HTTP server the test starts (the external model server / feature store case).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import {
  AsyncDataStream,
  AsyncRetryStrategies,
  type ResultFuture,
  RetryPredicates,
  StreamExecutionEnvironment,
  TimeUnit,
} from '../../../runtime/exports/index.js';
import { ExternalModelFunction } from '../../../operators/ml/external-model-function.js';
import { seededRandom } from '../../../runtime/platform/index.js';
import { startV2Server } from '../../../bench/stand-ins/kserve-v2-server.js';

const env = (p = 1) => StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(p);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('orderedWait: input order, concurrency bounded by the capacity', async (t) => {
  const rnd = seededRandom(7);
  let inFlight = 0;
  let maxInFlight = 0;
  const capacity = 8;
  const lookup = async (x: number) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await sleep(Math.floor(rnd() * 6));
    inFlight--;
    return [x * 2];
  };
  const out = await AsyncDataStream.orderedWait(env().fromSequence(1, 300), lookup, 5, TimeUnit.SECONDS, capacity)
    .uid('async')
    .executeAndCollect();
  t.same(
    out,
    [...Array(300).keys()].map((i) => (i + 1) * 2),
  );
  t.ok(maxInFlight <= capacity, `at most ${capacity} calls in flight (saw ${maxInFlight})`);
  t.ok(maxInFlight > 1, 'calls overlap');
});

t.test('unorderedWait: every result, not necessarily in order; asyncInvoke objects with open()', async (t) => {
  class Enrich {
    private prefix = '';
    open() {
      this.prefix = 'e';
    }
    asyncInvoke(x: number, rf: ResultFuture<string>) {
      setTimeout(() => rf.complete([`${this.prefix}${x}`]), (x * 7) % 5);
    }
  }
  const out = await AsyncDataStream.unorderedWait(env(2).fromSequence(0, 199), new Enrich(), 10_000, 16)
    .uid('async')
    .executeAndCollect();
  t.same([...out].sort(), [...Array(200).keys()].map((i) => `e${i}`).sort());
});

t.test('a call that times out fails the job through the default timeout handler', async (t) => {
  const never = () => {};
  const job = AsyncDataStream.orderedWait(env().fromElements(1, 2, 3), never, 30, TimeUnit.MILLISECONDS)
    .uid('async')
    .executeAndCollect();
  await t.rejects(job, /Async function call has timed out/);
});

t.test('on a keyed stream, with retries', async (t) => {
  const failedOnce = new Set<string>();
  const retried = new Set<string>();
  const fn = async (w: string) => {
    if (!failedOnce.has(w)) {
      failedOnce.add(w);
      throw new Error('transient');
    }
    retried.add(w);
    return [w.toUpperCase()];
  };
  // As in Flink, retries stop at end of input (a failure then is final), so the source ends only once every
  // record was retried: the test is about retries while input flows, not about the race with end of input.
  const words = ['a', 'b', 'c', 'd', 'e', 'f'];
  const source = {
    async run(ctx: { collect(w: string): void }) {
      for (const w of words) ctx.collect(w);
      while (retried.size < words.length) await new Promise<void>((r) => setImmediate(r));
    },
    cancel() {},
  };
  const retry = new AsyncRetryStrategies.FixedDelayRetryStrategyBuilder<string>(3, 1)
    .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
    .build();
  const out = await AsyncDataStream.unorderedWaitWithRetry(
    env(2)
      .addSource(source)
      .keyBy((w: string) => w),
    fn,
    5000,
    TimeUnit.MILLISECONDS,
    4,
    retry,
  )
    .uid('async')
    .executeAndCollect();
  t.same([...out].sort(), ['A', 'B', 'C', 'D', 'E', 'F']);
  t.throws(
    () => AsyncDataStream.orderedWaitWithRetry(env().fromElements(1), fn as never, 10, 4),
    /expected an AsyncRetryStrategy/,
  );
});

t.test('calls to an HTTP server started by the test (a feature store)', async (t) => {
  const features: Record<string, number> = { u1: 0.5, u2: 1.5, u3: 2.5 };
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('user') ?? '';
    const delayMs = id === 'u1' ? 15 : 1; // u1 answers last: ordered mode must still emit it first
    setTimeout(() => {
      if (!(id in features)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ user: id, score: features[id] }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;

  const fetchFeatures = async (user: string) => {
    const res = await fetch(`http://127.0.0.1:${port}/features?user=${user}`);
    if (res.status === 404) return []; // unknown user: no output
    return [(await res.json()) as { user: string; score: number }];
  };
  const users = ['u1', 'u2', 'nobody', 'u3', 'u1'];
  const out = await AsyncDataStream.orderedWait(env().fromCollection(users), fetchFeatures, 5000, 10)
    .uid('features')
    .executeAndCollect();
  t.same(out, [
    { user: 'u1', score: 0.5 },
    { user: 'u2', score: 1.5 },
    { user: 'u3', score: 2.5 },
    { user: 'u1', score: 0.5 },
  ]);
  t.equal(requests, users.length);
});

t.test('ExternalModelFunction (Open Inference Protocol) through AsyncDataStream: batched server calls', async (t) => {
  const stub = await startV2Server('lin', [1, 2, 3], 0.5);
  t.teardown(() => stub.close());
  const fn = new ExternalModelFunction<number[]>({
    baseUrl: stub.url,
    model: 'lin',
    width: 3,
    extract: (r, out, off) => out.set(r, off),
    maxBatchSize: 16,
    lingerMs: 5,
  });
  const records = Array.from({ length: 60 }, (_, i) => [i, i % 7, -i]);
  const out = await AsyncDataStream.orderedWait(env().fromCollection(records), fn, 10_000, TimeUnit.MILLISECONDS, 32)
    .uid('score')
    .map((s) => [s.record, Math.round(s.prediction * 100) / 100, s.source] as const)
    .executeAndCollect();
  t.same(
    out,
    records.map((r) => [r, Math.round((r[0]! + 2 * r[1]! + 3 * r[2]! + 0.5) * 100) / 100, 'server']),
    'every record scored by the server, in input order',
  );
  t.equal(stub.rows, records.length);
  t.ok(stub.requests < records.length, `concurrent records batched into fewer calls (${stub.requests})`);
});
