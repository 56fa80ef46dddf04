/**
 * copyStateValue: a copy of a stored state value deep enough that mutating the copy in place (pushing to a
 * list, setting a map entry, changing an accumulator's field) never changes the original — what the heap
 * backend hands out instead of a value that belongs to a frozen snapshot version (Flink copies such
 * entries with the state serializer's `copy`).
 *
 * Primitives are returned as they are; arrays, Maps, Sets, Dates, typed arrays and objects are copied
 * recursively, keeping each object's prototype (tuples and user classes stay instances of their class).
 * Shared and cyclic references are preserved within one value.
 */

export function copyStateValue<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  return copy(value, new Map()) as T;
}

function copy(v: unknown, seen: Map<object, unknown>): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    seen.set(v, out);
    for (let i = 0; i < v.length; i++) out[i] = copy(v[i], seen);
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    seen.set(v, out);
    for (const [k, x] of v) out.set(copy(k, seen), copy(x, seen));
    return out;
  }
  if (v instanceof Set) {
    const out = new Set();
    seen.set(v, out);
    for (const x of v) out.add(copy(x, seen));
    return out;
  }
  if (v instanceof Date) return new Date(v.getTime());
  if (ArrayBuffer.isView(v)) {
    let out: unknown;
    if (Buffer.isBuffer(v))
      out = Buffer.from(v); // Buffer#slice shares memory
    else if (v instanceof DataView) out = new DataView(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    else out = (v as unknown as { slice(): unknown }).slice();
    seen.set(v, out);
    return out;
  }
  const out = Object.create(Object.getPrototypeOf(v)) as Record<string | symbol, unknown>;
  seen.set(v, out);
  for (const k of Reflect.ownKeys(v)) out[k] = copy((v as Record<string | symbol, unknown>)[k], seen);
  return out;
}
