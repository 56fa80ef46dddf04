/**
 * Rollout policies (operators/ml/rollout.ts) in a stream: A/B serves the candidate to its share of routing
 * keys, always the same keys; a canary is promoted when its live quality holds and rolled back when it does
 * not, with the decision on the status stream; shadow scores every record with the candidate on a side
 * output and never serves it. Quality is measured from labels the records carry.
 */
import t from 'tap';
import { QualityTracker, routeBucket } from '../../../operators/ml/rollout.js';
import {
  MODEL_STATUS_TAG,
  ModelServing,
  SHADOW_TAG,
  StreamExecutionEnvironment,
  type ModelDescriptor,
  type ModelStatusRecord,
  type RolloutOptions,
} from '../../../runtime/exports/index.js';
import { descriptorFromBytes } from '../../../operators/ml/descriptor.js';

type Rec = { id: number; user: string; x: number; label: number };
/** A PMML linear model y = a·x + b (exact arithmetic, so quality differences are by construction). */
const linear = (version: string, a: number, b: number): ModelDescriptor =>
  descriptorFromBytes(
    {
      name: 'lin',
      version,
      description: `${a}x+${b}`,
      dataType: 'x',
      modelType: 'PMML',
      inputSchema: [{ name: 'features', shape: [-1, 1] }],
      outputSchema: [{ name: 'score', shape: [-1, 1] }],
    },
    Buffer.from(`<PMML version="4.4"><DataDictionary><DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
<RegressionModel functionName="regression"><MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
<RegressionTable intercept="${b}"><NumericPredictor name="x" coefficient="${a}"/></RegressionTable></RegressionModel></PMML>`),
  );

// The truth is y = 2x plus noise in [-0.2, 0.2] (MAE of v1 = 2x: 0.12); a good v2 is off by 0.01 more, a bad one by 5.
const noise = (i: number) => (((i * 7) % 5) - 2) * 0.1;
const N = 4000;
const recs: Rec[] = Array.from({ length: N }, (_, i) => ({
  id: i,
  user: `u${i % 97}`,
  x: i % 10,
  label: 2 * (i % 10) + noise(i),
}));

async function run(rollout: RolloutOptions<Rec>, candidate: ModelDescriptor) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const models = env.fromCollection([linear('v1', 2, 0), candidate]);
  const scored = ModelServing.broadcast<Rec>(env.fromCollection(recs), models, {
    width: 1,
    extract: (r, out, off) => {
      out[off] = r.x;
    },
    noModel: 'buffer',
    maxBatchSize: 32,
    lingerMs: 0,
    rollout,
  }).uid('serve');
  const status = scored
    .getSideOutput(MODEL_STATUS_TAG)
    .map((s: ModelStatusRecord) => `status ${s.version} ${s.status}${s.role ? ` ${s.role}` : ''}`);
  const shadow = scored.getSideOutput(SHADOW_TAG).map((s) => `shadow ${s.version} ${(s.record as Rec).id}`);
  const lines = (await scored
    .map((s) => `served ${s.version} ${s.record.user} ${s.record.id}`)
    .union(status, shadow)
    .executeAndCollect()) as string[];
  return {
    served: lines.filter((l) => l.startsWith('served')),
    status: lines.filter((l) => l.startsWith('status')),
    shadow: lines.filter((l) => l.startsWith('shadow')),
  };
}

/** The highest record id served by a version. */
const lastRoutedTo = (served: string[], version: string) =>
  Math.max(-1, ...served.filter((l) => l.startsWith(`served ${version} `)).map((l) => Number(l.split(' ')[3])));

t.test('routing buckets are stable and spread over [0, 100)', async (t) => {
  t.equal(routeBucket('u1'), routeBucket('u1'));
  const buckets = Array.from({ length: 10_000 }, (_, i) => routeBucket(`user-${i}`));
  t.ok(buckets.every((b) => b >= 0 && b < 100));
  const under20 = buckets.filter((b) => b < 20).length / buckets.length;
  t.ok(Math.abs(under20 - 0.2) < 0.02, `20 % of keys in buckets < 20 (${under20})`);
  const q = new QualityTracker('accuracy');
  q.observe('a', 0.9, 1);
  q.observe('a', 0.2, 1);
  t.equal(q.value('a'), 0.5);
});

t.test('A/B: the candidate serves the routing keys in its share, every record of those keys', async (t) => {
  const r = await run({ mode: 'ab', candidatePercent: 30, routeKeyOf: (x) => x.user }, linear('v2', 2, 0.01));
  t.same(r.status, ['status v1 accepted', 'status v2 accepted candidate']);
  const byUser = new Map<string, Set<string>>();
  for (const l of r.served.slice(200)) {
    const [, version, user] = l.split(' ');
    byUser.set(user!, (byUser.get(user!) ?? new Set()).add(version!));
  }
  t.ok(
    [...byUser.values()].every((s) => s.size === 1),
    'a user always sees the same version',
  );
  for (const [user, versions] of byUser)
    t.equal([...versions][0], routeBucket(user) < 30 ? 'v2' : 'v1', `${user} routed by its bucket`);
});

t.test('canary: promoted when its live quality holds, rolled back when it does not', async (t) => {
  const canary = {
    mode: 'canary' as const,
    candidatePercent: 50,
    routeKeyOf: (x: Rec) => x.user,
    labelOf: (x: Rec) => x.label,
    minSamples: 300,
    tolerance: 0.2,
  };
  const good = await run(canary, linear('v2', 2, 0.01));
  t.same(good.status.slice(0, 2), ['status v1 accepted', 'status v2 accepted candidate']);
  t.ok(good.status.includes('status v2 promoted'), `promoted: ${good.status}`);
  // Routing happens when a record arrives, quality when its score comes back: records already routed when the
  // decision lands keep their version. Every record after that is served by the promoted version.
  t.ok(lastRoutedTo(good.served, 'v1') < N * 0.75, 'the last quarter of the records is served by v2 only');
  const bad = await run(canary, linear('v2', 2, 5));
  t.ok(bad.status.includes('status v2 rolled-back'), `rolled back: ${bad.status}`);
  t.ok(lastRoutedTo(bad.served, 'v2') < N * 0.75, 'after the rollback v1 serves everyone (the last quarter)');
});

t.test('shadow: the candidate scores every record on the side output and serves none', async (t) => {
  const r = await run({ mode: 'shadow', labelOf: (x) => x.label }, linear('v2', 2, 5));
  t.ok(
    r.served.every((l) => l.startsWith('served v1')),
    'only v1 is served',
  );
  const shadowed = new Set(r.shadow.map((l) => Number(l.split(' ')[2])));
  t.ok(r.shadow.every((l) => l.startsWith('shadow v2')));
  t.ok(shadowed.size > N - 200, `the candidate scored the records after its arrival (${shadowed.size})`);
});
