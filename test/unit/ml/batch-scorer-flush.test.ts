/**
 * The batch scorer's flush policy with many keys: batching per subtask (the pending rows of all models
 * together trigger the flush at maxPendingRows, so 32 keys with a model each do not each wait for the linger
 * timer), a model's full batch flushing alone, the drain flush (input ran dry: score now, or when the batch
 * being scored completes) and its pacing by the scorer's last busy period, the linger timer as the latency bound for callers that never signal a drain, and
 * backpressure while too many rows are being scored.
 * Models are fakes whose batches complete when the test says, so every step is observable.
 */
import t from 'tap';
import { BatchScorer, type ScoredOutput } from '../../../operators/ml/batch-scorer.js';
import type { ServingModel } from '../../../operators/ml/model.js';

interface Rec {
  key: string;
  i: number;
}

function fakeModel(name: string) {
  const calls: { rows: number; done: () => void }[] = [];
  const m: ServingModel = {
    descriptor: { name, version: '1', sha256: name } as ServingModel['descriptor'],
    inputWidth: 1,
    outputWidth: 1,
    backend: 'fake',
    scoreBatch: (features, rows) =>
      new Promise<Float32Array>((resolve) =>
        calls.push({ rows, done: () => resolve(Float32Array.from(features.subarray(0, rows), (x) => x * 2)) }),
      ),
    dispose: async () => {},
  };
  return { m, calls };
}

function setup(keys: number, maxBatchSize: number, maxInFlightRows?: number, maxPendingRows?: number, lingerMs = 5) {
  const clock = { ms: 0 };
  const models = new Map(Array.from({ length: keys }, (_, k) => [`k${k}`, fakeModel(`m${k}`)]));
  const timers: { fn: () => void; ms: number }[] = [];
  const outputs: ScoredOutput<Rec>[] = [];
  const scorer = new BatchScorer<Rec>({
    width: 1,
    maxBatchSize,
    lingerMs,
    ...(maxInFlightRows !== undefined ? { maxInFlightRows } : {}),
    ...(maxPendingRows !== undefined ? { maxPendingRows } : {}),
    extract: (r, out, off) => {
      out[off] = r.i;
    },
    keyOf: (r) => r.key,
    timestampOf: (r) => r.i,
    selectModel: (k) => models.get(k)?.m,
    scheduler: {
      nowMs: () => 0,
      monotonicMs: () => clock.ms,
      setTimeout: (fn, ms) => {
        const h = { fn, ms };
        timers.push(h);
        return h as never;
      },
      clear: (h) => {
        const i = timers.indexOf(h as never);
        if (i >= 0) timers.splice(i, 1);
      },
    },
    onOutput: (o) => outputs.push(o),
    onNoModel: () => {
      throw new Error('every key has a model');
    },
  });
  const calls = () => [...models.values()].flatMap((x) => x.calls);
  const finishAll = () => {
    for (const c of calls().splice(0)) c.done();
    for (const x of models.values()) x.calls.length = 0;
  };
  return { scorer, timers, outputs, calls, finishAll, clock };
}

const settle = () => new Promise((r) => setImmediate(r));

t.test(
  'many keys: the subtask batch flushes when all models together reach maxPendingRows (8 × maxBatchSize)',
  async (t) => {
    const { scorer, timers, outputs, calls, finishAll } = setup(32, 64);
    const results: (Promise<unknown> | null)[] = [];
    for (let i = 0; i < 512; i++) results.push(scorer.add({ key: `k${i % 32}`, i }));
    t.same(
      results.map((r, i) => (r === null ? -1 : i)).filter((i) => i >= 0),
      [511],
      'only the 512th record triggers a flush',
    );
    t.equal(scorer.pendingCount, 0, 'every model batch flushed, not one of them');
    t.equal(calls().length, 32, 'one scoring call per model');
    t.same(
      calls().map((c) => c.rows),
      Array(32).fill(16),
      'each model scores 16 rows at once, not 2 as a subtask batch of maxBatchSize would give',
    );
    t.equal(timers.length, 0, 'the linger timer is cleared by the size flush');
    finishAll();
    const flushed = (await results[511]) as ScoredOutput<Rec>[];
    t.equal(flushed.length, 512, 'the flush promise carries the whole subtask batch');
    t.same(
      outputs.filter((o) => o.key === 'k3').map((o) => o.record.i),
      Array.from({ length: 16 }, (_, j) => 3 + 32 * j),
      'order is kept within each key',
    );
    t.ok(outputs.every((o) => o.prediction === o.record.i * 2));
  },
);

t.test('a model whose batch is full flushes alone; the other models keep filling', async (t) => {
  const { scorer, calls, finishAll } = setup(4, 8);
  for (let i = 0; i < 3; i++) t.equal(scorer.add({ key: 'k1', i }), null);
  for (let i = 0; i < 7; i++) t.equal(scorer.add({ key: 'k0', i }), null);
  t.ok(scorer.add({ key: 'k0', i: 7 }), 'the eighth row of k0 fills its batch');
  t.same(
    calls().map((c) => c.rows),
    [8],
  );
  t.equal(scorer.pendingCount, 3, "k1's rows wait for more");
  finishAll();
  await Promise.all([scorer.flushAll(), settle().then(() => finishAll())]);
});

t.test('drained: pending rows are scored at once when no batch is being scored, no timer needed', async (t) => {
  const { scorer, timers, outputs, calls, finishAll } = setup(4, 1024);
  scorer.drained();
  t.equal(calls().length, 0, 'nothing pending: nothing to do');
  t.equal(scorer.add({ key: 'k1', i: 1 }), null);
  t.equal(scorer.add({ key: 'k2', i: 2 }), null);
  scorer.drained();
  t.same(
    calls().map((c) => c.rows),
    [1, 1],
    'both models scored on the drain, far below a full batch',
  );
  t.equal(timers.length, 0, 'the linger timer is cleared');
  finishAll();
  await scorer.flushAll();
  t.same(
    outputs.map((o) => o.record.i),
    [1, 2],
  );
});

t.test('drained while a batch is being scored: flush when it completes, unless input arrived meanwhile', async (t) => {
  const { scorer, calls, finishAll } = setup(2, 1024);
  scorer.add({ key: 'k0', i: 0 });
  scorer.drained();
  t.equal(calls().length, 1, 'the first batch is being scored');
  scorer.add({ key: 'k0', i: 1 });
  scorer.drained();
  t.equal(calls().length, 1, 'the second waits while the model is busy (it fills meanwhile at full load)');
  finishAll();
  await settle();
  t.same(
    calls().map((c) => c.rows),
    [1],
    'scored when the first batch completed',
  );
  // the same, but a record arrives after the drain: the input is flowing, batches keep filling
  scorer.add({ key: 'k0', i: 2 });
  scorer.drained();
  scorer.add({ key: 'k0', i: 3 });
  finishAll();
  await settle();
  t.equal(calls().length, 0, 'no flush: a record arrived after the drain signal');
  t.equal(scorer.pendingCount, 2);
  await Promise.all([scorer.flushAll(), settle().then(() => finishAll())]);
});

t.test('drain flushes are paced by their cost: idle three times the last busy period, else a timer', async (t) => {
  const { scorer, timers, calls, finishAll, clock } = setup(2, 1024);
  scorer.add({ key: 'k0', i: 0 });
  scorer.drained();
  t.equal(calls().length, 1, 'the first drain flushes at once');
  clock.ms = 2;
  finishAll();
  await settle(); // the scorer was busy 2 ms
  scorer.add({ key: 'k0', i: 1 });
  scorer.add({ key: 'k1', i: 2 });
  timers.splice(0); // the linger timer is not what this test looks at
  clock.ms = 4;
  scorer.drained();
  t.equal(calls().length, 0, 'idle 2 ms after 2 ms busy: the drain does not flush yet');
  t.same(
    timers.map((h) => h.ms),
    [4],
    'a timer flushes when the scorer will have been idle 6 ms',
  );
  scorer.add({ key: 'k0', i: 3 });
  scorer.drained();
  t.equal(timers.length, 1, 'one paced flush at a time');
  timers.splice(0)[0]!.fn();
  t.same(
    calls().map((c) => c.rows),
    [2, 1],
    'the paced flush scores every pending row, those that arrived after the drain too',
  );
  clock.ms = 5;
  finishAll();
  await settle(); // busy 1 ms
  scorer.add({ key: 'k1', i: 4 });
  clock.ms = 8;
  scorer.drained();
  t.equal(calls().length, 1, 'idle 3 ms after 1 ms busy: the drain flushes at once');
  finishAll();
  await scorer.flushAll();
});

t.test('drain pacing waits at most lingerMs, and not at all without a linger timer', async (t) => {
  for (const lingerMs of [5, 0]) {
    const { scorer, timers, calls, finishAll, clock } = setup(1, 1024, undefined, undefined, lingerMs);
    scorer.add({ key: 'k0', i: 0 });
    scorer.drained();
    clock.ms = 100;
    finishAll();
    await settle(); // busy 100 ms: the pace alone would wait 300 ms
    scorer.add({ key: 'k0', i: 1 });
    timers.splice(0);
    scorer.drained();
    if (lingerMs > 0) {
      t.same(
        timers.map((h) => h.ms),
        [5],
        'the paced flush comes within lingerMs',
      );
      timers.splice(0)[0]!.fn();
    }
    t.same(
      calls().map((c) => c.rows),
      [1],
      lingerMs > 0 ? 'flushed by the paced timer' : 'no linger timer: the drain flushes at once',
    );
    finishAll();
    await scorer.flushAll();
  }
});

t.test('low load: the linger timer bounds the wait; a lone record is not held for a full batch', async (t) => {
  const { scorer, timers, outputs, calls, finishAll } = setup(4, 1024);
  t.equal(scorer.add({ key: 'k1', i: 1 }), null);
  t.equal(scorer.add({ key: 'k2', i: 2 }), null);
  t.equal(timers.length, 1, 'one timer for the subtask, not one per key');
  t.equal(timers[0]!.ms, 5);
  timers.splice(0)[0]!.fn();
  t.equal(calls().length, 2, 'both keys flushed by the timer');
  finishAll();
  await scorer.flushAll();
  t.same(
    outputs.map((o) => o.record.i),
    [1, 2],
  );
});

t.test('backpressure: while maxInFlightRows are being scored, add returns a promise of their completion', async (t) => {
  const { scorer, timers, calls, finishAll } = setup(2, 4, 4, 4);
  for (let i = 0; i < 3; i++) t.equal(scorer.add({ key: `k${i % 2}`, i }), null);
  const full = scorer.add({ key: 'k1', i: 3 });
  t.ok(full, 'size flush');
  t.equal(scorer.add({ key: 'k0', i: 4 }) !== null, true, '4 rows in flight: the next add waits');
  const wait = scorer.add({ key: 'k0', i: 5 })!;
  let released = false;
  void wait.then(() => {
    released = true;
  });
  await settle();
  t.notOk(released, 'not before the batches in flight complete');
  finishAll();
  t.same(await wait, [], 'a wait carries no outputs of other calls');
  t.ok(released);
  t.equal(scorer.add({ key: 'k1', i: 6 }), null, 'nothing in flight: no wait');
  t.equal(timers.length, 1);
  await Promise.all([scorer.flushAll(), settle().then(() => finishAll())]);
  t.equal(calls().length, 0);
});
