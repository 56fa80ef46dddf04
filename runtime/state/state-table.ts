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
 * Copy-on-write versions (as Flink's CopyOnWriteStateMap, per key group): `freeze()` fixes the current
 * content as a snapshot version in O(number of key groups) — it only keeps the group Maps' references and
 * bumps the table's version (snapshot-versions.ts). A frozen version needs a key group only until it has
 * read it (`frozenColumnsOfGroup`, once per key group); until then, the first removal of a key from the
 * group's Map replaces the Map by a shallow copy, a key added goes into the shared Map with an empty saved
 * content (slot version 0, so the frozen version skips it), and the first write to (or read of an object
 * value of) a row moves the row's content to the row's slot and gives the row copies of its values (key-row.ts:
 * no allocation for a primitive value, the Map untouched; values that are objects are copied, so in-place
 * mutation by list/map/aggregating state never reaches the saved content). Only when two unread versions
 * need two older contents of a row is the row itself left to them and replaced by a copy. Once a version has
 * read a key group, writes there change rows and Maps in place, and the reader drops the slots it consumed.
 *
 * Invariants: a row exists only while it has at least one namespace; a stored value is never undefined;
 * the content an unread frozen version sees — a group Map's keys and rows, a row's content written before
 * the version (current or in its slot) — never changes until that version has read the key group or is
 * released.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { StateDescriptor, StateKind } from '../api/state.js';
import type { CanonicalKey } from './key-codec.js';
import { copyStateValue } from './copy-state-value.js';
import { ColumnBuilder, type StateColumns } from './key-group-columns.js';
import { clearSlot, newRow, rowEntries, rowGet, rowSet, type KeyRow } from './key-row.js';
import { SnapshotVersions } from './snapshot-versions.js';

export type { KeyRow } from './key-row.js';

/** A frozen version of one table: the group Maps as they were when `freeze` ran. */
export interface FrozenTable {
  readonly version: number;
  readonly groups: ReadonlyArray<ReadonlyMap<CanonicalKey, KeyRow> | undefined>;
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
  /** Current version, in-flight frozen versions and the key groups they have not read. */
  private readonly versions: SnapshotVersions;

  constructor(
    readonly name: string,
    readonly kind: StateKind,
    groupCount: number,
    private readonly clock: NowSource,
  ) {
    this.groups = new Array(groupCount);
    this.groupVer = new Array(groupCount).fill(0);
    this.versions = new SnapshotVersions(groupCount);
  }

  /** Fixes the current content as a snapshot version (O(key groups)); `release` it when written. */
  freeze(): FrozenTable {
    const version = this.versions.freeze();
    return { version, groups: this.groups.slice() };
  }

  /** The snapshot of `version` is written (or abandoned): what only it kept may change. */
  release(version: number): void {
    this.versions.release(version);
  }

  /** Versions frozen and not yet released (tests, metrics). */
  versionsInFlight(): number {
    return this.versions.inFlight;
  }

  /** The group Map to mutate: a copy when the current one is still to be read by a frozen version. */
  private writableGroup(gi: number): Map<CanonicalKey, KeyRow> {
    let group = this.groups[gi];
    if (group === undefined) {
      group = this.groups[gi] = new Map();
      this.groupVer[gi] = this.versions.current;
    } else if (this.groupVer[gi]! < this.versions.required[gi]!) {
      group = this.groups[gi] = new Map(group);
      this.groupVer[gi] = this.versions.current;
    }
    return group;
  }

  /**
   * The row to mutate. When an unread frozen version sees its current content, that content moves to the
   * slot and the row gets copies of its values; when the slot is itself still needed (two unread versions),
   * the row is left to the frozen versions and a copy takes its place in the live group.
   */
  private writableRow(gi: number, canon: CanonicalKey, row: KeyRow): KeyRow {
    const required = this.versions.required[gi]!;
    if (row.ver >= required) {
      if (required === 0 && row.pver >= 0) clearSlot(row); // a slot left by an abandoned version
      return row;
    }
    const version = this.versions.current;
    if (row.pver < 0 || this.versions.inFlight === 1 || !this.versions.unreadBetween(gi, row.pver, row.ver)) {
      row.pv = row.v;
      row.pmore = row.more;
      row.pver = row.ver;
      row.v = row.v === undefined ? undefined : this.copyStored(row.v);
      row.more = this.copyMore(row.more);
      row.ver = version;
      return row;
    }
    const copy = newRow(row.key, version);
    copy.v = row.v === undefined ? undefined : this.copyStored(row.v);
    copy.more = this.copyMore(row.more);
    this.writableGroup(gi).set(canon, copy);
    return copy;
  }

  private copyMore(more: Map<string, unknown> | undefined): Map<string, unknown> | undefined {
    if (more === undefined) return undefined;
    const out = new Map<string, unknown>();
    for (const [ns, s] of more) out.set(ns, this.copyStored(s));
    return out;
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
          const copy = newRow(row.key, this.versions.current);
          for (const [ns, s] of rowEntries(row))
            rowSet(copy, ns, wantCells ? ({ v: s, ts: now } satisfies TtlCell) : (s as TtlCell).v);
          next.set(canon, copy);
        }
        this.groups[gi] = next;
        this.groupVer[gi] = this.versions.current;
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
    if (
      row.ver < this.versions.required[gi]! &&
      (this.cells ? this.updateOnRead || isObject((s as TtlCell).v) : isObject(s))
    ) {
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
      row = newRow(key, this.versions.current);
      const group = this.groups[gi];
      if (group !== undefined && this.groupVer[gi]! < this.versions.required[gi]!) {
        // A key added to a group an unread version still shares: no copy of the Map — the row goes in with
        // an empty saved content (version 0, before every frozen version), so that version reads nothing.
        row.pver = 0;
        group.set(canon, row);
      } else this.writableGroup(gi).set(canon, row);
    } else row = this.writableRow(gi, canon, row);
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
   * Map's order and a row's '' namespace first; expired ones are left out (and left in place). `nowMs` is the
   * snapshot's time. Undefined when the group holds no entry. Each key group of a version is read once:
   * afterwards writes there no longer keep anything for it, and the slots it consumed are dropped when no
   * other version still has to read them.
   */
  frozenColumnsOfGroup(frozen: FrozenTable, gi: number, nowMs: number): StateColumns | undefined {
    const version = frozen.version;
    const clear = !this.versions.othersUnread(version, gi);
    this.versions.markRead(version, gi); // throws on a second read, before anything is read
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
      let v = row.v;
      let more = row.more;
      if (row.ver >= version) {
        // written since the freeze: the content as of the freeze is in the slot
        if (!(row.pver >= 0 && row.pver < version))
          throw new Error(`state "${this.name}": a row lost its content of snapshot version ${version}`);
        v = row.pv;
        more = row.pmore;
      }
      if (clear && row.pver >= 0) clearSlot(row);
      if (v !== undefined) add(row.key, '', v);
      if (more) for (const [n, s] of more) add(row.key, n, s);
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
