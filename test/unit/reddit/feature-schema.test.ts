/**
 * The feature-schema check at model install: the moderation serving declares its vectorizer's feature schema,
 * so a model version trained on another vocabulary (same width, so the input check alone would pass) is
 * rejected on the status stream and the first model keeps scoring; a model declaring no schema is rejected too.
 */
import t from 'tap';
import {
  MODEL_STATUS_TAG,
  ModelServing,
  StreamExecutionEnvironment,
  type ModelDescriptor,
  type ModelStatusRecord,
} from '../../../runtime/exports/index.js';
import {
  type Comment,
  commentFeatureExtractor,
  createCommentGenerator,
  featureSchemaOf,
  trainModerationModel,
} from '../../../jobs/reddit-moderation/index.js';

const first = trainModerationModel({ seed: 5, trainSize: 800, testSize: 200, version: 'v1' });
const otherVocab = trainModerationModel({ seed: 6, trainSize: 800, testSize: 200, version: 'v2' });
const { training: _t, ...undeclared } = { ...first.descriptor, version: 'v3' };

t.test('a model trained on another vocabulary is rejected; the serving model keeps scoring', async (t) => {
  t.equal(
    otherVocab.descriptor.inputSchema[0]!.shape[1],
    first.descriptor.inputSchema[0]!.shape[1],
    'same input width: only the feature schema tells them apart',
  );
  t.not(featureSchemaOf(otherVocab.vectorizer)[0], featureSchemaOf(first.vectorizer)[0], 'different vocabularies');
  const gen = createCommentGenerator({ seed: 9, labels: true });
  const comments = Array.from({ length: 200 }, (_, i) => gen(i));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const models = env.fromCollection<ModelDescriptor>([
    first.descriptor,
    otherVocab.descriptor,
    undeclared as ModelDescriptor,
  ]);
  const scored = ModelServing.broadcast<Comment>(env.fromCollection(comments), models, {
    width: first.vectorizer.vocabSize,
    extract: commentFeatureExtractor(first.vectorizer),
    noModel: 'buffer',
    featureSchema: featureSchemaOf(first.vectorizer),
  }).uid('serve');
  const statuses = scored
    .getSideOutput(MODEL_STATUS_TAG)
    .map((s: ModelStatusRecord) => `status ${s.version} ${s.status} ${s.code ?? ''} ${s.reason ?? ''}`);
  const all = (await scored
    .map((s) => `scored ${s.version}`)
    .union(statuses)
    .executeAndCollect()) as string[];
  const scoredBy = all.filter((l) => l.startsWith('scored'));
  t.equal(scoredBy.length, 200, 'every comment scored');
  t.ok(
    scoredBy.every((l) => l === 'scored v1'),
    'all by the first model',
  );
  const st = all.filter((l) => l.startsWith('status')).sort();
  t.equal(st.length, 3);
  t.match(st[0], /^status v1 accepted/);
  t.match(
    st[1],
    /^status v2 rejected MODEL_SCHEMA_MISMATCH model reddit-moderation@v2 was trained on features \["tfidf-vocab-sha256:[0-9a-f]+"/,
  );
  t.match(st[2], /^status v3 rejected MODEL_SCHEMA_MISMATCH .*\(none declared\)/);
});
