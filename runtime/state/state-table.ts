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
 * Invariant: a row exists only while it has at least one namespace; a stored value is never undefined.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { StateDescriptor, StateKind } from '../api/state.js';
import type { CanonicalKey } from './key-codec.js';

export interface KeyRow {
  key: unknown;
  /** Stored value in namespace '' (undefined: none). */
  v: unknown;
  /** Stored values of the other namespaces. */
  more: Map<string, unknown> | undefined;
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

  constructor(
    readonly name: string,
    readonly kind: StateKind,
    groupCount: number,
    private readonly clock: NowSource,
  ) {
    this.groups = new Array(groupCount);
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
      const now = this.clock.nowMs();
      this.forEachRow((row) => {
        for (const [ns, s] of [...rowEntries(row)])
          rowSet(row, ns, wantCells ? ({ v: s, ts: now } satisfies TtlCell) : (s as TtlCell).v);
      });
      this.cells = wantCells;
    }
    this.ttlMs = ttl ? ttl.ttlMs : 0;
    this.updateOnRead = ttl?.updateType === 'OnReadAndWrite';
  }

  get(gi: number, canon: CanonicalKey, ns: string): unknown {
    const row = this.groups[gi]?.get(canon);
    if (row === undefined) return undefined;
    const s = rowGet(row, ns);
    if (s === undefined || !this.cells) return s;
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
    let group = this.groups[gi];
    if (group === undefined) group = this.groups[gi] = new Map();
    let row = group.get(canon);
    if (row === undefined) {
      row = { key, v: undefined, more: undefined };
      group.set(canon, row);
    }
    rowSet(row, ns, this.cells ? ({ v: value, ts: this.clock.nowMs() } satisfies TtlCell) : value);
  }

  remove(gi: number, canon: CanonicalKey, ns: string): void {
    const row = this.groups[gi]?.get(canon);
    if (row !== undefined) this.deleteNs(gi, canon, row, ns);
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

  /** Live entries of one key group as [key, ns, value, lastAccessMs?]; drops expired ones. */
  entriesOfGroup(gi: number): Array<[unknown, string, unknown, number?]> {
    const out: Array<[unknown, string, unknown, number?]> = [];
    const group = this.groups[gi];
    if (!group) return out;
    const now = this.clock.nowMs();
    for (const [canon, row] of group) {
      if (!this.cells) {
        if (row.v !== undefined) out.push([row.key, '', row.v]);
        if (row.more) for (const [ns, s] of row.more) out.push([row.key, ns, s]);
        continue;
      }
      for (const [ns, s] of [...rowEntries(row)]) {
        const cell = s as TtlCell;
        if (this.ttlMs > 0 && cell.ts + this.ttlMs <= now) this.deleteNs(gi, canon, row, ns);
        else out.push([row.key, ns, cell.v, cell.ts]);
      }
    }
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

  private deleteNs(gi: number, canon: CanonicalKey, row: KeyRow, ns: string): void {
    if (ns === '') row.v = undefined;
    else row.more?.delete(ns);
    if (row.v === undefined && !row.more?.size) this.groups[gi]!.delete(canon);
  }
}
