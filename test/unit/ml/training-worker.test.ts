import t from 'tap';
import type { TrainerRef } from '../../../runtime/api/trainer-ref.js';
import { TrainingWorker } from '../../../operators/ml/training-worker.js';

// The fixture next to this file's own form: the .ts source under tsx, the compiled .js in the unit tier's
// build (dist/unit), whose worker threads then need no TypeScript loader (a tsx per thread cost seconds).
const moduleUrl = new URL(
  `../../fixtures/job-with-trainers.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
).href;
const ref = <I, O>(name: string, args: string[] = []): TrainerRef<I, O> => ({ name, moduleUrl, args });

t.test('a trainer runs in a worker thread with the job arguments, in order, one at a time', async (t) => {
  const w = new TrainingWorker(ref<number[], { sum: number; mainThread: boolean }>('sum', ['100']));
  t.teardown(() => w.close());
  const [a, b] = await Promise.all([w.run([1, 2, 3]), w.run([4])]);
  t.same(a, { sum: 106, mainThread: false }, 'evaluated with the job arguments, off the main thread');
  t.same(b, { sum: 104, mainThread: false });
  t.equal(w.completed, 2);
  t.equal(w.outstanding, 0);
});

t.test('the event loop keeps running while a training holds its thread', async (t) => {
  const w = new TrainingWorker(ref<number, number>('spin'));
  t.teardown(() => w.close());
  await w.run(1); // the worker is up and the module evaluated
  let ticks = 0;
  let maxGapMs = 0;
  let last = performance.now();
  const iv = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 5);
  t.teardown(() => clearInterval(iv));
  const spins = await w.run(800);
  clearInterval(iv);
  t.ok(spins > 0);
  t.ok(ticks >= 20, `${ticks} timer ticks during an 800 ms training`);
  t.ok(maxGapMs < 400, `longest event-loop gap ${maxGapMs.toFixed(0)} ms (the training held its own thread)`);
});

t.test('failures: a throwing trainer, an unknown name, a dying worker, a closed worker', async (t) => {
  const fails = new TrainingWorker(ref<void, void>('fails'));
  t.teardown(() => fails.close());
  await t.rejects(fails.run(), { code: 'TRAINING_FAILED', message: /no convergence/ });
  const unknown = new TrainingWorker(ref<void, void>('nope'));
  t.teardown(() => unknown.close());
  await t.rejects(unknown.run(), { code: 'TRAINING_FAILED', message: /defines no trainer "nope"/ });
  const exits = new TrainingWorker(ref<void, void>('exits'));
  t.teardown(() => exits.close());
  await t.rejects(exits.run(), { code: 'TRAINING_FAILED', message: /exited with code 3/ });
  const sum = new TrainingWorker(ref<number[], { sum: number }>('sum'));
  await sum.close();
  await t.rejects(sum.run([1]), { code: 'TRAINING_FAILED', message: /closed/ });
});

t.test(
  'a training over trainingTimeoutMs has its thread stopped; the run queued behind it trains on a fresh one',
  async (t) => {
    const w = new TrainingWorker(ref<number, number>('spin'), { trainingTimeoutMs: 1_500 });
    t.teardown(() => w.close());
    t.ok((await w.run(50)) > 0, 'a training under the limit is not affected (loading the module is not counted)');
    const startedMs = performance.now();
    const long = w.run(120_000); // would hold its thread for two minutes
    const next = w.run(20);
    await t.rejects(long, {
      code: 'TRAINING_TIMED_OUT',
      message:
        /trainer spin: the training ran longer than trainingTimeoutMs \(1500 ms\); its worker thread was terminated/,
    });
    t.ok((await next) > 0, 'the queued run was not failed with it');
    const elapsedMs = performance.now() - startedMs;
    // The spinning thread could not have answered the queued run before its two minutes were up: a fresh
    // thread did, so the spinning one was stopped rather than left running.
    t.ok(elapsedMs < 60_000, `the queued run answered ${elapsedMs.toFixed(0)} ms after the long one started`);
    t.equal(w.timedOut, 1);
    t.equal(w.outstanding, 0);
  },
);

t.test('trainingTimeoutMs must be a positive number', async (t) => {
  for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY])
    t.throws(() => new TrainingWorker(ref<number, number>('spin'), { trainingTimeoutMs: bad }), {
      code: 'API_INVALID_ARGUMENT',
      message: /trainingTimeoutMs must be a positive number/,
    });
});
