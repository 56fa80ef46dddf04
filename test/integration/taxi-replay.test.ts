/**
 * The taxi job is replayable: two runs over the same trips on a 2-worker cluster (parallelism 2, so records
 * interleave differently from run to run) publish the same model versions for the same reasons — the
 * initial model, scheduled retrainings every three days of event time and the drift retraining — and score every
 * trip identically (same model version, same prediction), although training runs in worker threads and
 * takes a different wall-clock time on each run. The event-time model switch makes that so: a model serves
 * from its validFrom, and the model stream's watermark waits for it. Serving cuts its batches differently on
 * each run (arrival order, linger timers, watermarks); the exported model scores a row bit-identically in any
 * batch (test/unit/taxi/onnx-batch-invariance.test.ts), so that does not show in the scores either.
 */
import { join } from 'node:path';
import t from 'tap';
import { readPartLines, runCli, startCluster, tempDirs } from '../support/cluster-harness.js';

const N = 12_000;
const EVERY_MS = 3 * 86_400_000;

t.test(
  'two runs over the same input publish the same models and give identical scores',
  { timeout: 600_000 },
  async (t) => {
    const outs = tempDirs(t, 'taxi-run1', 'taxi-run2');
    const c = await startCluster(t, { workers: 2 });
    const results = [];
    for (const out of outs) {
      const args = [out, String(N), '20000', '3', '1000', '2000', '1500', String(EVERY_MS)];
      const r = await runCli(t, ['run', '-m', c.restUrl, '-p', '2', 'jobs/taxi/job.ts', ...args], 300_000);
      t.equal(r.code, 0, r.stderr);
      results.push({
        published: readPartLines(join(out, 'models-published')).sort(),
        predictions: readPartLines(join(out, 'predictions')).sort(),
        noModel: readPartLines(join(out, 'no-model')).sort(),
      });
    }
    const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
    const reasons = a.published.map((l) => l.split(',')[4]);
    t.ok(
      reasons.some((r) => /initial model/.test(r!)),
      `reasons: ${reasons.join(' | ')}`,
    );
    t.ok(
      reasons.some((r) => /scheduled every 259200000 ms/.test(r!)),
      'scheduled retraining happened',
    );
    t.ok(
      reasons.some((r) => /traffic drifted/.test(r!)),
      'drift retraining happened',
    );
    t.same(b.published, a.published, 'the same versions, training rows, held-out MAE, data windows and reasons');
    t.equal(a.predictions.length + a.noModel.length, N, 'every trip scored or counted without a model');
    t.ok(new Set(a.predictions.map((l) => l.split(',')[2])).size >= 3, 'scored by several model versions');
    t.same(b.noModel, a.noModel, 'the same trips arrived before the first model');
    t.equal(b.predictions.length, a.predictions.length);
    const differing = a.predictions.flatMap((l, i) => (l === b.predictions[i] ? [] : [`${l} | ${b.predictions[i]}`]));
    t.equal(
      differing.length,
      0,
      `identical scores (${a.predictions.length} predictions, ${differing.length} differ${differing.length ? `: ${differing.slice(0, 5).join('; ')}` : ''})`,
    );
  },
);
