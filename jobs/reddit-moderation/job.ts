// Reddit moderation (seed 001): comment stream → clean, tokenize, TF-IDF (1–3-grams, ≤ 1000 terms, sublinear tf)
// → logistic regression (trained in the project, served as ONNX in Arrow batches) → predictions, and an
// alert stream for every comment whose removal probability is above the threshold.
// Args: outDir [count=20000] [recordsPerSecond=5000] [threshold=0.5] [checkpointIntervalMs=1000] [Kafka flags]
// Outputs: <outDir>/predictions (id,probability,label,version) and <outDir>/alerts (id,probability,subreddit).
// With `--kafka host:port` (jobs/kafka-mode.ts; outDir is then unused): the generated comments are fed into
// `reddit.comments` (JSON, key = id) unless --no-feed/--bounded, and unless --feed-only the job reads that topic
// and writes JSON predictions {id, probability, label, version} to `reddit.predictions` and alerts
// {id, probability, subreddit} to `reddit.alerts` (key = comment id, EXACTLY_ONCE).
// Invariants: without --kafka the graph and outputs are exactly those of the file version; the model is trained
// deterministically in every process that builds the graph (not at all in --feed-only, which scores nothing).
import { join } from 'node:path';
import { DataGeneratorSource, FileSink, ModelServing, StreamExecutionEnvironment, jobArgs } from 'sluice';
import { jsonTopicSource, parseJobArgs, topicSink } from '../kafka-mode.js';
import {
  commentFeatureExtractor,
  createCommentGenerator,
  featureSchemaOf,
  trainModerationModel,
  type Comment,
} from './index.js';

const { positional, kafka } = parseJobArgs(jobArgs(), 'reddit');
const [outDir = 'out/reddit-moderation', count = '20000', rate = '5000', threshold = '0.5', intervalMs = '1000'] =
  positional;
const SEED = 1;
const TRAIN = 4000;
const THRESHOLD = Number(threshold);
const heldOut = TRAIN + Math.max(200, Math.floor(TRAIN / 4));
const comments = createCommentGenerator({ seed: SEED, labels: true });

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (Number(intervalMs) > 0) env.enableCheckpointing(Number(intervalMs));

const generated = () =>
  env
    .fromSource(
      new DataGeneratorSource<Comment>((i) => comments(heldOut + i), Number(count), { recordsPerSecond: Number(rate) }),
      undefined,
      'comments',
    )
    .setParallelism(1)
    .uid('comments');

if (kafka?.feed)
  generated()
    .sinkTo(topicSink<Comment>(kafka, 'comments', { key: (c) => c.id }))
    .uid('comments-feed');

if (!kafka || kafka.process) {
  // Deterministic training: every process of the job (job manager, each worker) builds the same model bytes.
  const trained = trainModerationModel({ seed: SEED, trainSize: TRAIN, threshold: THRESHOLD });
  const stream = kafka
    ? env.fromSource(jsonTopicSource<Comment>(kafka, 'comments'), undefined, 'comments-topic').uid('comments-topic')
    : generated();
  const models = env.fromCollection([trained.descriptor]).uid('moderation-models');

  const scored = ModelServing.broadcast<Comment>(stream.rebalance(), models, {
    width: trained.vectorizer.vocabSize,
    extract: commentFeatureExtractor(trained.vectorizer),
    noModel: 'buffer',
    maxBatchSize: 512,
    lingerMs: 20,
    // A new model version is served only if it was trained on this vectorizer's vocabulary.
    featureSchema: featureSchemaOf(trained.vectorizer),
  }).uid('moderation-serving');

  // Operators are created in the file version's order (predictions, then alerts), so its graph is unchanged.
  const above = () => scored.filter((s) => s.prediction > THRESHOLD);
  if (kafka) {
    scored
      .map((s) => ({
        id: s.record.id,
        probability: Number(s.prediction.toFixed(6)),
        label: s.record.label ?? null,
        version: s.version,
      }))
      .sinkTo(topicSink(kafka, 'predictions', { key: (p) => p.id }))
      .uid('predictions-topic');
    above()
      .map((s) => ({ id: s.record.id, probability: Number(s.prediction.toFixed(6)), subreddit: s.record.subreddit }))
      .sinkTo(topicSink(kafka, 'alerts', { key: (a) => a.id }))
      .uid('alerts-topic');
  } else {
    scored
      .map((s) => `${s.record.id},${s.prediction.toFixed(6)},${s.record.label ?? ''},${s.version}`)
      .sinkTo(new FileSink<string>(join(outDir, 'predictions'), { encode: (l) => l }))
      .uid('predictions-sink');
    above()
      .map((s) => `${s.record.id},${s.prediction.toFixed(6)},${s.record.subreddit}`)
      .sinkTo(new FileSink<string>(join(outDir, 'alerts'), { encode: (l) => l }))
      .uid('alerts-sink');
  }
}

await env.execute(kafka && !kafka.process ? 'reddit moderation: feed comments' : 'reddit moderation');
