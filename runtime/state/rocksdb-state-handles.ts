/**
 * State handles of the RocksDB backend: each bound to one state and one namespace, reading the backend's
 * current key at call time (as the heap handles), and reading/writing RocksDB synchronously.
 *
 * Stored per kind: value → T, list → T[], reducing → T, aggregating → ACC under the row key; map → one
 * entry per user key under row key | msgpack(userKey), iterated in byte order of the encoded user keys
 * (as Flink's RocksDB MapState, whose iteration order is that of the serialized keys).
 *
 * Invariants: writing undefined (or an empty list) removes the entry, as Flink's update(null); a TTL state
 * reads an expired value as absent and deletes it (map state: per entry, as Flink).
 */
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  MapState,
  ReducingState,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from '../api/state.js';
import type { RocksDb } from './rocksdb-db.js';
import { decodeKey, encodeKey, namespacePart, prefixEnd } from './rocksdb-key-layout.js';
import { decodeValue, encodeValue } from './rocksdb-value-codec.js';

/** What a handle needs from the backend. */
export interface RocksStateContext {
  readonly db: RocksDb;
  readonly operatorUid: string;
  nowMs(): number;
  /** kg | name | keyLen | key of the current key for state `name` (throws without a current key). */
  rowPrefix(name: string): Buffer;
  /** A logical entry (row key without a map's user key) is about to change (incremental checkpoints). */
  touched(row: Buffer): void;
}

abstract class RocksHandle {
  private readonly nsBytes: Buffer;
  constructor(
    protected readonly c: RocksStateContext,
    protected readonly desc: StateDescriptor,
    ns: string,
  ) {
    this.nsBytes = namespacePart(ns);
  }

  protected rowKey(): Buffer {
    return Buffer.concat([this.c.rowPrefix(this.desc.name), this.nsBytes]);
  }

  protected encode(value: unknown): Buffer {
    return encodeValue(value, this.desc.ttl ? this.c.nowMs() : undefined, this.desc.name, this.c.operatorUid);
  }

  /** The live value stored under `k` of row `row` (expired TTL values are deleted and read as undefined). */
  protected readAt(k: Buffer, row: Buffer = k): unknown {
    const raw = this.c.db.get(k);
    if (raw === undefined) return undefined;
    const { value, ts } = decodeValue(raw);
    const ttl = this.desc.ttl;
    if (ttl && ts !== undefined) {
      const now = this.c.nowMs();
      if (ts + ttl.ttlMs <= now) {
        this.c.touched(row);
        this.c.db.del(k);
        return undefined;
      }
      if (ttl.updateType === 'OnReadAndWrite') {
        this.c.touched(row);
        this.c.db.put(k, this.encode(value));
      }
    }
    return value;
  }

  protected read(): unknown {
    return this.readAt(this.rowKey());
  }

  protected write(v: unknown): void {
    const k = this.rowKey();
    this.c.touched(k);
    if (v === undefined) this.c.db.del(k);
    else this.c.db.put(k, this.encode(v));
  }

  clear(): void {
    const k = this.rowKey();
    this.c.touched(k);
    this.c.db.del(k);
  }
}

export class RocksValueState<T> extends RocksHandle implements ValueState<T> {
  value(): T | undefined {
    const v = this.read();
    return v === undefined ? (this.desc as ValueStateDescriptor<T>).defaultValue : (v as T);
  }
  update(value: T | undefined): void {
    this.write(value);
  }
}

export class RocksListState<T> extends RocksHandle implements ListState<T> {
  get(): T[] {
    return (this.read() as T[] | undefined) ?? [];
  }
  add(value: T): void {
    this.write([...this.get(), value]);
  }
  addAll(values: T[]): void {
    if (values.length > 0) this.write([...this.get(), ...values]);
  }
  update(values: T[]): void {
    this.write(values.length === 0 ? undefined : [...values]);
  }
}

export class RocksReducingState<T> extends RocksHandle implements ReducingState<T> {
  get(): T | undefined {
    return this.read() as T | undefined;
  }
  add(value: T): void {
    const cur = this.read() as T | undefined;
    this.write(cur === undefined ? value : (this.desc as ReducingStateDescriptor<T>).reduce(cur, value));
  }
}

export class RocksAggregatingState<IN, ACC, OUT> extends RocksHandle implements AggregatingState<IN, OUT> {
  private get fn() {
    return (this.desc as AggregatingStateDescriptor<IN, ACC, OUT>).aggregate;
  }
  get(): OUT | undefined {
    const acc = this.read() as ACC | undefined;
    return acc === undefined ? undefined : this.fn.getResult(acc);
  }
  add(value: IN): void {
    const acc = (this.read() as ACC | undefined) ?? this.fn.createAccumulator();
    this.write(this.fn.add(value, acc));
  }
}

export class RocksMapState<K, V> extends RocksHandle implements MapState<K, V> {
  private entryKey(userKey: K, row = this.rowKey()): Buffer {
    return Buffer.concat([row, encodeKey(userKey)]);
  }
  get(key: K): V | undefined {
    const row = this.rowKey();
    return this.readAt(this.entryKey(key, row), row) as V | undefined;
  }
  put(key: K, value: V): void {
    const row = this.rowKey();
    this.c.touched(row);
    this.c.db.put(this.entryKey(key, row), this.encode(value));
  }
  putAll(entries: Iterable<[K, V]>): void {
    const row = this.rowKey();
    this.c.touched(row);
    for (const [k, v] of entries) this.c.db.put(Buffer.concat([row, encodeKey(k)]), this.encode(v));
  }
  remove(key: K): void {
    const row = this.rowKey();
    this.c.touched(row);
    this.c.db.del(this.entryKey(key, row));
  }
  contains(key: K): boolean {
    return this.get(key) !== undefined;
  }
  entries(): IterableIterator<[K, V]> {
    return this.live()[Symbol.iterator]();
  }
  keys(): IterableIterator<K> {
    return this.live()
      .map(([k]) => k)
      [Symbol.iterator]();
  }
  values(): IterableIterator<V> {
    return this.live()
      .map(([, v]) => v)
      [Symbol.iterator]();
  }
  isEmpty(): boolean {
    return this.live(1).length === 0;
  }
  override clear(): void {
    const row = this.rowKey();
    this.c.touched(row);
    this.c.db.deleteRange(row, prefixEnd(row));
  }

  /** Live entries (read eagerly, so callers may write while iterating); expired ones are deleted. */
  private live(limit = -1): Array<[K, V]> {
    const row = this.rowKey();
    const out: Array<[K, V]> = [];
    const ttl = this.desc.ttl;
    const now = ttl ? this.c.nowMs() : 0;
    for (const [k, raw] of this.c.db.scan(row, prefixEnd(row))) {
      const { value, ts } = decodeValue(raw);
      if (ttl && ts !== undefined && ts + ttl.ttlMs <= now) {
        this.c.touched(row);
        this.c.db.del(k);
        continue;
      }
      out.push([decodeKey(k.subarray(row.length)) as K, value as V]);
      if (limit > 0 && out.length >= limit) break;
    }
    return out;
  }
}
