/**
 * The README's first example is test/fixtures/readme-first-example.ts (which tsc checks): the two stay
 * identical, and the program counts 100 elements for each of its 10 keys.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';

// The fixture's text is read from the repository (cwd); it is imported by its .js name, which tsx maps to the
// .ts source and which the unit tier's build (dist/unit) has compiled.
const fixturePath = 'test/fixtures/readme-first-example.ts';
const fixtureUrl = new URL('../../fixtures/readme-first-example.js', import.meta.url);

t.test("the README's first example is the type-checked fixture, verbatim", async (t) => {
  const readme = readFileSync('README.md', 'utf8');
  const first = /```ts\n([\s\S]*?)```/.exec(readme);
  t.ok(first, 'the README has a ts example');
  t.equal(first![1], readFileSync(fixturePath, 'utf8'));
});

t.test('it runs: every key counts to 100', async (t) => {
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await import(fixtureUrl.href);
  } finally {
    process.stdout.write = write;
  }
  const lines = out
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\d+> /, ''));
  t.equal(lines.length, 1000);
  const last = new Map<string, number>();
  for (const l of lines) {
    const [k, n] = l.split(':');
    last.set(k!, Math.max(last.get(k!) ?? 0, Number(n)));
  }
  t.same([...last].sort(), Array.from({ length: 10 }, (_, k) => [String(k), 100]).sort());
});
