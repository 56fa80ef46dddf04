/**
 * ParameterTool (Flink's `org.apache.flink.api.java.utils.ParameterTool`): program arguments and other
 * key/value sources read the way a Flink `main(String[] args)` reads them.
 *
 * Rules (Flink's): `fromArgs` takes `--key value` or `-key value`; a key followed by another key or by
 * nothing is a flag (value `__NO_VALUE_KEY`); a value that looks like a number is a value even when it
 * starts with `-` (`--offset -5`); an argument without a leading `-` where a key is expected, or an empty
 * key, is an error. A later duplicate key wins. `getRequired` fails with "No data for required key 'x'";
 * `getInt`/`getLong`/`getDouble` fail on text that is not such a number; `getBoolean` is true only for
 * "true" (any case). Instances are immutable; `mergeWith` returns a new one (the argument's keys win).
 */
import { SluiceError } from '../errors/catalogue.js';

export const NO_VALUE_KEY = '__NO_VALUE_KEY';

// commons-lang NumberUtils.isNumber, as Flink uses it to tell a negative number from a key
const NUMBER = /^[+-]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[dDfFlL]?)$/;
const INT = /^[+-]?\d+$/;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

export class ParameterTool {
  private readonly data: ReadonlyMap<string, string>;
  private readonly unrequested: Set<string>;

  private constructor(data: Map<string, string>) {
    this.data = data;
    this.unrequested = new Set(data.keys());
  }

  /** Parses `--key value`, `-key value` and flags. */
  static fromArgs(args: readonly string[]): ParameterTool {
    const map = new Map<string, string>();
    let i = 0;
    while (i < args.length) {
      const key = keyFromArgs(args, i);
      i += 1;
      const next = args[i];
      if (next === undefined) map.set(key, NO_VALUE_KEY);
      else if (NUMBER.test(next)) {
        map.set(key, next);
        i += 1;
      } else if (next.startsWith('-')) map.set(key, NO_VALUE_KEY);
      else {
        map.set(key, next);
        i += 1;
      }
    }
    return new ParameterTool(map);
  }

  static fromMap(map: Readonly<Record<string, string>> | ReadonlyMap<string, string>): ParameterTool {
    const entries = map instanceof Map ? [...map.entries()] : Object.entries(map as Record<string, string>);
    for (const [k, v] of entries)
      if (typeof v !== 'string')
        throw new SluiceError('API_INVALID_ARGUMENT', `ParameterTool.fromMap: the value of '${k}' is not a string`);
    return new ParameterTool(new Map(entries));
  }

  /** The value, or `defaultValue` (undefined) when the key is absent; a flag's value is `__NO_VALUE_KEY`. */
  get(key: string): string | undefined;
  get(key: string, defaultValue: string): string;
  get(key: string, defaultValue?: string): string | undefined {
    this.unrequested.delete(key);
    return this.data.get(key) ?? defaultValue;
  }

  getRequired(key: string): string {
    const v = this.get(key);
    if (v === undefined) throw new SluiceError('PARAMETER_REQUIRED_MISSING', `No data for required key '${key}'`);
    return v;
  }

  has(key: string): boolean {
    this.unrequested.delete(key);
    return this.data.has(key);
  }

  /** A 32-bit integer (Java's Integer.parseInt). */
  getInt(key: string, defaultValue?: number): number {
    return this.number(key, defaultValue, 'int');
  }

  /** A 64-bit integer (Java's Long.parseLong), as a number: values beyond ±2^53 are refused. */
  getLong(key: string, defaultValue?: number): number {
    return this.number(key, defaultValue, 'long');
  }

  getDouble(key: string, defaultValue?: number): number {
    return this.number(key, defaultValue, 'double');
  }

  getFloat(key: string, defaultValue?: number): number {
    return this.number(key, defaultValue, 'double');
  }

  /** Java's Boolean.valueOf: "true" in any case is true, every other value false. */
  getBoolean(key: string, defaultValue?: boolean): boolean {
    const v = defaultValue === undefined ? this.getRequired(key) : this.get(key);
    if (v === undefined) return defaultValue!;
    return v.toLowerCase() === 'true';
  }

  getNumberOfParameters(): number {
    return this.data.size;
  }

  toMap(): Record<string, string> {
    return Object.fromEntries(this.data);
  }

  /** Keys no `get`/`has`/`getX` call asked for yet. */
  getUnrequestedParameters(): Set<string> {
    return new Set(this.unrequested);
  }

  /** A new ParameterTool with this one's keys and `other`'s (which win). */
  mergeWith(other: ParameterTool): ParameterTool {
    return new ParameterTool(new Map([...this.data, ...other.data]));
  }

  private number(key: string, defaultValue: number | undefined, kind: 'int' | 'long' | 'double'): number {
    const text = defaultValue === undefined ? this.getRequired(key) : this.get(key);
    if (text === undefined) return defaultValue!;
    const bad = () =>
      new SluiceError('PARAMETER_NOT_A_NUMBER', `For input string: "${text}" (parameter '${key}' as ${kind})`);
    if (kind === 'double') {
      const t = text.trim();
      const n = /^[+-]?(NaN|Infinity)$/.test(t) ? Number(t) : NUMBER.test(t) ? Number.parseFloat(t) : Number.NaN;
      if (Number.isNaN(n) && !t.endsWith('NaN')) throw bad();
      return n;
    }
    if (!INT.test(text)) throw bad();
    const n = Number(text);
    if (kind === 'int' ? n < INT_MIN || n > INT_MAX : !Number.isSafeInteger(n)) throw bad();
    return n;
  }
}

function keyFromArgs(args: readonly string[], index: number): string {
  const arg = args[index]!;
  let key: string;
  if (arg.startsWith('--')) key = arg.slice(2);
  else if (arg.startsWith('-')) key = arg.slice(1);
  else
    throw new SluiceError(
      'API_INVALID_ARGUMENT',
      `Error parsing arguments '[${args.join(', ')}]' on '${arg}'. Please prefix keys with -- or -.`,
    );
  if (!key) throw new SluiceError('API_INVALID_ARGUMENT', `The input [${args.join(', ')}] contains an empty argument`);
  return key;
}
