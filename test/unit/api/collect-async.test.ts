/**
 * collectAsync() in-process: every record of a parallel job once, through an iterator bound by
 * executeAsync(); memory bounded while the program consumes slowly (the queue back-pressures the job);
 * breaking out of `for await` cancels the job; a failed job rejects the iterator's next().
 */
import t from 'tap';
import { DataGeneratorSource, StreamExecutionEnvironment } from '../../../runtime/exports/index.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

t.test('every record of a parallelism-4 job, once, while the job runs', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(4);
  const results = env
    .fromSequence(1, 20_000)
    .map((v: number) => v * 2 + 1)
    .collectAsync();
  const client = await env.executeAsync('collect async');
  const got: number[] = [];
  for await (const v of results) got.push(v);
  t.equal(got.length, 20_000);
  t.same(
    [...got].sort((a, b) => a - b),
    Array.from({ length: 20_000 }, (_, i) => (i + 1) * 2 + 1),
  );
  const result = await client.getJobExecutionResult();
  t.equal(result.jobName, 'collect async');
  t.equal(await client.getJobStatus(), 'FINISHED');
});

t.test('a slow consumer holds the job back; break cancels it', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  let produced = 0;
  const results = env
    .fromSource(new DataGeneratorSource((i: number) => i, Infinity, { batchSize: 100 }), undefined, 'gen')
    .map((v: number) => {
      produced++;
      return v;
    })
    .collectAsync();
  const client = await env.executeAsync('slow consumer');
  t.teardown(() => client.cancel());
  let consumed = 0;
  let maxAhead = 0;
  for await (const _ of results) {
    consumed++;
    maxAhead = Math.max(maxAhead, produced - consumed);
    if (consumed % 50 === 0) await turn(); // the program is slower than the source
    if (consumed === 80_000) break;
  }
  t.ok(produced >= 80_000);
  // The queue (1000) plus what the bounded channels between the tasks hold: a bound, far below 80 000.
  t.ok(maxAhead < 10_000, `the job ran at most ${maxAhead} records ahead of the program`);
  await t.rejects(client.getJobExecutionResult(), { code: 'JOB_CANCELED' }, 'break cancelled the job');
  t.equal(await client.getJobStatus(), 'CANCELED');
  const after = produced;
  await turn();
  t.equal(produced, after, 'nothing is processed after the cancellation');
});

t.test('close() before the job ends cancels it; next() then reports the end', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const results = env
    .fromSource(new DataGeneratorSource((i: number) => i, Infinity, { batchSize: 10 }), undefined, 'gen')
    .collectAsync();
  const client = await env.executeAsync('closed');
  const first = await results.next();
  t.equal(first.done, false);
  await results.close();
  t.same(await results.next(), { done: true, value: undefined });
  await t.rejects(client.getJobExecutionResult(), { code: 'JOB_CANCELED' });
});

t.test('a failing job rejects the iterator with the failure', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const results = env
    .fromSequence(1, 100)
    .map((v: number) => {
      if (v === 50) throw new Error('record 50 is poison');
      return v;
    })
    .collectAsync();
  await env.executeAsync('failing');
  const got: number[] = [];
  await t.rejects(
    (async () => {
      for await (const v of results) got.push(v);
    })(),
    /record 50 is poison/,
  );
  t.ok(got.length <= 49);
});
