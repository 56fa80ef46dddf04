/**
 * Demo: trains the moderation model, prints held-out metrics, then scores fresh comments without and with
 * drift (`npx tsx jobs/reddit-moderation/demo.ts [seed] [trainSize]`). Not a streaming job.
 * Invariant: prints only; writes no files.
 */
import { platform } from 'sluice/platform';
import { binaryMetrics, generateComments, scoreComments, trainModerationModel } from './index.js';

const seed = Number(process.argv[2] ?? 1);
const trainSize = Number(process.argv[3] ?? 8000);

const t0 = platform.clock.monotonicMs();
const { descriptor, metrics, vectorizer, model } = trainModerationModel({ seed, trainSize });
const ms = platform.clock.monotonicMs() - t0;
console.log(
  `trained ${descriptor.name}@${descriptor.version} in ${ms.toFixed(0)} ms (${descriptor.data!.byteLength} bytes ONNX, sha256 ${descriptor.sha256.slice(0, 16)}…)`,
);
for (const [k, v] of Object.entries(metrics))
  console.log(`  ${k.padEnd(14)} ${Number.isInteger(v) ? v : v.toFixed(4)}`);

for (const drift of [0, 0.5, 1]) {
  const fresh = generateComments({ seed: seed + 1000, drift }, 4000);
  const m = binaryMetrics(
    scoreComments(vectorizer, model, fresh),
    fresh.map((c) => c.label!),
  );
  console.log(
    `fresh comments, drift ${drift}: AUC ${m.auc.toFixed(4)}, recall@0.5 ${m.recall.toFixed(3)}, precision@0.5 ${m.precision.toFixed(3)}`,
  );
}

const sample = generateComments({ seed: seed + 2000, toxicRate: 0.4, drift: 0.3 }, 10);
const scores = scoreComments(vectorizer, model, sample);
console.log('\nscore  label  comment');
sample.forEach((c, i) =>
  console.log(`${scores[i]!.toFixed(3)}  ${c.label}      r/${c.subreddit}: ${c.body.slice(0, 100)}`),
);
