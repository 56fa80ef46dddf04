/**
 * PMML models (operators/ml/pmml): each fixture of test/fixtures/pmml/ scored through the PMML factory and
 * compared with scores computed here from the coefficients in the document (independent arithmetic); bad
 * documents rejected with the reason; a PMML model served in a stream like any other model type.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { descriptorFromBytes, type ModelDescriptor } from '../../../operators/ml/descriptor.js';
import { defaultModelRegistry } from '../../../operators/ml/index.js';
import type { ServingModel } from '../../../operators/ml/model.js';
import { ModelServing, StreamExecutionEnvironment, type Scored } from '../../../runtime/exports/index.js';

const fixture = (f: string) => readFileSync(new URL(`../../fixtures/pmml/${f}`, import.meta.url));
const registry = defaultModelRegistry();

function descriptor(bytes: Uint8Array, inWidth: number, outWidth: number, version = '1'): ModelDescriptor {
  return descriptorFromBytes(
    {
      name: 'pmml',
      version,
      description: 'PMML test model',
      dataType: 'x',
      modelType: 'PMML',
      inputSchema: [{ name: 'features', shape: [-1, inWidth] }],
      outputSchema: [{ name: 'score', shape: [-1, outWidth] }],
    },
    bytes,
  );
}

async function load(file: string, inWidth: number, outWidth: number): Promise<ServingModel> {
  return registry.create(descriptor(fixture(file), inWidth, outWidth));
}

async function score(m: ServingModel, rows: number[][]): Promise<number[][]> {
  const w = m.inputWidth;
  const f = new Float32Array(rows.length * w);
  rows.forEach((r, i) => f.set(r, i * w));
  const out = await m.scoreBatch(f, rows.length, w);
  return rows.map((_, i) => Array.from(out.subarray(i * m.outputWidth, (i + 1) * m.outputWidth)));
}

const close = (t: { ok(c: boolean, m: string): void }, got: number[], want: number[], msg: string) =>
  t.ok(
    got.length === want.length && got.every((g, i) => Math.abs(g - want[i]!) <= 1e-4 * Math.max(1, Math.abs(want[i]!))),
    `${msg}: got ${got.map((x) => x.toFixed(5))}, want ${want.map((x) => x.toFixed(5))}`,
  );
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

t.test('RegressionModel, regression: the DMG number_of_claims example', async (t) => {
  const m = await load('linear-regression.pmml', 3, 1);
  t.equal(m.backend, 'pmml/js');
  const rows = [
    [35, 40_000, 1],
    [20, 12_000, 0],
  ];
  const got = await score(m, rows);
  close(t, got[0]!, [132.37 + 7.1 * 35 + 0.01 * 40_000 + 325.03], 'street');
  close(t, got[1]!, [132.37 + 7.1 * 20 + 0.01 * 12_000 + 41.1], 'carpark');
});

t.test('RegressionModel, classification: logit (binary) and softmax', async (t) => {
  const logit = await load('logistic-classification.pmml', 2, 2);
  for (const [x1, x2] of [
    [1, 2],
    [3, 0.5],
  ]) {
    const p = sigmoid(-2.5 + 1.5 * x1! - 0.75 * x2! ** 2);
    close(t, (await score(logit, [[x1!, x2!]]))[0]!, [p, 1 - p], `logit at (${x1}, ${x2})`);
  }
  const soft = await load('softmax-classification.pmml', 2, 3);
  const [a, b] = [0.7, 1.9];
  const y = [1 - 1.2 * a, 0.2 + 0.8 * b, -0.5 + 0.6 * a + 0.4 * b].map(Math.exp);
  const s = y.reduce((u, v) => u + v, 0);
  close(
    t,
    (await score(soft, [[a, b]]))[0]!,
    y.map((v) => v / s),
    'softmax',
  );
});

t.test('TreeModel: the golfing tree, with compound and set predicates and returnLastPrediction', async (t) => {
  const m = await load('golf-tree.pmml', 4, 3); // will play, may play, no play
  const rows = [
    [75, 70, 0, 0], // sunny, 50 < t < 90, humidity < 80 → 9/1/0
    [75, 85, 0, 0], // sunny, humid → 1/2/7
    [95, 60, 0, 0], // sunny, hot → 3/3/24
    [70, 60, 1, 2], // rain and windy → 2/4/14
    [70, 60, 0, 1], // overcast: no true child → the "may play" node, 20/25/5
  ];
  const want = [
    [0.9, 0.1, 0],
    [0.1, 0.2, 0.7],
    [0.1, 0.1, 0.8],
    [0.1, 0.2, 0.7],
    [0.4, 0.5, 0.1],
  ];
  const got = await score(m, rows);
  rows.forEach((r, i) => close(t, got[i]!, want[i]!, `row ${r}`));
  const missing = await score(m, [[Number.NaN, 60, 0, 0]]);
  close(t, missing[0]!, [0.6, 0.2, 0.2], 'a missing temperature is unknown in both branches: the sunny node');
});

t.test('MiningModel: majority vote of a forest; a modelChain of boosted trees into a logit', async (t) => {
  const forest = await load('random-forest.pmml', 2, 2); // a, b
  const vote = (x: number, y: number) => {
    const votes = [x < 0.5 ? 'a' : 'b', y < 0.3 ? 'a' : 'b', x > 0.8 ? 'b' : y < 0.9 ? 'a' : 'b'];
    const a = votes.filter((v) => v === 'a').length / 3;
    return [a, 1 - a];
  };
  for (const [x, y] of [
    [0.2, 0.1],
    [0.9, 0.5],
    [0.6, 0.2],
  ])
    close(t, (await score(forest, [[x!, y!]]))[0]!, vote(x!, y!), `forest at (${x}, ${y})`);
  const gbm = await load('gbm-chain.pmml', 2, 2); // churn 1, 0
  for (const [f0, f1] of [
    [1, 20],
    [2, 5],
  ]) {
    const z = (f0! <= 1.5 ? -0.3 : 0.45) + (f1! > 10 ? 0.2 : -0.1) - 0.4;
    close(t, (await score(gbm, [[f0!, f1!]]))[0]!, [sigmoid(z), 1 - sigmoid(z)], `boosted at (${f0}, ${f1})`);
  }
});

t.test('NeuralNetwork: normalised inputs, a logistic hidden layer, a denormalised output', async (t) => {
  const m = await load('neural-network.pmml', 2, 1);
  const [u, v] = [4, 0.3];
  const i0 = -1 + (u / 10) * 2;
  const h2 = sigmoid(0.1 + 0.5 * i0 - 1.2 * v);
  const h3 = sigmoid(-0.3 + 1.1 * i0 + 0.7 * v);
  const o = 0.05 + 2 * h2 - 1.5 * h3;
  close(t, (await score(m, [[u, v]]))[0]!, [100 + o * 200], 'network output');
});

t.test('bad PMML is rejected with the reason', async (t) => {
  const bad = (xml: string, inW = 1, outW = 1) => registry.create(descriptor(Buffer.from(xml), inW, outW));
  await t.rejects(bad('<PMML><Header/>'), { code: 'MODEL_LOAD_FAILED', message: /not well-formed XML/ });
  await t.rejects(bad('<PMML><DataDictionary/><SupportVectorMachineModel functionName="regression"/></PMML>'), {
    code: 'MODEL_LOAD_FAILED',
    message: /unsupported element <SupportVectorMachineModel>/,
  });
  const tree = fixture('golf-tree.pmml')
    .toString()
    .replace(
      'value="0"/>\n        <ScoreDistribution value="will play" recordCount="30"/>',
      'value="sunny"/>\n        <ScoreDistribution value="will play" recordCount="30"/>',
    );
  await t.rejects(bad(tree, 4, 3), {
    message: /field outlook is compared with "sunny"; .*encode categories as numbers/,
  });
  await t.rejects(registry.create(descriptor(fixture('linear-regression.pmml'), 5, 1)), {
    code: 'MODEL_SCHEMA_MISMATCH',
    message: /3 active fields \(age, salary, car_location\), the input schema declares width 5/,
  });
  const withApply = fixture('linear-regression.pmml')
    .toString()
    .replace(
      '<RegressionModel',
      '<TransformationDictionary><DerivedField name="z"><Apply function="+"/></DerivedField></TransformationDictionary><RegressionModel',
    );
  await t.rejects(bad(withApply, 3, 1), {
    message: /unsupported element <Apply> in TransformationDictionary DerivedField z/,
  });
  const d = descriptor(fixture('linear-regression.pmml'), 3, 1);
  await t.rejects(registry.create({ ...d, sha256: '0'.repeat(64) }), { code: 'MODEL_HASH_MISMATCH' });
});

t.test('a PMML model serves in a stream like any other model type', async (t) => {
  type Rec = { id: number; age: number; salary: number; car: number };
  const recs: Rec[] = Array.from({ length: 300 }, (_, i) => ({
    id: i,
    age: 18 + (i % 50),
    salary: 1000 * i,
    car: i % 2,
  }));
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  const models = env.fromCollection([descriptor(fixture('linear-regression.pmml'), 3, 1)]);
  const scored = ModelServing.broadcast<Rec>(env.fromCollection(recs), models, {
    width: 3,
    extract: (r, out, off) => {
      out[off] = r.age;
      out[off + 1] = r.salary;
      out[off + 2] = r.car;
    },
    noModel: 'buffer',
  }).uid('serve-pmml');
  const out = (await scored.executeAndCollect()) as Scored<Rec>[];
  t.equal(out.length, 300);
  const want = (r: Rec) => 132.37 + 7.1 * r.age + 0.01 * r.salary + (r.car ? 325.03 : 41.1);
  t.ok(
    out.every((o) => Math.abs(o.prediction - want(o.record)) <= 1e-4 * want(o.record) && o.model === 'pmml'),
    'every record scored by the PMML formula (float32 precision)',
  );
});
