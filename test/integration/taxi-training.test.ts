import t from 'tap';
import { generateTrips } from '../../jobs/taxi/trips.js';
import { timeSplit, trainWideDeep } from '../../jobs/taxi/train.js';
import { baselineMae, fitDistanceBaseline } from '../../jobs/taxi/baseline.js';
import { encodeTrips } from '../../jobs/taxi/features.js';
import { predictLogFromWeights } from '../../jobs/taxi/model.js';
import { loadTf } from 'sluice/ml'; // the module instance jobs/taxi/train.ts uses

// Test-sized set: 10 000 trips (~5 days), 6 epochs — a few seconds per training on the wasm backend.
const trips = generateTrips(10000, { seed: 21 });
const EPOCHS = 6;

t.test('the wide & deep model beats the distance-bucket baseline on held-out (later) trips', async (t) => {
  const { tf } = await loadTf();
  const tensorsBefore = tf.memory().numTensors;
  const r = await trainWideDeep(trips, { seed: 21, epochs: EPOCHS });
  const m = r.metrics;
  t.comment(
    `held-out MAE ${m.maeSec.toFixed(1)} s, distance-bucket baseline ${m.baselineMaeSec.toFixed(1)} s, global mean ${m.globalMeanMaeSec.toFixed(1)} s, improvement ${(m.improvementOverBaseline * 100).toFixed(1)} %, ${m.trainMillis} ms`,
  );
  t.equal(m.trainRows, 8000);
  t.equal(m.testRows, 2000);
  t.ok(m.baselineMaeSec < m.globalMeanMaeSec * 0.7, 'the baseline itself is meaningful (distance explains much)');
  t.ok(
    m.improvementOverBaseline > 0.15,
    `model MAE at least 15 % below the baseline (${(m.improvementOverBaseline * 100).toFixed(1)} %)`,
  );
  t.ok(m.finalLoss < 0.06, `training loss near the generator's noise floor (0.18² ≈ 0.032): ${m.finalLoss.toFixed(4)}`);
  t.ok(m.trainMillis < 20000, `training took ${m.trainMillis} ms`);
  const { test } = timeSplit(trips, 0.2);
  const x = encodeTrips(test.slice(0, 20));
  const tfLog = r.model.predictLog(x, 20);
  for (let i = 0; i < 20; i++) {
    t.ok(
      Math.abs(tfLog[i]! - predictLogFromWeights(r.weights, x, i)) < 1e-4,
      `row ${i}: gather path = snapshot weights in plain JS`,
    );
  }
  r.model.dispose();
  t.equal(tf.memory().numTensors, tensorsBefore, 'no tensors left behind after dispose');
});

t.test('control: the same model trained on shuffled targets does not beat the baseline', async (t) => {
  const r = await trainWideDeep(trips, { seed: 21, epochs: EPOCHS, shuffleTargets: true });
  r.model.dispose();
  const m = r.metrics;
  t.comment(`shuffled-target MAE ${m.maeSec.toFixed(1)} s vs baseline ${m.baselineMaeSec.toFixed(1)} s`);
  t.ok(m.maeSec > m.baselineMaeSec * 1.3, 'far worse than the baseline');
  t.ok(m.maeSec > m.globalMeanMaeSec * 0.85, 'about as bad as predicting the global mean');
});

t.test('baselines and the time split', async (t) => {
  const { train, test } = timeSplit(trips, 0.2);
  t.ok(train[train.length - 1]!.pickupMs <= test[0]!.pickupMs, 'held-out trips are the latest');
  const b = fitDistanceBaseline(train);
  t.ok(b.globalMeanSec > 0);
  const far = b.predict({ pickupZone: 0, dropoffZone: 27 });
  const near = b.predict({ pickupZone: 0, dropoffZone: 1 });
  t.ok(
    far > near * 2,
    `a 20-km trip is predicted longer (${far.toFixed(0)} s) than a 0.5-km one (${near.toFixed(0)} s)`,
  );
  const m = baselineMae(train, test);
  t.ok(m.distanceBucketMaeSec < m.globalMeanMaeSec);
  await t.rejects(trainWideDeep(trips.slice(0, 5), { seed: 1 }), RangeError);
});
