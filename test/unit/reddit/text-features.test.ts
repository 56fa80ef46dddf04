import t from 'tap';
import { analyze, cleanText, tokenize, wordNgrams } from '../../../jobs/reddit-moderation/text-analyzer.js';
import { TfidfVectorizer } from '../../../jobs/reddit-moderation/text-features.js';
import { generateComments } from '../../../jobs/reddit-moderation/comments.js';

// Tiny corpus, analyzed by hand (ngram (1, 2)):
//   d0 "The cat sat!"                  → the cat sat              → the, cat, sat, "the cat", "cat sat"
//   d1 "the cat, the HAT http://x.y/z" → the cat the hat urltoken → the×2, cat, hat, urltoken, "the cat", "cat the", "the hat", "hat urltoken"
//   d2 "A dog sat 42 times"            → a dog sat times          → a, dog, sat, times, "a dog", "dog sat", "sat times"
// Total counts: the 3; cat 2, sat 2, "the cat" 2; every other term 1.   df: the, cat, sat, "the cat" 2; others 1.
const CORPUS = ['The cat sat!', 'the cat, the HAT http://x.y/z', 'A dog sat 42 times'];
const IDF_DF2 = Math.log(4 / 3) + 1; // smooth idf, n = 3, df = 2 → 1.2876820724517808
const IDF_DF1 = Math.log(4 / 2) + 1; // df = 1 → 1.6931471805599454

t.test('cleaning: lowercase, URLs → urltoken, non-letters → one space', async (t) => {
  t.equal(cleanText('Check THIS out!!! https://bit.ly/abc?x=1 now, 100% sure'), 'check this out urltoken now sure');
  t.equal(cleanText('see www.example.com/page.html.'), 'see urltoken');
  t.equal(cleanText('  ¿Qué? café--au_lait  '), 'qu caf au lait'); // non-ASCII letters are non-letters
  t.equal(cleanText('!!! 123 ???'), '');
  t.same(tokenize(''), []);
  t.same(tokenize('a bb c'), ['a', 'bb', 'c']);
});

t.test("n-grams follow scikit-learn's order: all unigrams, then bigrams, then trigrams", async (t) => {
  t.same(wordNgrams(['a', 'b', 'c'], [1, 3]), ['a', 'b', 'c', 'a b', 'b c', 'a b c']);
  t.same(wordNgrams(['a', 'b', 'c'], [2, 3]), ['a b', 'b c', 'a b c']);
  t.same(wordNgrams(['a'], [1, 3]), ['a']);
  t.same(analyze('The cat sat!', [1, 2]), ['the', 'cat', 'sat', 'the cat', 'cat sat']);
  t.throws(() => wordNgrams(['a'], [2, 1]));
});

t.test('no cap: vocabulary is every term, in ascending term order, with smooth idf', async (t) => {
  const v = TfidfVectorizer.fit(CORPUS, { ngramRange: [1, 2], maxFeatures: null });
  t.same(v.terms, [
    'a',
    'a dog',
    'cat',
    'cat sat',
    'cat the',
    'dog',
    'dog sat',
    'hat',
    'hat urltoken',
    'sat',
    'sat times',
    'the',
    'the cat',
    'the hat',
    'times',
    'urltoken',
  ]);
  t.equal(v.idf[v.columnOf('the')!], IDF_DF2);
  t.equal(v.idf[v.columnOf('the cat')!], IDF_DF2);
  t.equal(v.idf[v.columnOf('urltoken')!], IDF_DF1);
  t.equal(IDF_DF2, 1.2876820724517808);
  t.equal(IDF_DF1, 1.6931471805599454);
});

t.test(
  'cap by total count (sklearn): the(3), then the count-2 tie cat < sat < "the cat", then "a" wins the count-1 tie',
  async (t) => {
    const v = TfidfVectorizer.fit(CORPUS, { ngramRange: [1, 2], maxFeatures: 5 });
    t.same(v.terms, ['a', 'cat', 'sat', 'the', 'the cat'], 'kept terms, columns in term order');
    t.same(Array.from(v.idf), [IDF_DF1, IDF_DF2, IDF_DF2, IDF_DF2, IDF_DF2], 'idf uses df over all fitted documents');
    const v4 = TfidfVectorizer.fit(CORPUS, { ngramRange: [1, 2], maxFeatures: 4 });
    t.same(v4.terms, ['cat', 'sat', 'the', 'the cat']);
    const v2 = TfidfVectorizer.fit(CORPUS, { ngramRange: [1, 2], maxFeatures: 2 });
    t.same(v2.terms, ['cat', 'the'], 'the tie at the cut is broken by term order (cat before sat)');
  },
);

t.test('cap by total count vs by document frequency differ when a term repeats inside one document', async (t) => {
  const docs = ['x x x', 'y', 'y z'];
  t.same(TfidfVectorizer.fit(docs, { ngramRange: [1, 1], maxFeatures: 1 }).terms, ['x'], 'count: x 3 > y 2');
  t.same(
    TfidfVectorizer.fit(docs, { ngramRange: [1, 1], maxFeatures: 1, capBy: 'documentFrequency' }).terms,
    ['y'],
    'df: y 2 > x 1',
  );
});

t.test('minDf drops rare terms before the cap', async (t) => {
  const v = TfidfVectorizer.fit(CORPUS, { ngramRange: [1, 2], minDf: 2, maxFeatures: 1000 });
  t.same(v.terms, ['cat', 'sat', 'the', 'the cat']);
  t.throws(() => TfidfVectorizer.fit(CORPUS, { minDf: 4 }), /no term/);
});

t.test('transform: sublinear tf, idf, L2 norm, n-grams (hand-computed)', async (t) => {
  const v = TfidfVectorizer.fit(CORPUS, { ngramRange: [1, 2], maxFeatures: 5 });
  // "A the the the cat": a×1 (df 1), the×3, cat×1, "the cat"×1 (df 2); "a the", "the the" are not in the vocabulary.
  const raw = { a: 1 * IDF_DF1, cat: 1 * IDF_DF2, sat: 0, the: (1 + Math.log(3)) * IDF_DF2, 'the cat': 1 * IDF_DF2 };
  const norm = Math.hypot(...Object.values(raw));
  const x = v.transform('A the the the cat');
  t.type(x, Float32Array);
  t.equal(x.length, 5);
  const expected = [0.46106109103501997, 0.3506488437907149, 0, 0.7358759725864588, 0.3506488437907149];
  Object.values(raw).forEach((w, i) => {
    t.equal(x[i], Math.fround(w / norm), `column ${v.terms[i]}`);
    t.ok(Math.abs(x[i]! - expected[i]!) < 1e-7, `column ${v.terms[i]} = ${expected[i]}`);
  });
  t.ok(Math.abs(Math.hypot(...x) - 1) < 1e-6, 'unit L2 norm');
  t.same(Array.from(v.transform('nothing known here')), [0, 0, 0, 0, 0], 'an out-of-vocabulary text is the zero row');
  // Without sublinear tf, the×3 weighs 3·idf.
  const lin = TfidfVectorizer.fit(CORPUS, { ngramRange: [1, 2], maxFeatures: 5, sublinearTf: false }).transform(
    'the the the',
  );
  t.equal(lin[3], 1, 'a single term normalises to 1');
  const two = TfidfVectorizer.fit(CORPUS, { ngramRange: [1, 2], maxFeatures: 5, sublinearTf: false }).transform(
    'the the the sat',
  );
  t.ok(Math.abs(two[3]! / two[2]! - 3) < 1e-6, 'linear tf: 3 : 1');
});

t.test('transformInto writes one row into a shared buffer and zeroes stale values', async (t) => {
  const v = TfidfVectorizer.fit(CORPUS, { ngramRange: [1, 2], maxFeatures: 5 });
  const buf = new Float32Array(12).fill(9);
  v.transformInto('a cat', buf, 5);
  t.same(Array.from(buf.subarray(0, 5)), [9, 9, 9, 9, 9]);
  t.same(Array.from(buf.subarray(5, 10)), Array.from(v.transform('a cat')));
  t.same(Array.from(buf.subarray(10)), [9, 9]);
  t.throws(() => v.transformInto('a', buf, 8), RangeError);
});

/** Reference implementation straight from the definitions (counts over `analyze`), for the fast path. */
function referenceRow(v: TfidfVectorizer, text: string): Float64Array {
  const row = new Float64Array(v.vocabSize);
  for (const term of analyze(text, v.ngramRange)) {
    const c = v.columnOf(term);
    if (c !== undefined) row[c] = row[c]! + 1;
  }
  for (let c = 0; c < row.length; c++) if (row[c]! > 0) row[c] = (1 + Math.log(row[c]!)) * v.idf[c]!;
  const norm = Math.hypot(...row);
  return norm > 0 ? row.map((x) => x / norm) : row;
}

t.test('the prefix-pruned transform equals counting every n-gram (2000 generated comments, 1000 terms)', async (t) => {
  const comments = generateComments({ seed: 5, toxicRate: 0.3 }, 3000);
  const v = TfidfVectorizer.fit(comments.slice(0, 1000).map((c) => c.body));
  t.equal(v.vocabSize, 1000);
  t.ok(
    v.terms.some((x) => x.split(' ').length === 3),
    'the vocabulary holds trigrams',
  );
  let maxDiff = 0;
  let nonZero = 0;
  for (const c of comments.slice(1000)) {
    const fast = v.transform(c.body);
    const ref = referenceRow(v, c.body);
    for (let j = 0; j < fast.length; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(fast[j]! - ref[j]!));
      if (fast[j] !== 0) nonZero++;
    }
  }
  t.ok(maxDiff < 1e-7, `max |fast − reference| = ${maxDiff}`);
  t.ok(nonZero > 2000 * 10, `rows are not trivially empty (${nonZero} non-zeros)`);
});

t.test('JSON round trip: same columns, idf, rows and vocabulary hash', async (t) => {
  const comments = generateComments({ seed: 9 }, 500);
  const v = TfidfVectorizer.fit(
    comments.map((c) => c.body),
    { minDf: 3 },
  );
  const back = TfidfVectorizer.fromJSON(JSON.stringify(v.toJSON()));
  t.same(back.terms, v.terms);
  t.same(Array.from(back.idf), Array.from(v.idf));
  t.equal(back.vocabHash(), v.vocabHash());
  t.match(v.vocabHash(), /^[0-9a-f]{64}$/);
  for (const c of comments.slice(0, 50)) t.same(Array.from(back.transform(c.body)), Array.from(v.transform(c.body)));
  const other = TfidfVectorizer.fit(
    comments.slice(1).map((c) => c.body),
    { minDf: 3 },
  );
  t.not(other.vocabHash(), v.vocabHash(), 'different training data → different hash');
  t.throws(() => TfidfVectorizer.fromJSON('{"kind":"other"}'));
});
