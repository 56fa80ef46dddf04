/**
 * PMML predicates with PMML's three-valued logic (true, false, unknown when a field is missing): Simple-,
 * Compound- (and, or, xor, surrogate), SimpleSet- (isIn, isNotIn), True and False predicates, compiled once
 * into closures over a row of numeric field values.
 *
 * Invariant: sluice feeds PMML numeric feature vectors, so every compared value must be numeric; a category
 * that is not a number is refused at load with the field named.
 */
import { type El, attr, invalid, list } from './pmml-document.js';

export type Fields = Record<string, number>;
/** true, false, or undefined (unknown: a field it needs is missing). */
export type Predicate = (row: Fields) => boolean | undefined;

function numericValue(field: string, v: string | undefined): number {
  const n = Number(v);
  if (v === undefined || v.trim() === '' || !Number.isFinite(n)) {
    invalid(
      `field ${field} is compared with "${v}"; sluice scores numeric feature vectors, so encode categories as numbers`,
    );
  }
  return n;
}

const missing = (x: number | undefined) => x === undefined || Number.isNaN(x);

function simple(p: El): Predicate {
  const field = attr(p, 'field')!;
  const op = attr(p, 'operator');
  if (op === 'isMissing') return (r) => missing(r[field]);
  if (op === 'isNotMissing') return (r) => !missing(r[field]);
  const v = numericValue(field, attr(p, 'value'));
  const cmp: Record<string, (x: number) => boolean> = {
    equal: (x) => x === v,
    notEqual: (x) => x !== v,
    lessThan: (x) => x < v,
    lessOrEqual: (x) => x <= v,
    greaterThan: (x) => x > v,
    greaterOrEqual: (x) => x >= v,
  };
  const f = cmp[op ?? ''];
  if (!f) invalid(`SimplePredicate operator "${op}" on field ${field}`);
  return (r) => (missing(r[field]) ? undefined : f(r[field]!));
}

function simpleSet(p: El): Predicate {
  const field = attr(p, 'field')!;
  const op = attr(p, 'booleanOperator');
  const arr = p.Array as El | string | undefined;
  const text = typeof arr === 'string' ? arr : String((arr as El | undefined)?.['#text'] ?? '');
  const values = new Set((text.match(/"[^"]*"|\S+/g) ?? []).map((s) => numericValue(field, s.replace(/^"|"$/g, ''))));
  if (op !== 'isIn' && op !== 'isNotIn') invalid(`SimpleSetPredicate booleanOperator "${op}"`);
  return (r) => (missing(r[field]) ? undefined : values.has(r[field]!) === (op === 'isIn'));
}

function compound(p: El): Predicate {
  const op = attr(p, 'booleanOperator');
  const parts: Predicate[] = [
    ...list(p, 'SimplePredicate').map(simple),
    ...list(p, 'CompoundPredicate').map(compound),
    ...list(p, 'SimpleSetPredicate').map(simpleSet),
    ...(p.True !== undefined ? [() => true] : []),
    ...(p.False !== undefined ? [() => false] : []),
  ];
  // fast-xml-parser groups children by tag; PMML's and/or/xor do not depend on the order, surrogate does (the
  // first child that is not unknown): documents written by exporters list one predicate kind per surrogate.
  switch (op) {
    case 'and':
      return (r) => {
        let unknown = false;
        for (const q of parts) {
          const v = q(r);
          if (v === false) return false;
          if (v === undefined) unknown = true;
        }
        return unknown ? undefined : true;
      };
    case 'or':
      return (r) => {
        let unknown = false;
        for (const q of parts) {
          const v = q(r);
          if (v === true) return true;
          if (v === undefined) unknown = true;
        }
        return unknown ? undefined : false;
      };
    case 'xor':
      return (r) => {
        let acc = false;
        for (const q of parts) {
          const v = q(r);
          if (v === undefined) return undefined;
          acc = acc !== v;
        }
        return acc;
      };
    case 'surrogate':
      return (r) => {
        for (const q of parts) {
          const v = q(r);
          if (v !== undefined) return v;
        }
        return undefined;
      };
    default:
      return invalid(`CompoundPredicate booleanOperator "${op}"`);
  }
}

/** Compiles the predicate child of `el` (a Node or a Segment). */
export function compilePredicate(el: El): Predicate {
  if (el.True !== undefined) return () => true;
  if (el.False !== undefined) return () => false;
  const s = list(el, 'SimplePredicate')[0];
  if (s) return simple(s);
  const c = list(el, 'CompoundPredicate')[0];
  if (c) return compound(c);
  const set = list(el, 'SimpleSetPredicate')[0];
  if (set) return simpleSet(set);
  return invalid('a Node or Segment without a predicate');
}
