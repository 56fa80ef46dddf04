import t from 'tap';
import {
  createCommentGenerator,
  generateComments,
  TOXIC_VOCABULARY,
  DEFAULT_START_MS,
} from '../../../jobs/reddit-moderation/comments.js';
import { analyze } from '../../../jobs/reddit-moderation/text-analyzer.js';

t.test('comment i is a pure function of (options, i): random access, same seed → same comments', async (t) => {
  const a = generateComments({ seed: 1 }, 500);
  const b = generateComments({ seed: 1 }, 500);
  t.same(a, b);
  const gen = createCommentGenerator({ seed: 1 });
  t.same(gen(321), a[321], 'random access equals sequential generation');
  t.same(generateComments({ seed: 1 }, 10, 490), a.slice(490));
  t.not(
    generateComments({ seed: 2 }, 1)[0]!.body + generateComments({ seed: 2 }, 1, 1)[0]!.body,
    a[0]!.body + a[1]!.body,
  );
  t.throws(() => gen(-1), RangeError);
});

t.test('shape: unique ids, strictly increasing event times from startMs, known subreddits, ASCII bodies', async (t) => {
  const cs = generateComments({ seed: 7, intervalMs: 250 }, 4000);
  t.equal(new Set(cs.map((c) => c.id)).size, cs.length);
  t.ok(
    cs.every((c, i) => i === 0 || c.createdUtcMs > cs[i - 1]!.createdUtcMs),
    'strictly increasing',
  );
  t.ok(cs[0]!.createdUtcMs >= DEFAULT_START_MS && cs[3999]!.createdUtcMs < DEFAULT_START_MS + 4000 * 250);
  t.ok(cs.every((c) => /^t1_[0-9a-z]+$/.test(c.id) && c.author.length > 3 && c.body.length > 5));
  t.ok(
    cs.every((c) => /^[\x20-\x7e]+$/.test(c.body)),
    'printable ASCII',
  );
  t.equal(new Set(cs.map((c) => c.subreddit)).size, 8);
  t.notOk('label' in generateComments({ seed: 7, labels: false }, 1)[0]!, 'labels: false omits the label');
});

t.test('~7% removed by default, with the toxic patterns, overlapping normal comments', async (t) => {
  const cs = generateComments({ seed: 11 }, 20000);
  const removed = cs.filter((c) => c.label === 1);
  const kept = cs.filter((c) => c.label === 0);
  const rate = removed.length / cs.length;
  t.ok(rate > 0.06 && rate < 0.1, `removed rate ${rate.toFixed(4)}`);
  const share = (xs: typeof cs, p: (c: (typeof cs)[number]) => boolean) => xs.filter(p).length / xs.length;
  const insult = new RegExp(`\\b(${TOXIC_VOCABULARY.insults.join('|')})\\b`, 'i');
  const link = /https?:\/\/|www\./;
  const caps = (c: { body: string }) => /[A-Z]{4,}(\s+[A-Z]{3,}){2,}/.test(c.body);
  const bangs = /[!?]{3,}|!!1/;
  for (const [name, p] of [
    ['insult', (c: { body: string }) => insult.test(c.body)],
    ['link', (c: { body: string }) => link.test(c.body)],
    ['all caps', caps],
    ['repeated punctuation', (c: { body: string }) => bangs.test(c.body)],
  ] as const) {
    const r = share(removed, p);
    const k = share(kept, p);
    t.ok(r > 3 * k && r > 0.1, `${name}: ${(100 * r).toFixed(1)}% of removed vs ${(100 * k).toFixed(1)}% of kept`);
  }
  t.ok(
    share(kept, (c) => insult.test(c.body)) > 0.003 && share(kept, (c) => link.test(c.body)) > 0.003,
    'kept comments overlap (quoted insults, cited links)',
  );
});

t.test('drift swaps the toxic vocabulary and leaves normal comments alone', async (t) => {
  const words = (xs: readonly string[]) => new Set(xs.flatMap((x) => analyze(x, [1, 1])));
  const oldInsults = words(TOXIC_VOCABULARY.insults);
  const newInsults = words(TOXIC_VOCABULARY.insultsDrifted);
  const count = (drift: number, vocab: Set<string>) =>
    generateComments({ seed: 5, drift, toxicRate: 0.5 }, 4000)
      .filter((c) => c.label === 1)
      .filter((c) => analyze(c.body, [1, 1]).some((w) => vocab.has(w))).length;
  const [old0, new0, old1, new1] = [
    count(0, oldInsults),
    count(0, newInsults),
    count(1, oldInsults),
    count(1, newInsults),
  ];
  t.ok(old0 > 500 && new0 < old0 / 10, `drift 0: ${old0} removed comments with old insults, ${new0} with new`);
  t.ok(
    new1 > 500 && old1 < new1 / 3,
    `drift 1: ${new1} with new insults, ${old1} with old (kept comments quote old words too)`,
  );
  const kept0 = generateComments({ seed: 5, toxicRate: 0.5 }, 400).filter((c) => c.label === 0);
  const kept1 = generateComments({ seed: 5, drift: 1, toxicRate: 0.5 }, 400).filter((c) => c.label === 0);
  t.same(kept1, kept0, 'kept comments are identical with and without drift');
});
