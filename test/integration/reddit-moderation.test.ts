/**
 * The reddit moderation job on a 2-worker cluster: every comment gets a probability from
 * the ONNX model (equal to the in-JS logistic regression on the same TF-IDF row), the alert stream holds
 * exactly the comments above the threshold, and the scores separate removed from kept comments.
 */
import { join } from 'node:path';
import t from 'tap';
import {
  createCommentGenerator,
  predictDense,
  rocAuc,
  trainModerationModel,
} from '../../jobs/reddit-moderation/index.js';
import { readPartLines, runCli, startCluster, tempDirs } from '../support/cluster-harness.js';

const lines = (dir: string): string[][] => readPartLines(dir).map((l) => l.split(','));

t.test('predictions for every comment, alerts exactly above the threshold', async (t) => {
  const [out] = tempDirs(t, 'reddit') as [string];
  const N = 3000;
  const THRESHOLD = 0.3;
  const c = await startCluster(t, { workers: 2 });
  const r = await runCli(
    t,
    [
      'run',
      '-m',
      c.restUrl,
      '-p',
      '2',
      'jobs/reddit-moderation/job.ts',
      out,
      String(N),
      '20000',
      String(THRESHOLD),
      '500',
    ],
    240_000,
  );
  t.equal(r.code, 0, r.stderr);

  const predictions = lines(join(out, 'predictions'));
  const alerts = lines(join(out, 'alerts'));
  t.equal(predictions.length, N, 'one prediction per comment');
  t.equal(new Set(predictions.map((p) => p[0])).size, N, 'no duplicates');
  const above = predictions
    .filter((p) => Number(p[1]) > THRESHOLD)
    .map((p) => p[0])
    .sort();
  t.ok(above.length > 20 && above.length < N / 2, `${above.length} comments above ${THRESHOLD}`);
  t.same(alerts.map((a) => a[0]).sort(), above, 'alerts fire exactly for the comments above the threshold');

  // the served ONNX model equals the trained logistic regression on the same features
  const trained = trainModerationModel({ seed: 1, trainSize: 4000, threshold: THRESHOLD });
  const gen = createCommentGenerator({ seed: 1, labels: true });
  const first = 4000 + Math.max(200, Math.floor(4000 / 4));
  const byId = new Map(predictions.map((p) => [p[0]!, Number(p[1])]));
  let maxErr = 0;
  for (let i = 0; i < 300; i++) {
    const comment = gen(first + i);
    const expected = predictDense(trained.model, trained.vectorizer.transform(comment.body));
    maxErr = Math.max(maxErr, Math.abs(expected - byId.get(comment.id)!));
  }
  t.ok(maxErr < 1e-5, `served probabilities equal the in-JS model (max error ${maxErr})`);
  t.ok(
    predictions.every((p) => p[3] === trained.descriptor.version),
    'every prediction names the model version',
  );
  const auc = rocAuc(
    predictions.map((p) => Number(p[1])),
    predictions.map((p) => Number(p[2])),
  );
  t.ok(auc > 0.8, `removed comments score higher than kept ones (ROC AUC ${auc.toFixed(3)})`);
});
