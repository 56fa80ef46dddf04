/**
 * StateTable: storage of one named keyed state, split per key group of the backend's range:
 * groups[kg - range.start] : Map<canonicalKey, KeyRow>. A row keeps the value of the default namespace ''
 * (all non-windowed keyed state) in a field and other namespaces (windows) in a Map created on first use,
 * so a million keys of ValueState cost a million small rows, not a million Maps.
 *
 * TTL: when the descriptor has a TTL the stored value is a cell { v, ts } (ts = last write, or last
 * access with OnReadAndWrite); a cell with ts + ttlMs <= now reads as absent and is removed on access and
 * on snapshot. Tables restored before their descriptor is known keep whatever shape the snapshot had
 * and convert when the descriptor attaches.
 *
 * Copy-on-write versions (as Flink's CopyOnWriteStateMap): `freeze()` fixes the current content as a
 * snapshot version in O(number of key groups) — it only keeps the group Maps' references and bumps the
 * table's version. Afterwards, the first write to a group Map older than the newest in-flight version
 * replaces it by a shallow copy, and the first write to (or read of) a row older than it replaces the row
 * by a copy (values that are objects are copied, so in-place mutation by list/map/aggregating state never
 * reaches a frozen row). A frozen version is therefore immutable until `release`d, and is read off the
 * critical path (`frozenColumnsOfGroup`).
 *
 * Invariants: a row exists only while it has at least one namespace; a stored value is never undefined;
 * neither a group Map nor a row with version < `required` is ever mutated.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { StateDescriptor, StateKind } from '../api/state.js';
import type { CanonicalKey } from './key-codec.js';
import { copyStateValue } from './copy-state-value.js';
import { ColumnBuilder, type StateColumns } from './key-group-columns.js';

export interface KeyRow {
  key: unknown;
  /** Stored value in namespace '' (undefined: none). */
  v: unknown;
  /** Stored values of the other namespaces. */
  more: Map<string, unknown> | undefined;
  /** Table version the row was created (or copied) at. */
  ver: number;
}

/** A frozen version of one table: the group Maps as they were when `freeze` ran. */
export interface FrozenTable {
  readonly version: number;
  readonly groups: ReadonlyArray<ReadonlyMap<CanonicalKey, KeyRow> | undefined>;
}

function rowGet(row: KeyRow, ns: string): unknown {
  return ns === '' ? row.v : row.more?.get(ns);
}

function rowSet(row: KeyRow, ns: string, stored: unknown): void {
  if (ns === '') row.v = stored;
  else (row.more ??= new Map()).set(ns, stored);
}

/** [namespace, stored] of every namespace of the row, '' first. */
function* rowEntries(row: KeyRow): Iterable<[string, unknown]> {
  if (row.v !== undefined) yield ['', row.v];
  if (row.more) yield* row.more;
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null;
}

interface TtlCell {
  v: unknown;
  ts: number;
}

export interface NowSource {
  nowMs(): number;
}

export class StateTable {
  desc: StateDescriptor | undefined;
  /** 0 = no expiry (also for cells restored before the descriptor attached). */
  private ttlMs = 0;
  private updateOnRead = false;
  /** True when stored values are TtlCells. */
  private cells = false;
  readonly groups: Array<Map<CanonicalKey, KeyRow> | undefined>;
  /** Version of each group Map (when it was created or copied). */
  private readonly groupVer: number[];
  /** Current version: stamped on rows and group Maps created now. */
  private version = 0;
  /** Newest version still frozen by an unfinished snapshot (0: none): older Maps and rows are copied before a write. */
  private required = 0;
  private readonly inFlight = new Set<number>();

  constructor(
    readonly name: string,
    readonly kind: StateKind,
    groupCount: number,
    private readonly clock: NowSource,
  ) {
    this.groups = new Array(groupCount);
    this.groupVer = new Array(groupCount).fill(0);
  }

  /** Fixes the current content as a snapshot version (O(key groups)); `release` it when written. */
  freeze(): FrozenTable {
    const version = ++this.version;
    this.required = version;
    this.inFlight.add(version);
    return { version, groups: this.groups.slice() };
  }

  /** The snapshot of `version` is written (or abandoned): its Maps and rows may be reused. */
  release(version: number): void {
    if (!this.inFlight.delete(version)) return;
    let max = 0;
    for (const v of this.inFlight) if (v > max) max = v;
    this.required = max;
  }

  /** Versions frozen and not yet released (tests, metrics). */
  versionsInFlight(): number {
    return this.inFlight.size;
  }

  /** The group Map to mutate: a copy when the current one belongs to a frozen version. */
  private writableGroup(gi: number): Map<CanonicalKey, KeyRow> {
    let group = this.groups[gi];
    if (group === undefined) {
      group = this.groups[gi] = new Map();
      this.groupVer[gi] = this.version;
    } else if (this.groupVer[gi]! < this.required) {
      group = this.groups[gi] = new Map(group);
      this.groupVer[gi] = this.version;
    }
    return group;
  }

  /** The row to mutate: a copy (values copied) when it belongs to a frozen version. */
  private writableRow(gi: number, canon: CanonicalKey, row: KeyRow): KeyRow {
    if (row.ver >= this.required) return row;
    const copy: KeyRow = {
      key: row.key,
      v: row.v === undefined ? undefined : this.copyStored(row.v),
      more: undefined,
      ver: this.version,
    };
    if (row.more) {
      copy.more = new Map();
      for (const [ns, s] of row.more) copy.more.set(ns, this.copyStored(s));
    }
    this.writableGroup(gi).set(canon, copy);
    return copy;
  }

  private copyStored(s: unknown): unknown {
    if (!this.cells) return copyStateValue(s);
    const cell = s as TtlCell;
    return { v: copyStateValue(cell.v), ts: cell.ts } satisfies TtlCell;
  }

  /** Binds the descriptor (reduce/aggregate functions, TTL). */
  attach(desc: StateDescriptor): void {
    if (desc.kind !== this.kind) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `state "${this.name}" is a ${this.kind} state; it cannot be accessed as ${desc.kind} state`,
      );
    }
    this.desc = desc;
    const ttl = desc.ttl;
    if (ttl && !(ttl.ttlMs > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `state "${this.name}": TTL must be positive, got ${ttl.ttlMs}`);
    const wantCells = !!ttl;
    if (wantCells !== this.cells) {
      // New rows in new Maps: a frozen version keeps the shape it was taken with.
      const now = this.clock.nowMs();
      for (let gi = 0; gi < this.groups.length; gi++) {
        const group = this.groups[gi];
        if (!group) continue;
        const next = new Map<CanonicalKey, KeyRow>();
        for (const [canon, row] of group) {
          const copy: KeyRow = { key: row.key, v: undefined, more: undefined, ver: this.version };
          for (const [ns, s] of rowEntries(row))
            rowSet(copy, ns, wantCells ? ({ v: s, ts: now } satisfies TtlCell) : (s as TtlCell).v);
          next.set(canon, copy);
        }
        this.groups[gi] = next;
        this.groupVer[gi] = this.version;
      }
      this.cells = wantCells;
    }
    this.ttlMs = ttl ? ttl.ttlMs : 0;
    this.updateOnRead = ttl?.updateType === 'OnReadAndWrite';
  }

  get(gi: number, canon: CanonicalKey, ns: string): unknown {
    let row = this.groups[gi]?.get(canon);
    if (row === undefined) return undefined;
    let s = rowGet(row, ns);
    if (s === undefined) return s;
    // A caller may mutate an object it reads (list add, map put): hand out a copy, never a frozen value.
    if (row.ver < this.required && (this.cells ? this.updateOnRead || isObject((s as TtlCell).v) : isObject(s))) {
      row = this.writableRow(gi, canon, row);
      s = rowGet(row, ns);
    }
    if (!this.cells) return s;
    const cell = s as TtlCell;
    if (this.ttlMs > 0) {
      const now = this.clock.nowMs();
      if (cell.ts + this.ttlMs <= now) {
        this.deleteNs(gi, canon, row, ns);
        return undefined;
      }
      if (this.updateOnRead) cell.ts = now;
    }
    return cell.v;
  }

  put(gi: number, canon: CanonicalKey, key: unknown, ns: string, value: unknown): void {
    let row = this.groups[gi]?.get(canon);
    if (row === undefined) {
      row = { key, v: undefined, more: undefined, ver: this.version };
      this.writableGroup(gi).set(canon, row);
    } else if (row.ver < this.required) {
      row = this.writableRow(gi, canon, row);
    }
    rowSet(row, ns, this.cells ? ({ v: value, ts: this.clock.nowMs() } satisfies TtlCell) : value);
  }

  remove(gi: number, canon: CanonicalKey, ns: string): void {
    const row = this.groups[gi]?.get(canon);
    if (row !== undefined && rowGet(row, ns) !== undefined) this.deleteNs(gi, canon, row, ns);
  }

  /** Puts a restored entry as-is (lastAccessMs given → TTL cell). */
  restoreEntry(
    gi: number,
    canon: CanonicalKey,
    key: unknown,
    ns: string,
    value: unknown,
    lastAccessMs: number | undefined,
  ): void {
    if (lastAccessMs !== undefined && !this.cells && this.isEmpty()) this.cells = true;
    this.put(gi, canon, key, ns, value);
    if (this.cells && lastAccessMs !== undefined)
      (rowGet(this.groups[gi]!.get(canon)!, ns) as TtlCell).ts = lastAccessMs;
  }

  /**
   * Live entries of one key group of a frozen version as columns (key-group-columns.ts), rows in the group
   * Map's order and a row's '' namespace first; expired ones are left out (and left in place: a frozen
   * version is never mutated). `nowMs` is the snapshot's time. Undefined when the group holds no entry.
   */
  frozenColumnsOfGroup(frozen: FrozenTable, gi: number, nowMs: number): StateColumns | undefined {
    const group = frozen.groups[gi];
    if (!group || group.size === 0) return undefined;
    const keys = new ColumnBuilder(group.size);
    const values = new ColumnBuilder(group.size);
    const cells = this.cells;
    const access = cells ? new ColumnBuilder(group.size) : undefined;
    const expiring = cells && this.ttlMs > 0;
    const asStored = this.kind === 'map' ? (s: unknown) => [...(s as Map<unknown, unknown>)] : undefined;
    let ns: string[] | undefined;
    const add = (key: unknown, n: string, s: unknown) => {
      let v = s;
      if (cells) {
        const cell = s as TtlCell;
        if (expiring && cell.ts + this.ttlMs <= nowMs) return;
        v = cell.v;
        access!.push(cell.ts);
      }
      if (n !== '' && ns === undefined) ns = new Array<string>(keys.length).fill('');
      ns?.push(n);
      keys.push(key);
      values.push(asStored ? asStored(v) : v);
    };
    for (const row of group.values()) {
      if (row.v !== undefined) add(row.key, '', row.v);
      if (row.more) for (const [n, s] of row.more) add(row.key, n, s);
    }
    if (keys.length === 0) return undefined;
    const out: StateColumns = { kind: this.kind, n: keys.length, keys: keys.finish(), values: values.finish() };
    if (ns) out.ns = ns;
    if (access) out.access = access.finish();
    return out;
  }

  /** Keys with a live value in `ns`. */
  keysIn(ns: string): unknown[] {
    const out: unknown[] = [];
    for (let gi = 0; gi < this.groups.length; gi++) {
      const group = this.groups[gi];
      if (!group) continue;
      for (const [canon, row] of group) {
        if (rowGet(row, ns) === undefined) continue;
        if (this.cells && this.get(gi, canon, ns) === undefined) continue;
        out.push(row.key);
      }
    }
    return out;
  }

  forEachRow(fn: (row: KeyRow, canon: CanonicalKey, gi: number) => void): void {
    for (let gi = 0; gi < this.groups.length; gi++) {
      const group = this.groups[gi];
      if (group) for (const [canon, row] of group) fn(row, canon, gi);
    }
  }

  isEmpty(): boolean {
    for (const g of this.groups) if (g && g.size > 0) return false;
    return true;
  }

  private deleteNs(gi: number, canon: CanonicalKey, row0: KeyRow, ns: string): void {
    const row = this.writableRow(gi, canon, row0);
    if (ns === '') row.v = undefined;
    else row.more?.delete(ns);
    if (row.v === undefined && !row.more?.size) this.writableGroup(gi).delete(canon);
  }
}
