/**
 * Columnar codec of a data frame body: one buffer of stream elements as columns instead of one msgpack
 * object per element. Layout (little endian, every column 8-byte aligned relative to the body):
 *
 *   u32 magic 'SLC1' | u32 elements | u32 records | u32 headerBytes | header (msgpack) pad8 |
 *   kinds u8[elements] pad8 | timestamps f64[elements] | columns
 *
 * `kinds` holds each element's ElementKind; `timestamps` a record's or watermark's timestamp (NaN for the
 * other kinds). The header holds the events that are neither records nor watermarks (status, barrier, end
 * of input; a few per buffer, in order) and the value layout:
 * - `number`: every record's value is a number — one f64 column;
 * - `object`: every value is a plain object with the same keys in the same order — one column per key, f64
 *   for keys whose values are all numbers, otherwise a msgpack array (in the header) of that key's values;
 * - `msgpack`: anything else (tuples, class instances, arrays, mixed shapes) — the values as one msgpack
 *   array with msgpackr records, as the row format did (with msgpack's numbers: -0 arrives as 0).
 *
 * `decodeColumnarBuffer` returns the columns themselves (what a task hands to batch operators, no object per
 * record but the values), `decodeColumnar` the elements.
 *
 * Invariants: decode(encode(elements)) equals the elements (kind, timestamp including NaN and -0, value,
 * key order; f64 columns keep -0 too); an integral f64 cell in int32 range (not -0) decodes as a small
 * integer, so decoded values keep the small-integer fields a source's literals of the same keys have; a body
 * is self-contained (no state across frames or connections); decoding never trusts a length it has not
 * checked against the body.
 */
import { Packr } from 'msgpackr';
import { ElementKind, type StreamElement, type StreamRecord } from '../api/elements.js';
import '../api/tuples.js'; // registers the Tuple msgpack extension: tuple values arrive as tuples
import { SluiceError } from '../errors/catalogue.js';
import type { ColumnarElements } from '../task/channel.js';

const MAGIC = 0x31434c53; // 'SLC1'
const FIXED = 16;
const MAX_FIELDS = 64;
const packr = new Packr({ useRecords: true, mapsAsObjects: true });
const pad8 = (n: number) => (n + 7) & ~7;

type Layout =
  | { v: 'number' }
  | { v: 'object'; keys: string[]; numeric: boolean[]; other: unknown[][] }
  | { v: 'msgpack'; values: unknown[] };

interface Header {
  /** Elements that are neither records nor watermarks, in order. */
  events: StreamElement[];
  layout: Layout;
}

interface Shape {
  keys: string[];
  /** True when `v` has exactly these keys, in this order, with a number wherever `numeric` says so. */
  matches: (v: unknown, numeric: boolean[]) => boolean;
}

/** Builds a value from the row's cells (`cols[k][row]`); every value of a layout has the same hidden class. */
type Build = (cols: ArrayLike<unknown>[], row: number) => unknown;

const shapes = new Map<string, Shape>();
const builds = new Map<string, Build>();

/**
 * An f64 cell as the value V8 stores best: a small integer (not -0) as a Smi, anything else as read. A
 * Float64Array element read is a heap number even when it is integral (the interpreter boxes every one), and
 * one heap number stored in an object literal's field turns that field's representation to double for every
 * object of that hidden class in the process — including the source's own records with the same keys in the
 * same order, which then box the field too, and every read of it (a key selector's `r.key`) allocates.
 */
function smallIntOr(x: number): number {
  const i = x | 0;
  return i === x && (i !== 0 || 1 / x > 0) ? i : x;
}

/** The builder of a layout's values: f64 columns through `smallIntOr`, the others as decoded. */
function buildOf(keys: string[], numeric: boolean[]): Build {
  const id = JSON.stringify([keys, numeric]);
  let b = builds.get(id);
  if (b) return b;
  const lit = keys
    .map((k, i) => `${JSON.stringify(k)}: ${numeric[i] ? `smallIntOr(c[${i}][r])` : `c[${i}][r]`}`)
    .join(', ');
  // Keys are embedded as JSON string literals; one literal site gives every value one hidden class.
  b = new Function('smallIntOr', `return function build(c, r) { return { ${lit} }; };`)(smallIntOr) as Build;
  if (builds.size < 1024) builds.set(id, b);
  return b;
}

function shapeOf(keys: string[]): Shape {
  const id = JSON.stringify(keys);
  let s = shapes.get(id);
  if (s) return s;
  const checks = keys.map((k, i) => `(!n[${i}] || typeof v[${JSON.stringify(k)}] === 'number')`).join(' && ');
  // Generated once per shape: property reads by constant name stay monomorphic. Keys are embedded as JSON
  // string literals.
  const matches = new Function(
    'keys',
    `return function matches(v, n) {
       if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
       if (!(${checks})) return false;
       let i = 0;
       for (const k in v) { if (k !== keys[i]) return false; i++; }
       return i === ${keys.length};
     };`,
  )(keys) as Shape['matches'];
  s = { keys, matches };
  if (shapes.size < 1024) shapes.set(id, s);
  return s;
}

/** The value layout of a buffer's records, or undefined when they are not columnar (msgpack then). */
function columnarLayout(
  records: StreamRecord[],
): { kind: 'number' } | { kind: 'object'; shape: Shape; numeric: boolean[] } | undefined {
  if (!records.length) return undefined;
  const first = records[0]!.value;
  if (typeof first === 'number') {
    for (let i = 1; i < records.length; i++) if (typeof records[i]!.value !== 'number') return undefined;
    return { kind: 'number' };
  }
  if (first === null || typeof first !== 'object' || Object.getPrototypeOf(first) !== Object.prototype)
    return undefined;
  const keys = Object.keys(first);
  // `__proto__` in an object literal would set the prototype, not a key: such values take msgpack
  if (!keys.length || keys.length > MAX_FIELDS || keys.includes('__proto__')) return undefined;
  const shape = shapeOf(keys);
  const numeric = keys.map((k) => typeof (first as Record<string, unknown>)[k] === 'number');
  if (!shape.matches(first, numeric)) return undefined; // e.g. symbol or inherited keys
  for (let i = 1; i < records.length; i++) {
    const v = records[i]!.value;
    if (!shape.matches(v, numeric)) {
      // a later record has a non-number where the first had one: that column becomes a msgpack column
      if (
        !shape.matches(
          v,
          numeric.map(() => false),
        )
      )
        return undefined;
      for (let k = 0; k < keys.length; k++)
        if (numeric[k] && typeof (v as Record<string, unknown>)[keys[k]!] !== 'number') numeric[k] = false;
    }
  }
  return { kind: 'object', shape, numeric };
}

export function encodeColumnar(elements: StreamElement[]): Uint8Array {
  const n = elements.length;
  const records: StreamRecord[] = [];
  const events: StreamElement[] = [];
  for (let i = 0; i < n; i++) {
    const e = elements[i]!;
    if (e.kind === ElementKind.Record) records.push(e);
    else if (e.kind !== ElementKind.Watermark) events.push(e);
  }
  const m = records.length;
  const col = columnarLayout(records);
  let layout: Layout;
  let f64Columns = 0;
  if (!col) layout = { v: 'msgpack', values: records.map((r) => r.value) };
  else if (col.kind === 'number') {
    layout = { v: 'number' };
    f64Columns = 1;
  } else {
    const { keys } = col.shape;
    const other: unknown[][] = [];
    for (let k = 0; k < keys.length; k++) {
      if (col.numeric[k]) {
        f64Columns++;
        continue;
      }
      const key = keys[k]!;
      const values = new Array<unknown>(m);
      for (let i = 0; i < m; i++) values[i] = (records[i]!.value as Record<string, unknown>)[key];
      other.push(values);
    }
    layout = { v: 'object', keys, numeric: col.numeric, other };
  }
  const header = packr.pack({ events, layout } satisfies Header);
  const kindsAt = FIXED + pad8(header.length);
  const tsAt = kindsAt + pad8(n);
  const colsAt = tsAt + 8 * n;
  const total = colsAt + 8 * m * f64Columns;
  const body = new Uint8Array(total); // its own ArrayBuffer: offset 0, so Float64Array views are aligned
  const dv = new DataView(body.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, n, true);
  dv.setUint32(8, m, true);
  dv.setUint32(12, header.length, true);
  body.set(header, FIXED);
  const ts = new Float64Array(body.buffer, tsAt, n);
  for (let i = 0; i < n; i++) {
    const e = elements[i]!;
    body[kindsAt + i] = e.kind;
    ts[i] = e.kind === ElementKind.Record || e.kind === ElementKind.Watermark ? e.timestamp : NaN;
  }
  if (col?.kind === 'number') {
    const c = new Float64Array(body.buffer, colsAt, m);
    for (let i = 0; i < m; i++) c[i] = records[i]!.value as number;
  } else if (col?.kind === 'object') {
    let at = colsAt;
    const { keys } = col.shape;
    for (let k = 0; k < keys.length; k++) {
      if (!col.numeric[k]) continue;
      const key = keys[k]!;
      const c = new Float64Array(body.buffer, at, m);
      for (let i = 0; i < m; i++) c[i] = (records[i]!.value as Record<string, number>)[key]!;
      at += 8 * m;
    }
  }
  return body;
}

/** True when a frame body starts with the columnar magic (the receiver checks before decoding). */
export function isColumnar(body: Uint8Array): boolean {
  return body.length >= FIXED && new DataView(body.buffer, body.byteOffset, FIXED).getUint32(0, true) === MAGIC;
}

function corrupt(why: string): never {
  throw new SluiceError('DATA_MALFORMED_RECORD', `corrupt columnar data frame: ${why}`);
}

/**
 * Decodes a body into its columns (what a task hands to batch operators without one StreamRecord per
 * record); every length, count and kind is checked against the body here.
 */
export function decodeColumnarBuffer(input: Uint8Array): ColumnarElements {
  if (input.length < FIXED) corrupt('shorter than its fixed header');
  // Float64Array views need an 8-aligned offset; a frame inside a TCP chunk may sit anywhere, so copy then.
  const body = input.byteOffset % 8 === 0 ? input : input.slice();
  const dv = new DataView(body.buffer, body.byteOffset, body.length);
  if (dv.getUint32(0, true) !== MAGIC) corrupt('bad magic');
  const n = dv.getUint32(4, true);
  const m = dv.getUint32(8, true);
  const headerBytes = dv.getUint32(12, true);
  const kindsAt = FIXED + pad8(headerBytes);
  const tsAt = kindsAt + pad8(n);
  const colsAt = tsAt + 8 * n;
  if (m > n || colsAt > body.length) corrupt(`${n} elements do not fit in ${body.length} bytes`);
  const h = packr.unpack(body.subarray(FIXED, FIXED + headerBytes)) as Header;
  const layout = h.layout;
  const f64 = layout.v === 'number' ? 1 : layout.v === 'object' ? layout.numeric.filter(Boolean).length : 0;
  if (colsAt + 8 * m * f64 !== body.length) corrupt(`length ${body.length} does not match its ${m} records`);
  const kinds = body.subarray(kindsAt, kindsAt + n);
  let r = 0;
  let ev = 0;
  for (let i = 0; i < n; i++) {
    const kind = kinds[i]!;
    if (kind === ElementKind.Record) r++;
    else if (kind !== ElementKind.Watermark) {
      if (kind > ElementKind.EndOfInput) corrupt(`unknown element kind ${kind}`);
      ev++;
    }
  }
  if (r !== m) corrupt(`${r} record kinds for ${m} records`);
  if (!Array.isArray(h.events) || ev > h.events.length) corrupt('missing event');
  let values: ArrayLike<unknown>;
  if (layout.v === 'msgpack') values = layout.values;
  else if (layout.v === 'number') values = new Float64Array(body.buffer, body.byteOffset + colsAt, m);
  else {
    const cols: ArrayLike<unknown>[] = [];
    let at = body.byteOffset + colsAt;
    let o = 0;
    for (let k = 0; k < layout.keys.length; k++) {
      if (layout.numeric[k]) {
        cols.push(new Float64Array(body.buffer, at, m));
        at += 8 * m;
      } else cols.push(layout.other[o++] ?? corrupt('missing column'));
    }
    const build = buildOf(layout.keys, layout.numeric);
    const built = new Array<unknown>(m);
    for (let i = 0; i < m; i++) built[i] = build(cols, i);
    values = built;
  }
  if (values.length !== m) corrupt(`${values.length} values for ${m} records`);
  const timestamps = new Float64Array(body.buffer, body.byteOffset + tsAt, n);
  return { columnar: true, length: n, kinds, timestamps, values, events: h.events };
}

/** The elements of a columnar buffer as objects (channels that hand out element arrays). */
export function columnarElements(c: ColumnarElements): StreamElement[] {
  const { kinds, timestamps, values, events } = c;
  const out = new Array<StreamElement>(c.length);
  let r = 0;
  let ev = 0;
  for (let i = 0; i < c.length; i++) {
    const kind = kinds[i]!;
    if (kind === ElementKind.Record)
      out[i] = { kind: ElementKind.Record, value: values[r++], timestamp: timestamps[i]! };
    else if (kind === ElementKind.Watermark) out[i] = { kind: ElementKind.Watermark, timestamp: timestamps[i]! };
    else out[i] = events[ev++]!;
  }
  return out;
}

export function decodeColumnar(input: Uint8Array): StreamElement[] {
  return columnarElements(decodeColumnarBuffer(input));
}
