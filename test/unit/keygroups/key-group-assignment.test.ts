import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  javaHashCode,
  bigintHashCode,
  doubleHashCode,
  murmurHash,
  assignToKeyGroup,
  computeOperatorIndexForKeyGroup,
  assignKeyToParallelOperator,
  computeKeyGroupRangeForOperatorIndex,
  computeDefaultMaxParallelism,
  checkParallelismBounds,
} from '../../../runtime/keygroups/index.js';

interface Vector {
  type: 'String' | 'Integer' | 'Long';
  key: string;
  hashCode: number;
  murmur: number;
  [combo: string]: unknown;
}
const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/flink/keygroup-test-vectors.json', import.meta.url), 'utf8'),
) as {
  keys: Vector[];
  keyGroupRanges: Record<string, { operatorIndex: number; start: number; end: number }[]>;
  defaultMaxParallelism: Record<string, number>;
  murmurHashOfInt: Record<string, number>;
};

function jsKey(v: Vector): unknown {
  if (v.type === 'String') return v.key;
  if (v.type === 'Integer') return Number(v.key);
  return BigInt(v.key);
}

t.test('every key vector: hashCode, murmur, key groups and operator indexes', async (t) => {
  t.ok(vectors.keys.length >= 30);
  for (const v of vectors.keys) {
    const key = jsKey(v);
    const label = `${v.type} ${JSON.stringify(v.key)}`;
    t.equal(javaHashCode(key), v.hashCode, `${label} hashCode`);
    t.equal(murmurHash(v.hashCode), v.murmur, `${label} murmur`);
    let combos = 0;
    for (const [name, expected] of Object.entries(v)) {
      let m = /^kg@(\d+)$/.exec(name);
      if (m) {
        t.equal(assignToKeyGroup(key, Number(m[1])), expected, `${label} ${name}`);
        combos++;
        continue;
      }
      m = /^op@(\d+)\/(\d+)$/.exec(name);
      if (m) {
        const maxP = Number(m[1]);
        const p = Number(m[2]);
        t.equal(assignKeyToParallelOperator(key, maxP, p), expected, `${label} ${name}`);
        combos++;
      }
    }
    t.ok(combos >= 8, `${label} has combos`);
  }
});

t.test('Long vectors also match for safe-integer numbers outside int32', async (t) => {
  for (const v of vectors.keys.filter((x) => x.type === 'Long')) {
    const n = Number(v.key);
    if (!Number.isSafeInteger(n) || (n >= -2147483648 && n <= 2147483647)) continue;
    t.equal(javaHashCode(n), v.hashCode, `number ${v.key}`);
  }
  // exhaustive-ish: number path equals BigInt path for safe ints beyond int32
  let x = 2147483648;
  for (let i = 0; i < 2000; i++) {
    for (const n of [x, -x, x + 12345, -(x + 98765)]) {
      if (!Number.isSafeInteger(n) || (n >= -2147483648 && n <= 2147483647)) continue;
      t.equal(javaHashCode(n), bigintHashCode(BigInt(n)), `long ${n}`);
    }
    x = Math.floor(x * 1.017) + 3;
  }
  t.equal(javaHashCode(Number.MAX_SAFE_INTEGER), bigintHashCode(BigInt(Number.MAX_SAFE_INTEGER)));
  t.equal(javaHashCode(Number.MIN_SAFE_INTEGER), bigintHashCode(BigInt(Number.MIN_SAFE_INTEGER)));
});

t.test('murmurHashOfInt table', async (t) => {
  for (const [k, v] of Object.entries(vectors.murmurHashOfInt)) t.equal(murmurHash(Number(k)), v, `murmur(${k})`);
});

t.test('other hashCodes: boolean, double, tuples, errors', async (t) => {
  t.equal(javaHashCode(true), 1231);
  t.equal(javaHashCode(false), 1237);
  // Java: Double.hashCode(1.5) = 1073217536, Double.hashCode(0.1) = -1507852285, NaN = 2146959360
  t.equal(doubleHashCode(1.5), 1073217536);
  t.equal(javaHashCode(0.1), -1507852285);
  t.equal(javaHashCode(NaN), 2146959360);
  t.equal(javaHashCode(Infinity), 2146435072);
  // Tuple2: 31*f0 + f1
  t.equal(javaHashCode(['a', 1]), (31 * 97 + 1) | 0);
  t.equal(javaHashCode(['user-1', 'user-2']), (Math.imul(31, -836031825) + -836031824) | 0);
  // Tuple3: 31*(31*f0 + f1) + f2, with int32 wrap
  const h3 = (Math.imul(31, (Math.imul(31, javaHashCode('hello')) + javaHashCode(7)) | 0) + 1231) | 0;
  t.equal(javaHashCode(['hello', 7, true]), h3);
  t.equal(javaHashCode(['x', null]), (31 * 120) | 0, 'null field hashes to 0');
  t.equal(javaHashCode([['a'], 'b']), (31 * 97 + 98) | 0, 'nested tuple');
  for (const bad of [null, undefined, { a: 1 }, Symbol('s'), () => 1]) {
    t.throws(() => javaHashCode(bad), { code: 'API_INVALID_ARGUMENT', message: /string, number, bigint, boolean/ });
  }
  t.throws(() => javaHashCode(1n << 63n), { code: 'API_INVALID_ARGUMENT' });
  t.equal(javaHashCode((1n << 63n) - 1n), -2147483648);
});

t.test('key-group ranges per operator and the containment invariant', async (t) => {
  for (const [combo, ranges] of Object.entries(vectors.keyGroupRanges)) {
    const [maxP, p] = combo.split('/').map(Number) as [number, number];
    t.equal(ranges.length, p, `${combo} has one range per operator`);
    for (const r of ranges) {
      t.same(
        computeKeyGroupRangeForOperatorIndex(maxP, p, r.operatorIndex),
        { start: r.start, end: r.end },
        `${combo} op ${r.operatorIndex}`,
      );
    }
  }
  for (const [maxP, p] of [
    [128, 1],
    [128, 3],
    [128, 7],
    [10, 3],
    [256, 3],
    [1000, 999],
    [32768, 5],
    [7, 7],
  ] as const) {
    const ranges = Array.from({ length: p }, (_, op) => computeKeyGroupRangeForOperatorIndex(maxP, p, op));
    t.equal(ranges[0]!.start, 0);
    t.equal(ranges[p - 1]!.end, maxP - 1);
    for (let op = 1; op < p; op++) t.equal(ranges[op]!.start, ranges[op - 1]!.end + 1, `contiguous ${maxP}/${p}`);
    let bad = 0;
    for (let kg = 0; kg < maxP; kg++) {
      const op = computeOperatorIndexForKeyGroup(maxP, p, kg);
      const r = ranges[op]!;
      if (!(kg >= r.start && kg <= r.end)) bad++;
    }
    t.equal(bad, 0, `operatorIndex(kg) lies in its range for ${maxP}/${p}`);
  }
});

t.test('default max parallelism and bounds', async (t) => {
  for (const [p, maxP] of Object.entries(vectors.defaultMaxParallelism)) {
    t.equal(computeDefaultMaxParallelism(Number(p)), maxP, `p=${p}`);
  }
  t.doesNotThrow(() => checkParallelismBounds(4, 128));
  t.doesNotThrow(() => checkParallelismBounds(32768, 32768));
  t.throws(() => checkParallelismBounds(129, 128), { code: 'API_PARALLELISM_ABOVE_MAX' });
  t.throws(() => checkParallelismBounds(0, 128), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => checkParallelismBounds(1, 32769), { code: 'API_INVALID_ARGUMENT' });
  t.throws(() => computeKeyGroupRangeForOperatorIndex(128, 4, 4), { code: 'API_INVALID_ARGUMENT' });
});
