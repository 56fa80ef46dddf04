import t from 'tap';
import { readFileSync } from 'node:fs';
import { Packr } from 'msgpackr';
import { Tuple, Tuple0, Tuple1, Tuple2, Tuple3, Tuple25 } from '../../../runtime/exports/index.js';
import {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  javaHashCode,
  murmurHash,
} from '../../../runtime/keygroups/index.js';
import { canonicalKey } from '../../../runtime/state/key-codec.js';
import { printString } from '../../../operators/core/basic-sinks.js';

interface TupleVector {
  type: string;
  fields: { type: string; value?: string }[];
  hashCode: number;
  murmur: number;
  [combo: string]: unknown;
}
const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/flink/keygroup-test-vectors.json', import.meta.url), 'utf8'),
) as { tupleKeys: TupleVector[] };

/** The JS value a Java field stands for (Long beyond int range stays a safe integer, hashed as Long). */
function jsField(f: { type: string; value?: string }): unknown {
  switch (f.type) {
    case 'null':
      return null;
    case 'String':
      return f.value;
    case 'Integer':
    case 'Long':
    case 'Double':
      return Number(f.value);
    case 'Boolean':
      return f.value === 'true';
  }
  throw new Error(`vector field type ${f.type}`);
}

t.test('tuple keys hash and route as Flink computes them (Java-computed vectors)', async (t) => {
  t.ok(vectors.tupleKeys.length >= 16);
  for (const v of vectors.tupleKeys) {
    const tuple = Tuple.fromArray(v.fields.map(jsField));
    const label = `${v.type}${tuple.toString()}`;
    t.equal(tuple.constructor.name, v.type, `${label} class`);
    t.equal(tuple.hashCode(), v.hashCode, `${label} hashCode`);
    t.equal(javaHashCode(tuple), v.hashCode, `${label} javaHashCode`);
    t.equal(murmurHash(v.hashCode), v.murmur, `${label} murmur`);
    for (const [name, expected] of Object.entries(v)) {
      const kg = /^kg@(\d+)$/.exec(name);
      if (kg) t.equal(assignToKeyGroup(tuple, Number(kg[1])), expected, `${label} ${name}`);
      const op = /^op@(\d+)\/(\d+)$/.exec(name);
      if (op) t.equal(assignKeyToParallelOperator(tuple, Number(op[1]), Number(op[2])), expected, `${label} ${name}`);
    }
  }
});

t.test('fields, of, arity, getField/setField, copy', async (t) => {
  const p = Tuple2.of('a', 1);
  t.equal(p.f0, 'a');
  t.equal(p.f1, 1);
  t.equal(p.getArity(), 2);
  t.equal(p.getField(1), 1);
  p.setField(5, 1);
  t.equal(p.f1, 5);
  const c = p.copy();
  t.ok(c instanceof Tuple2);
  t.not(c, p);
  t.ok(c.equals(p));
  t.throws(() => p.getField(2), { code: 'API_INVALID_ARGUMENT', message: /positions are 0…1/ });
  t.equal(new Tuple0().getArity(), 0);
  const wide = Tuple.newInstance(25) as Tuple25<
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any,
    any
  >;
  t.ok(wide instanceof Tuple25);
  t.equal(wide.f24, null);
  t.throws(() => Tuple.newInstance(26), { code: 'API_INVALID_ARGUMENT' });
});

t.test("toString is Flink's, and print() uses it", async (t) => {
  t.equal(Tuple2.of('hello', 3).toString(), '(hello,3)');
  t.equal(new Tuple3('a', null, true).toString(), '(a,null,true)');
  t.equal(Tuple1.of(Tuple2.of('x', 1)).toString(), '((x,1))');
  t.equal(new Tuple0().toString(), '()');
  t.equal(printString(Tuple2.of('to', 2)), '(to,2)');
  t.equal(printString({ word: 'to', count: 2 }), '{"word":"to","count":2}', 'plain objects stay JSON');
  t.equal(printString(['to', 2]), '["to",2]');
});

t.test('value equality: equal tuples are one state key, different ones are not', async (t) => {
  t.ok(Tuple2.of('a', 1).equals(Tuple2.of('a', 1)));
  t.notOk(Tuple2.of('a', 1).equals(Tuple2.of('a', 2)));
  t.notOk(Tuple2.of('a', 1).equals(Tuple3.of('a', 1, null)));
  t.equal(canonicalKey(Tuple2.of('a', 1)), canonicalKey(Tuple2.of('a', 1)));
  t.not(canonicalKey(Tuple2.of('a', 1)), canonicalKey(Tuple2.of('a', '1')));
  t.not(canonicalKey(Tuple2.of('a', 1)), canonicalKey('a'));
});

t.test('tuples survive the network and state codecs as tuples', async (t) => {
  for (const packr of [
    new Packr({ useRecords: true, mapsAsObjects: true }),
    new Packr({ sequential: true, mapsAsObjects: false, moreTypes: true, structuredClone: true }),
  ]) {
    const back = packr.unpack(packr.pack({ value: Tuple3.of('k', 7, Tuple2.of(1n, false)), n: 1 })) as {
      value: Tuple3<string, number, Tuple2<bigint, boolean>>;
    };
    t.ok(back.value instanceof Tuple3);
    t.ok(back.value.f2 instanceof Tuple2);
    t.ok(back.value.equals(Tuple3.of('k', 7, Tuple2.of(1n, false))));
  }
});

t.test('objects with hashCode() are keys by that hashCode; others are refused', async (t) => {
  t.equal(javaHashCode({ hashCode: () => 42 }), 42);
  t.throws(() => javaHashCode({ hashCode: () => 'x' }), { code: 'API_INVALID_ARGUMENT', message: /not an integer/ });
  t.throws(() => javaHashCode({ a: 1 }), { code: 'API_INVALID_ARGUMENT', message: /hashCode\(\)/ });
});
