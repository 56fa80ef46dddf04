/**
 * A synchronous view of one embedded RocksDB instance through @nxtedition/rocksdb's native binding: keyed
 * state handles are synchronous (runtime/api/state.ts), and this binding is the one whose reads
 * (MultiGet), batch writes, range deletes and iterators all have synchronous entry points. Only open and
 * close are asynchronous.
 *
 * Writes collect in a bounded write-back buffer (one RocksDB WriteBatch plus a map from key to its pending
 * value, so reads see their own writes without a native call): a native call costs far more than a map
 * lookup, and a keyed operator typically reads and writes the same key per record. The buffer is written
 * as one batch when it holds WRITE_BATCH_ENTRIES keys, and before any scan, range delete or close.
 *
 * Invariants: keys and values are Buffers; get sees every earlier put/del; an iterator is a point-in-time
 * view (RocksDB's implicit snapshot) taken after the buffer was written, so a scan sees every earlier
 * write and none made after it started; any failure of the native layer is a STATE_BACKEND_IO error
 * naming the directory and the operation.
 */
import { createRequire } from 'node:module';
import { SluiceError } from '../errors/catalogue.js';

/** The native functions used here (the package's binding.js, loaded by node-gyp-build from its prebuilds). */
interface RocksBinding {
  db_init(location: string): unknown;
  db_open(ctx: unknown, options: object, cb: (err: Error | null) => void): void;
  db_close(ctx: unknown, cb: (err: Error | null) => void): void;
  db_get_many_sync(ctx: unknown, keys: Buffer[], options: object): Array<Buffer | undefined>;
  db_clear(ctx: unknown, options: object): void;
  db_get_property(ctx: unknown, property: string): string;
  batch_init(): unknown;
  batch_put(batch: unknown, key: Buffer, value: Buffer, options: object): void;
  batch_del(batch: unknown, key: Buffer, options: object): void;
  batch_clear(batch: unknown): void;
  batch_write(ctx: unknown, batch: unknown, options: object): void;
  iterator_init(ctx: unknown, options: object): unknown;
  iterator_nextv_sync(it: unknown, count: number): { rows: Buffer[]; finished: boolean };
  iterator_seek(it: unknown, target: Buffer): void;
  iterator_close(it: unknown): void;
}

let loaded: RocksBinding | undefined;
function binding(): RocksBinding {
  loaded ??= createRequire(import.meta.url)('@nxtedition/rocksdb/binding.js') as RocksBinding;
  return loaded;
}

export interface RocksDbOptions {
  /** Block cache capacity (bytes); RocksDB's HyperClockCache. */
  blockCacheBytes: number;
  /** Memtable budget (bytes): RocksDB sizes its write buffers from it (OptimizeLevelStyleCompaction). */
  writeBufferBytes: number;
}

const EMPTY = {};
const BUFFERS = { keyEncoding: 'buffer', valueEncoding: 'buffer' };
const SCAN_BATCH = 1024;
const WRITE_BATCH_ENTRIES = 4096;

/** See RocksDb.cursor. */
export interface RocksCursor {
  /** The rows under `prefix`; with `exact`, only the row whose key is `prefix` (one native read). */
  rowsWithPrefix(prefix: Buffer, exact?: boolean): Array<[Buffer, Buffer]>;
  close(): void;
}

export class RocksDb {
  private readonly b = binding();
  private readonly batch: unknown;
  /** Pending writes by key (latin1 of the key bytes): the value, or null for a delete. */
  private readonly pending = new Map<string, Buffer | null>();

  private constructor(
    readonly location: string,
    private readonly ctx: unknown,
  ) {
    this.batch = this.b.batch_init();
  }

  /** Opens (creating) the database in `location`, which must exist and be writable. */
  static async open(location: string, o: RocksDbOptions): Promise<RocksDb> {
    const b = binding();
    const ctx = b.db_init(location);
    const options = {
      createIfMissing: true,
      errorIfExists: false,
      cacheSize: Math.min(o.blockCacheBytes, 0xffffffff),
      memtableMemoryBudget: o.writeBufferBytes,
      infoLogLevel: 'error',
    };
    await new Promise<void>((resolve, reject) => {
      try {
        b.db_open(ctx, options, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err as Error);
      }
    }).catch((err: Error) => {
      throw new SluiceError('STATE_BACKEND_IO', `RocksDB cannot open ${location}: ${err.message}`);
    });
    return new RocksDb(location, ctx);
  }

  get(key: Buffer): Buffer | undefined {
    const p = this.pending.get(key.toString('latin1'));
    if (p !== undefined) return p ?? undefined;
    return this.io('read', () => this.b.db_get_many_sync(this.ctx, [key], EMPTY)[0] ?? undefined);
  }

  put(key: Buffer, value: Buffer): void {
    this.b.batch_put(this.batch, key, value, EMPTY);
    this.pending.set(key.toString('latin1'), value);
    if (this.pending.size >= WRITE_BATCH_ENTRIES) this.flush();
  }

  del(key: Buffer): void {
    this.b.batch_del(this.batch, key, EMPTY);
    this.pending.set(key.toString('latin1'), null);
    if (this.pending.size >= WRITE_BATCH_ENTRIES) this.flush();
  }

  /** Writes the buffered operations as one atomic batch. */
  flush(): void {
    if (this.pending.size === 0) return;
    this.pending.clear();
    try {
      this.io('write', () => this.b.batch_write(this.ctx, this.batch, EMPTY));
    } finally {
      this.b.batch_clear(this.batch);
    }
  }

  /** Deletes every key in [gte, lt). */
  deleteRange(gte: Buffer, lt: Buffer): void {
    this.flush();
    this.io('write', () => this.b.db_clear(this.ctx, { gte, lt }));
  }

  /**
   * [key, value] pairs in [gte, lt) in key order, from a point-in-time view fixed at this call (not at the
   * first `next()`). Read the result to its end or `return()` it, so the native iterator is released.
   */
  scan(gte: Buffer, lt: Buffer, limit = -1): Generator<[Buffer, Buffer]> {
    this.flush();
    const it = this.io('read', () => this.b.iterator_init(this.ctx, { gte, lt, limit, ...BUFFERS }));
    return this.rows(it);
  }

  /**
   * A point-in-time cursor over [gte, lt) (fixed at this call) that reads the rows under given prefixes,
   * prefixes asked for in increasing order: a delta segment reads only the changed entries. `close()` it.
   */
  cursor(gte: Buffer, lt: Buffer): RocksCursor {
    this.flush();
    const it = this.io('read', () => this.b.iterator_init(this.ctx, { gte, lt, ...BUFFERS }));
    let closed = false;
    return {
      rowsWithPrefix: (prefix, exact = false) => {
        const out: Array<[Buffer, Buffer]> = [];
        this.io('read', () => this.b.iterator_seek(it, prefix));
        if (exact) {
          const { rows } = this.io('read', () => this.b.iterator_nextv_sync(it, 1));
          if (rows.length > 0 && rows[0]!.equals(prefix)) out.push([rows[0]!, rows[1]!]);
          return out;
        }
        for (let batch = 4; ; batch = SCAN_BATCH) {
          const { rows, finished } = this.io('read', () => this.b.iterator_nextv_sync(it, batch));
          for (let i = 0; i < rows.length; i += 2) {
            const k = rows[i]!;
            if (k.length < prefix.length || k.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) return out;
            out.push([k, rows[i + 1]!]);
          }
          if (finished || rows.length === 0) return out;
        }
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.b.iterator_close(it);
      },
    };
  }

  private *rows(it: unknown): Generator<[Buffer, Buffer]> {
    try {
      for (;;) {
        const { rows, finished } = this.io('read', () => this.b.iterator_nextv_sync(it, SCAN_BATCH));
        for (let i = 0; i < rows.length; i += 2) yield [rows[i]!, rows[i + 1]!];
        if (finished) return;
      }
    } finally {
      this.b.iterator_close(it);
    }
  }

  /** A RocksDB property, e.g. rocksdb.estimate-num-keys. */
  property(name: string): string {
    return this.b.db_get_property(this.ctx, name);
  }

  async close(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve, reject) => this.b.db_close(this.ctx, (err) => (err ? reject(err) : resolve())));
  }

  private io<T>(what: 'read' | 'write', fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new SluiceError(
        'STATE_BACKEND_IO',
        `RocksDB ${what} in ${this.location} failed: ${(err as Error).message}`,
      );
    }
  }
}
