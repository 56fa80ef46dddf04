// Reddit moderation (seed 001): comment stream → clean, tokenize, TF-IDF (1–3-grams, ≤ 1000 terms, sublinear tf)
// → logistic regression (trained in the project, served as ONNX in Arrow batches) → predictions, and an
// alert stream for every comment whose removal probability is above the threshold.
// Args: outDir [count=20000] [recordsPerSecond=5000] [threshold=0.5] [checkpointIntervalMs=1000]
// Outputs: <outDir>/predictions (id,probability,label,version) and <outDir>/alerts (id,probability,subreddit).
import { join } from 'node:path';
import { DataGeneratorSource, FileSink, ModelServing, StreamExecutionEnvironment, jobArgs } from 'sluice';
import { commentFeatureExtractor, createCommentGenerator, trainModerationModel, type Comment } from './index.js';

const [outDir = 'out/reddit-moderation', count = '20000', rate = '5000', threshold = '0.5', intervalMs = '1000'] = jobArgs();
const SEED = 1;
const TRAIN = 4000;
const THRESHOLD = Number(threshold);

// Deterministic training: every process of the job (job manager, each worker) builds the same model bytes.
const trained = trainModerationModel({ seed: SEED, trainSize: TRAIN, threshold: THRESHOLD });
const heldOut = TRAIN + Math.max(200, Math.floor(TRAIN / 4));
const comments = createCommentGenerator({ seed: SEED, labels: true });

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (Number(intervalMs) > 0) env.enableCheckpointing(Number(intervalMs));

const stream = env
  .fromSource(new DataGeneratorSource<Comment>((i) => comments(heldOut + i), Number(count), { recordsPerSecond: Number(rate) }), undefined, 'comments')
  .setParallelism(1)
  .uid('comments');
const models = env.fromCollection([trained.descriptor]).uid('moderation-models');

const scored = ModelServing.broadcast<Comment>(stream.rebalance(), models, {
  width: trained.vectorizer.vocabSize,
  extract: commentFeatureExtractor(trained.vectorizer),
  noModel: 'buffer',
  maxBatchSize: 512,
  lingerMs: 20,
}).uid('moderation-serving');

scored
  .map((s) => `${s.record.id},${s.prediction.toFixed(6)},${s.record.label ?? ''},${s.version}`)
  .sinkTo(new FileSink<string>(join(outDir, 'predictions'), { encode: (l) => l }))
  .uid('predictions-sink');

scored
  .filter((s) => s.prediction > THRESHOLD)
  .map((s) => `${s.record.id},${s.prediction.toFixed(6)},${s.record.subreddit}`)
  .sinkTo(new FileSink<string>(join(outDir, 'alerts'), { encode: (l) => l }))
  .uid('alerts-sink');

await env.execute('reddit moderation');
