/**
 * Flink's tuples, `Tuple0` … `Tuple25`: public fields `f0`…`fN`, `Tuple2.of(a, b)`, `getField`/`setField`,
 * `getArity`, `copy`, value `equals`, Java's `hashCode` (so tuple keys route to the key groups Flink would
 * pick) and Flink's `toString` — `(a,1)` — which `print()` uses.
 *
 * Invariants: a tuple's arity is fixed by its class; `hashCode` is `31 * h + hashCode(field)` over the
 * fields from h = 0, with a null field counting 0 (Flink's `Tuple`, as java.util.Arrays). The classes
 * themselves are in tuples.ts, which registers them here for `newInstance`.
 */
import { SluiceError } from '../errors/catalogue.js';
import { javaHashCode } from './java-hash.js';

export const MAX_ARITY = 25;

type TupleClass = new (...fields: any[]) => Tuple;
const CLASSES: TupleClass[] = [];

/** Called once by tuples.ts with Tuple0…Tuple25 in arity order. */
export function registerTupleClasses(classes: readonly TupleClass[]): void {
  CLASSES.splice(0, CLASSES.length, ...classes);
}

export abstract class Tuple {
  /** Number of fields. */
  abstract getArity(): number;

  getField<T = unknown>(pos: number): T {
    return (this as unknown as Record<string, T>)[fieldName(this, pos)] as T;
  }
  setField<T>(value: T, pos: number): void {
    (this as unknown as Record<string, T>)[fieldName(this, pos)] = value;
  }
  /** The fields in order, as a fresh array. */
  toArray(): unknown[] {
    const a = new Array(this.getArity());
    for (let i = 0; i < a.length; i++) a[i] = this.getField(i);
    return a;
  }
  /** A shallow copy (Flink's `copy()`). */
  copy(): this {
    return Tuple.fromArray(this.toArray()) as this;
  }
  equals(other: unknown): boolean {
    if (!(other instanceof Tuple) || other.getArity() !== this.getArity()) return false;
    for (let i = 0; i < this.getArity(); i++) if (!fieldEquals(this.getField(i), other.getField(i))) return false;
    return true;
  }
  /** Java's `Tuple.hashCode`: h = 31 * h + hashCode(f_i), int32. */
  hashCode(): number {
    let h = 0;
    for (let i = 0; i < this.getArity(); i++) {
      const f = this.getField(i);
      h = (Math.imul(31, h) + (f === null || f === undefined ? 0 : javaHashCode(f))) | 0;
    }
    return h;
  }
  /** Flink's format: `(f0,f1,…)`, fields by their own toString, null as `null`. */
  toString(): string {
    return `(${this.toArray().map(fieldString).join(',')})`;
  }

  /** A new tuple of the given arity with every field null (Flink's `Tuple.newInstance`). */
  static newInstance(arity: number): Tuple {
    const C = CLASSES[arity];
    if (!C) throw new SluiceError('API_INVALID_ARGUMENT', `Tuple.newInstance(${arity}): arity must be 0…${MAX_ARITY}`);
    return new C(...new Array(arity).fill(null));
  }
  /** The tuple of the array's fields. */
  static fromArray(fields: readonly unknown[]): Tuple {
    const t = Tuple.newInstance(fields.length);
    fields.forEach((f, i) => t.setField(f, i));
    return t;
  }
}

function fieldName(t: Tuple, pos: number): string {
  if (!Number.isInteger(pos) || pos < 0 || pos >= t.getArity())
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `field ${pos} of a Tuple${t.getArity()}: positions are 0…${t.getArity() - 1}`,
    );
  return `f${pos}`;
}

function fieldEquals(a: unknown, b: unknown): boolean {
  if (a instanceof Tuple) return a.equals(b);
  if (a !== null && typeof a === 'object' && typeof (a as { equals?: unknown }).equals === 'function')
    return (a as { equals(o: unknown): boolean }).equals(b);
  return Object.is(a, b) || a === b;
}

function fieldString(f: unknown): string {
  if (f === null || f === undefined) return 'null';
  if (Array.isArray(f)) return `[${f.map(fieldString).join(', ')}]`;
  return String(f);
}
