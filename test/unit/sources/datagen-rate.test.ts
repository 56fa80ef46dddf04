/**
 * DataGeneratorSource's rate limit (operators/sources/datagen-source.ts) on a manual clock: the reader
 * emits at the configured rate, and after a stall it catches up by at most one second of records, as
 * Guava's RateLimiter behind Flink's RateLimiterStrategy.perSecond does — not by everything it fell behind.
 */
import t from 'tap';
import type { ReaderOutput } from '../../../runtime/api/source.js';
import { DataGeneratorSource } from '../../../operators/sources/datagen-source.js';
import { installFakeClock } from '../../support/fake-clock.js';

function reader(recordsPerSecond: number) {
  const source = new DataGeneratorSource((i) => i, 1_000_000, { recordsPerSecond, batchSize: 1_000_000 });
  const r = source.createReader({ parallelism: 1 } as never);
  r.addSplits(source.createSplits(1));
  const got: number[] = [];
  const out = { collect: (v: number) => got.push(v) } as unknown as ReaderOutput<number>;
  return { poll: () => (r.pollNext(out), got.length), got };
}

t.test('emits at the configured rate', async (t) => {
  const clock = installFakeClock(t);
  const r = reader(1000);
  t.equal(r.poll(), 0, 'nothing is due at the start');
  let emitted = 0;
  for (let ms = 0; ms < 3000; ms += 10) {
    clock.advance(10);
    emitted = r.poll();
  }
  t.equal(emitted, 3000, '3 s at 1000 records/s');
  t.same(r.got.slice(0, 3), [0, 1, 2], 'in index order');
});

t.test('after a stall it catches up by at most one second of records', async (t) => {
  const clock = installFakeClock(t);
  const r = reader(1000);
  clock.advance(1000);
  t.equal(r.poll(), 1000, 'one second due');
  clock.advance(5000); // the reader was not polled for 5 s (a busy task, a GC pause)
  t.equal(r.poll() - 1000, 1000, 'one burst of one second, not the 5000 records it fell behind');
  t.equal(r.poll() - 2000, 0, 'then nothing more is due at once');
  clock.advance(500);
  t.equal(r.poll() - 2000, 500, 'and the rate holds again');
});
