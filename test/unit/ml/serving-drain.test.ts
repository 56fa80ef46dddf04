/**
 * The drain flush through the whole pipeline (local execution): a trickle of records reaches keyed model
 * serving whose batches would only close at 8 × 1024 pending rows or after a one-minute linger, yet every
 * record is scored as soon as the task's input runs dry — without the drain signal none would be scored
 * before the linger timer.
 */
import t from 'tap';
import {
  DataGeneratorSource,
  ModelServing,
  StreamExecutionEnvironment,
  type Sink,
} from '../../../runtime/exports/index.js';
import { startLocally } from '../../../runtime/executor/local-executor.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';

type Rec = { id: number; key: number };

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('a trickle of records is scored at once when the input runs dry, not at the linger timer', async (t) => {
  const scored: number[] = [];
  const sink: Sink<{ record: Rec; batchSize: number }> = {
    createWriter: () => ({
      write: (s) => {
        scored.push(s.record.id);
      },
    }),
  };
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const data = env
    .fromSource(
      new DataGeneratorSource<Rec>((i) => ({ id: i, key: i % 4 }), Number.POSITIVE_INFINITY, {
        recordsPerSecond: 20,
      }),
      undefined,
      'trickle',
    )
    .uid('trickle')
    .keyBy((r) => r.key);
  const models = env
    .fromCollection([0, 1, 2, 3].map((k) => mlpDescriptor(`${k}`, 10 + k)))
    .uid('models')
    .keyBy((d) => Number(d.version));
  ModelServing.keyed<Rec, number>(data, models, {
    width: MLP_WIDTH,
    extract: (r, out, off) => out.fill(r.id % 7, off, off + MLP_WIDTH),
    noModel: 'buffer',
    maxBatchSize: 1024,
    lingerMs: 60_000,
  })
    .uid('serve')
    .sinkTo(sink as Sink<unknown>)
    .uid('sink');
  const job = await startLocally(env, 'drain flush');
  t.teardown(() => job.cancel());
  const startedMs = Date.now();
  // 20 records/s: even one model's full batch (1 024 rows) would take 51 s, the linger timer fires after 60 s
  const first = (n: number) => Array.from({ length: n }, (_, i) => i);
  await until('the first 20 records scored', () => first(20).every((i) => scored.includes(i)), 20_000);
  const tookMs = Date.now() - startedMs;
  t.ok(tookMs < 60_000, `the first 20 records scored after ${tookMs} ms, before the linger timer could fire`);
  t.equal(new Set(scored).size, scored.length, 'each record scored once');
});
