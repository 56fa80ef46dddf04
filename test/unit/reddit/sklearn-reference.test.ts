import t from 'tap';
import { readFileSync } from 'node:fs';
import { generateComments } from '../../../jobs/reddit-moderation/comments.js';
import { TfidfVectorizer } from '../../../jobs/reddit-moderation/text-features.js';
import { trainLogisticRegression } from '../../../jobs/reddit-moderation/logistic-regression.js';

// Values recorded from real scikit-learn (see `generatedBy` in the JSON) on the same tokens, so this checks
// the vectorizer and the logistic regression against sklearn itself, not against our reading of its docs.
// max_features was chosen where the cut has no tie (sklearn breaks ties by an unstable argsort).
interface Reference {
  generatedBy: string;
  maxFeatures: number;
  terms: string[];
  idf: number[];
  rows: Record<string, number>[];
  coef: number[];
  intercept: number;
}
const ref = JSON.parse(readFileSync(new URL('./sklearn-reference.json', import.meta.url), 'utf8')) as Reference;
const train = generateComments({ seed: 21, toxicRate: 0.2 }, 600);
const test = generateComments({ seed: 21, toxicRate: 0.2 }, 8, 600);
const v = TfidfVectorizer.fit(
  train.map((c) => c.body),
  { ngramRange: [1, 3], maxFeatures: ref.maxFeatures, minDf: 3, sublinearTf: true },
);

t.test(`vocabulary and idf equal scikit-learn's (${ref.generatedBy.split(':')[0]})`, async (t) => {
  t.same(v.terms, ref.terms);
  let maxDiff = 0;
  ref.idf.forEach((x, i) => (maxDiff = Math.max(maxDiff, Math.abs(x - v.idf[i]!))));
  t.ok(maxDiff < 1e-12, `max |idf − sklearn| = ${maxDiff}`);
});

t.test("rows equal scikit-learn's transform (to float32 rounding)", async (t) => {
  let maxDiff = 0;
  test.forEach((c, r) => {
    const x = v.transform(c.body);
    const expected = new Float64Array(v.vocabSize);
    for (const [term, value] of Object.entries(ref.rows[r]!)) expected[v.columnOf(term)!] = value;
    for (let j = 0; j < x.length; j++) maxDiff = Math.max(maxDiff, Math.abs(x[j]! - expected[j]!));
  });
  t.ok(maxDiff < 1e-7, `max |x − sklearn| = ${maxDiff}`);
});

t.test("logistic regression lands on scikit-learn's LogisticRegression(C=1) optimum", async (t) => {
  const rows = train.map((c) => v.transformSparse(c.body));
  const m = trainLogisticRegression(
    rows,
    train.map((c) => c.label!),
    v.vocabSize,
    { tol: 1e-9 },
  );
  let maxDiff = 0;
  ref.coef.forEach((w, i) => (maxDiff = Math.max(maxDiff, Math.abs(w - m.weights[i]!))));
  t.ok(
    maxDiff < 1e-4,
    `max |w − sklearn| = ${maxDiff.toExponential(2)} (largest |w| ${Math.max(...ref.coef.map(Math.abs)).toFixed(3)})`,
  );
  t.ok(Math.abs(m.bias - ref.intercept) < 1e-4, `intercept ${m.bias} vs ${ref.intercept}`);
});
