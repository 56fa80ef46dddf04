/**
 * sum / min / max / minBy / maxBy over one field, with Flink's semantics (SumAggregator and
 * ComparableAggregator), as rolling keyed reductions and window reductions.
 *
 * Fields: a position (`sum(1)`) is an array index (Flink tuples as arrays), or field `f<N>` of an object
 * (Flink's Tuple classes have f0…fN); position 0 of a number, string or bigint is the value itself (an
 * atomic type). A name (`sum('count')`) is a property; dotted names reach nested objects (`'stats.n'`);
 * `'fN'` on an array is index N; `'*'` is the value itself.
 *
 * Rules: sum, min and max return the *first* element with the field replaced by the sum / minimum /
 * maximum (other fields stay those of the first element of the key or window); minBy / maxBy return the
 * element holding the minimum / maximum, on ties the earlier one (`first = true`, the default) or the
 * later one. Values compare as numbers, bigints or strings. Elements are never modified: a changed
 * element is a copy (same prototype for class instances).
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';

export type FieldAggregationKind = 'sum' | 'min' | 'max' | 'minBy' | 'maxBy';

interface Accessor {
  get(v: unknown): unknown;
  set(v: unknown, x: unknown): unknown;
}

export function fieldAccessor(field: string | number): Accessor {
  if (typeof field === 'number') {
    if (!(Number.isInteger(field) && field >= 0))
      throw new SluiceError('AGGREGATION_FIELD_INVALID', `aggregation field position ${field} is not a valid position`);
    return {
      get: (v) =>
        Array.isArray(v) ? v[field] : isAtomic(v) ? (field === 0 ? v : missing(v, field)) : own(v, `f${field}`),
      set: (v, x) => (Array.isArray(v) ? withIndex(v, field, x) : isAtomic(v) ? x : withKey(v, `f${field}`, x)),
    };
  }
  if (typeof field !== 'string' || field === '')
    throw new SluiceError('AGGREGATION_FIELD_INVALID', 'aggregation field must be a position or a field name');
  if (field === '*' || field === '_') return { get: (v) => v, set: (_v, x) => x };
  const tuple = /^f?(\d+)$/.exec(field);
  const path = field.split('.');
  return {
    get: (v) => {
      if (Array.isArray(v) && tuple) return v[Number(tuple[1])];
      let cur: unknown = v;
      for (const p of path) cur = own(cur, p, field);
      return cur;
    },
    set: (v, x) => {
      if (Array.isArray(v) && tuple) return withIndex(v, Number(tuple[1]), x);
      const setPath = (obj: unknown, i: number): unknown =>
        i === path.length - 1 ? withKey(obj, path[i]!, x) : withKey(obj, path[i]!, setPath(own(obj, path[i]!), i + 1));
      return setPath(v, 0);
    },
  };
}

export function fieldAggregation<T>(
  kind: FieldAggregationKind,
  field: string | number,
  first = true,
): (a: T, b: T) => T {
  const f = fieldAccessor(field);
  switch (kind) {
    case 'sum':
      return (a, b) => f.set(a, add(f.get(a), f.get(b), field)) as T;
    case 'min':
      return (a, b) => {
        const x = f.get(a);
        const y = f.get(b);
        return compare(x, y, field) < 0 ? a : (f.set(a, y) as T);
      };
    case 'max':
      return (a, b) => {
        const x = f.get(a);
        const y = f.get(b);
        return compare(x, y, field) > 0 ? a : (f.set(a, y) as T);
      };
    case 'minBy':
      return (a, b) => {
        const c = compare(f.get(a), f.get(b), field);
        return c === 0 ? (first ? a : b) : c < 0 ? a : b;
      };
    case 'maxBy':
      return (a, b) => {
        const c = compare(f.get(a), f.get(b), field);
        return c === 0 ? (first ? a : b) : c > 0 ? a : b;
      };
  }
}

function isAtomic(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint' || typeof v === 'boolean';
}

function own(v: unknown, key: string, field: string | number = key): unknown {
  if (v === null || typeof v !== 'object' || !(key in (v as object))) return missing(v, field);
  return (v as Record<string, unknown>)[key];
}

function missing(v: unknown, field: string | number): never {
  let shown: string;
  try {
    shown = JSON.stringify(v) ?? String(v);
  } catch {
    shown = String(v);
  }
  throw new SluiceError(
    'AGGREGATION_FIELD_INVALID',
    `aggregation field ${typeof field === 'number' ? `position ${field}` : `'${field}'`} does not exist in ${shown.slice(0, 200)}`,
  );
}

function withIndex(v: unknown[], i: number, x: unknown): unknown[] {
  const c = v.slice();
  c[i] = x;
  return c;
}

function withKey(v: unknown, key: string, x: unknown): unknown {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(v) as object) as object, v);
  (copy as Record<string, unknown>)[key] = x;
  return copy;
}

function add(x: unknown, y: unknown, field: string | number): unknown {
  if (typeof x === 'number' && typeof y === 'number') return x + y;
  if (typeof x === 'bigint' && typeof y === 'bigint') return x + y;
  throw new SluiceError(
    'AGGREGATION_FIELD_INVALID',
    `sum(${JSON.stringify(field)}): the field holds ${typeof x} and ${typeof y}, not numbers`,
  );
}

function compare(x: unknown, y: unknown, field: string | number): number {
  const t = typeof x;
  if (t === typeof y && (t === 'number' || t === 'bigint' || t === 'string' || t === 'boolean'))
    return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
  throw new SluiceError(
    'AGGREGATION_FIELD_INVALID',
    `min/max(${JSON.stringify(field)}): cannot compare ${typeof x} with ${typeof y}`,
  );
}
