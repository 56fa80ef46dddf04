import t from 'tap';
import { DurationHistogram, ServingStats } from '../../../operators/ml/stats.js';
import { seededRandom } from '../../../runtime/platform/random.js';

t.test('histogram quantiles are within 10% of exact', async (t) => {
  const h = new DurationHistogram();
  const rnd = seededRandom(5);
  const xs = Array.from({ length: 5000 }, () => 0.01 + rnd() * rnd() * 50);
  xs.forEach((x) => h.record(x));
  const sorted = [...xs].sort((a, b) => a - b);
  for (const q of [0.5, 0.9, 0.99]) {
    const exact = sorted[Math.ceil(q * xs.length) - 1]!;
    const approx = h.quantile(q);
    t.ok(approx >= exact && approx <= exact * 1.1 + 1e-9, `q${q}: ${approx} vs ${exact}`);
  }
  t.equal(new DurationHistogram().quantile(0.5), 0);
});

t.test('per-model stats: usage, min/max/percentiles, batch sizes, failures, rejections', async (t) => {
  const s = new ServingStats(2);
  const m = s.forModel({ name: 'a', version: '1', sha256: 'f'.repeat(64), modelType: 'ONNX' }, 'cpu', 100);
  t.equal(
    s.forModel({ name: 'a', version: '1', sha256: '', modelType: 'ONNX' }, 'cpu', 200),
    m,
    'same model same stats',
  );
  m.recordBatch(10, 2);
  m.recordBatch(100, 4);
  m.recordBatch(1, 1);
  m.recordFailure();
  m.recordWin();
  const snap = s.snapshot().models[0]!;
  t.equal(snap.usage, 111);
  t.equal(snap.batches, 3);
  t.equal(snap.sinceMs, 100);
  t.equal(snap.failures, 1);
  t.equal(snap.wins, 1);
  t.equal(snap.durationMs.min, 1);
  t.equal(snap.durationMs.max, 4);
  t.equal(snap.durationMs.total, 7);
  t.ok(snap.durationMs.p50 >= 2 && snap.durationMs.p50 <= 2.2, `p50 ${snap.durationMs.p50}`);
  t.equal(snap.durationMs.p99, 4, 'p99 clamped to max');
  t.same(snap.batchSizes, { '≤1': 1, '≤16': 1, '≤128': 1 });
  for (let i = 0; i < 3; i++)
    s.recordRejected({ name: 'b', version: String(i), code: 'MODEL_LOAD_FAILED', reason: 'x', atMs: i });
  t.equal(s.snapshot().rejectedTotal, 3);
  t.same(
    s.snapshot().rejected.map((r) => r.version),
    ['1', '2'],
    'bounded',
  );
});
