import t from 'tap';
import { generateComments, type Comment } from '../../jobs/reddit-moderation/comments.js';
import { trainLogisticRegression, predictSparse, sigmoid } from '../../jobs/reddit-moderation/logistic-regression.js';
import { binaryMetrics, rocAuc } from '../../jobs/reddit-moderation/metrics.js';
import { metricsRecord, splitByTime, trainOnComments } from '../../jobs/reddit-moderation/train.js';
import { seededRandom } from '../../runtime/platform/random.js';

t.test('ROC AUC: sklearn examples, ties at the average rank, one class → NaN', async (t) => {
  t.equal(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75); // sklearn's roc_auc_score docstring example
  t.equal(rocAuc([0.2, 0.6, 0.6, 0.9], [0, 0, 1, 1]), 0.875); // pairs: 0.6>0.2, 0.6=0.6 (½), 0.9>both → 3.5/4
  t.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
  t.equal(rocAuc([0.9, 0.1], [0, 1]), 0);
  t.ok(Number.isNaN(rocAuc([0.3, 0.4], [1, 1])));
});

t.test('threshold metrics', async (t) => {
  const m = binaryMetrics([0.9, 0.6, 0.4, 0.2, 0.7], [1, 0, 1, 0, 1], 0.5);
  // predicted positive: 0.9 (tp), 0.6 (fp), 0.7 (tp); 0.4 is a fn, 0.2 a tn
  t.equal(m.accuracy, 3 / 5);
  t.equal(m.precision, 2 / 3);
  t.equal(m.recall, 2 / 3);
  t.equal(m.f1, 2 / 3);
  t.equal(m.positives, 3);
  t.ok(
    Math.abs(m.logLoss - -(Math.log(0.9) + Math.log(0.4) + Math.log(0.4) + Math.log(0.8) + Math.log(0.7)) / 5) < 1e-12,
  );
  t.equal(binaryMetrics([0.1, 0.2], [1, 0]).precision, 0, 'nothing predicted positive → precision 0');
});

t.test('logistic regression: intercept-only optimum is logit of the positive rate; L2 shrinks weights', async (t) => {
  const empty = { indices: new Int32Array(0), values: new Float64Array(0) };
  const labels = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
  const m = trainLogisticRegression(Array(10).fill(empty), labels, 3);
  t.ok(m.converged);
  t.ok(
    Math.abs(m.bias - Math.log(3 / 7)) < 1e-5,
    `bias ${m.bias} ≈ ln(3/7) = ${Math.log(3 / 7)} (intercept not penalised)`,
  );
  t.same(Array.from(m.weights), [0, 0, 0]);
  // One feature that marks every positive: with C = 1 the weight is finite and the score ranks perfectly.
  const x1 = { indices: Int32Array.of(0), values: Float64Array.of(1) };
  const rows = labels.map((y) => (y === 1 ? x1 : empty));
  const weak = trainLogisticRegression(rows, labels, 1, { C: 0.01 });
  const strong = trainLogisticRegression(rows, labels, 1, { C: 100 });
  t.ok(
    weak.weights[0]! > 0 && strong.weights[0]! > weak.weights[0]!,
    `w(C=0.01)=${weak.weights[0]} < w(C=100)=${strong.weights[0]}`,
  );
  t.ok(predictSparse(strong, x1) > 0.9 && predictSparse(strong, empty) < 0.1);
  t.equal(sigmoid(0), 0.5);
  t.ok(sigmoid(-800) >= 0 && sigmoid(800) <= 1, 'no overflow');
});

t.test('logistic regression is deterministic: bit-identical weights for the same rows', async (t) => {
  const rnd = seededRandom(3);
  const rows = Array.from({ length: 300 }, () => {
    const idx = Array.from(new Set(Array.from({ length: 5 }, () => Math.floor(rnd() * 40)))).sort((a, b) => a - b);
    return { indices: Int32Array.from(idx), values: Float64Array.from(idx, () => rnd()) };
  });
  const labels = rows.map((r) => (r.indices.includes(3) || rnd() < 0.1 ? 1 : 0));
  const a = trainLogisticRegression(rows, labels, 40);
  const b = trainLogisticRegression(rows, labels, 40);
  t.same(Buffer.from(a.weights.buffer), Buffer.from(b.weights.buffer));
  t.equal(a.bias, b.bias);
  t.ok(a.weights[3]! > 1, 'the informative column gets a large positive weight');
});

t.test('time split keeps the newest comments for held-out evaluation', async (t) => {
  const cs = generateComments({ seed: 2 }, 100);
  const { train, test } = splitByTime(cs.slice().reverse(), 0.25);
  t.equal(train.length, 75);
  t.equal(test.length, 25);
  t.ok(Math.max(...train.map((c) => c.createdUtcMs)) < Math.min(...test.map((c) => c.createdUtcMs)));
});

function shuffledLabels(comments: Comment[], seed: number): Comment[] {
  const rnd = seededRandom(seed);
  const labels = comments.map((c) => c.label!);
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [labels[i], labels[j]] = [labels[j]!, labels[i]!];
  }
  return comments.map((c, i) => ({ ...c, label: labels[i] as 0 | 1 }));
}

// Bound: held-out ROC AUC ≥ 0.85. Measured with 4000 training / 1000 held-out comments: 0.887–0.936 for seeds
// 1–6 (this seed: see the message). The data caps it near 0.9: ~19% of removed comments cannot be told
// from kept ones by their text (1% label noise on kept comments ≈ 12% of the removed; 8% off-topic removals
// written like normal comments ≈ 7%), and those rank like random. The control trains on the same comments
// with shuffled labels: 4 shuffles scored 0.29–0.64 each (mean 0.38–0.54) over seeds 1–6 — single shuffles
// vary more than binomial noise because removed comments share a few features whose random weights move
// them together — so the control asserts the mean of 4 is near 0.5 and every run stays far below the bound.
const BOUND = 0.85;

t.test('held-out ROC AUC clears a measured bound; a shuffled-label control does not', async (t) => {
  const train = generateComments({ seed: 1 }, 4000);
  const test = generateComments({ seed: 1 }, 1000, 4000);
  const real = trainOnComments(train, test);
  const m = metricsRecord(real);
  t.ok(m.auc! >= BOUND, `held-out AUC ${m.auc!.toFixed(4)} ≥ ${BOUND}`);
  t.ok(
    m.accuracy! > 0.95 && m.precision! > 0.9 && m.recall! > 0.5,
    `accuracy ${m.accuracy!.toFixed(3)} precision ${m.precision!.toFixed(3)} recall ${m.recall!.toFixed(3)}`,
  );
  t.ok(real.model.converged, `L-BFGS converged in ${real.model.iterations} iterations`);
  t.equal(m.vocabSize, 1000);
  t.ok(m.testPositives! > 40, `${m.testPositives} removed comments in the held-out set`);
  const control = [11, 12, 13, 14].map((s) => trainOnComments(shuffledLabels(train, s), test).heldOut.auc);
  const mean = control.reduce((a, b) => a + b) / control.length;
  t.ok(
    mean > 0.35 && mean < 0.65,
    `shuffled-label control AUCs ${control.map((a) => a.toFixed(3)).join(', ')}, mean ${mean.toFixed(3)} ≈ 0.5`,
  );
  t.ok(Math.max(...control) < BOUND - 0.1, 'every control run fails the bound by a wide margin');
});

t.test('drift: a model trained before drift misses the new toxic vocabulary', async (t) => {
  const train = generateComments({ seed: 4 }, 4000);
  const before = generateComments({ seed: 40 }, 3000);
  const after = generateComments({ seed: 40, drift: 1 }, 3000);
  const r = trainOnComments(train, before);
  const drifted = trainOnComments(train, after);
  // Measured (seeds 1–8, 6000 training comments): recall@0.5 0.65–0.76 before, 0.17–0.31 after; AUC drops 0.03–0.06.
  t.ok(
    drifted.heldOut.recall < r.heldOut.recall - 0.25,
    `recall ${r.heldOut.recall.toFixed(3)} → ${drifted.heldOut.recall.toFixed(3)}`,
  );
  t.ok(drifted.heldOut.auc < r.heldOut.auc, `AUC ${r.heldOut.auc.toFixed(3)} → ${drifted.heldOut.auc.toFixed(3)}`);
});
