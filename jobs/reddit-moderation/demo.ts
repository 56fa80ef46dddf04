/**
 * Demo: trains the moderation model and prints held-out metrics, the descriptor summary and a few scored
 * comments (`npx tsx jobs/reddit-moderation/demo.ts [seed] [trainSize] [drift]`). Not a streaming job.
 * Invariant: prints only; writes no files.
 */
import { createCommentGenerator, scoreComments, trainModerationModel } from './index.js';

const seed = Number(process.argv[2] ?? 1);
const trainSize = Number(process.argv[3] ?? 8000);
const drift = Number(process.argv[4] ?? 0);

const t0 = performance.now();
const { descriptor, metrics, vectorizer, model } = trainModerationModel({ seed, trainSize });
const ms = performance.now() - t0;
console.log(`trained ${descriptor.name}@${descriptor.version} in ${ms.toFixed(0)} ms (sha256 ${descriptor.sha256.slice(0, 16)}…, ${descriptor.data!.byteLength} bytes)`);
for (const [k, v] of Object.entries(metrics)) console.log(`  ${k.padEnd(14)} ${Number.isInteger(v) ? v : v.toFixed(4)}`);

const gen = createCommentGenerator({ seed: seed + 1, drift });
const sample = Array.from({ length: 12 }, (_, i) => gen(i * 7));
const scores = scoreComments(vectorizer, model, sample);
console.log(`\nscored comments (drift ${drift}):`);
sample.forEach((c, i) => console.log(`  ${scores[i]!.toFixed(3)} label=${c.label} r/${c.subreddit.padEnd(11)} ${c.body.slice(0, 90)}`));
