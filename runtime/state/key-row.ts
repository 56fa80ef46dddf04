/**
 * KeyRow: what a StateTable (state-table.ts) stores for one key of one state in one key group — the value of
 * the default namespace '' in a field, the values of other namespaces (windows) in a Map created on first
 * use — plus one saved earlier content: when a write reaches a row whose current content a frozen snapshot
 * version still has to read, that content moves to the row's slot (`pv`, `pmore`, written at `pver`) instead
 * of the row being copied, so a write after a checkpoint's barrier allocates nothing for a primitive value and
 * leaves the key group's Map alone.
 *
 * Invariants: the current content (`v`, `more`) was written at table version `ver`; the slot, when `pver` is
 * not -1, is the content the row had from version `pver` until `ver`; an empty slot holds no values.
 */

export interface KeyRow {
  key: unknown;
  /** Stored value in namespace '' (undefined: none). */
  v: unknown;
  /** Stored values of the other namespaces. */
  more: Map<string, unknown> | undefined;
  /** Table version the current content was written (or the row created) at. */
  ver: number;
  /** The saved earlier content: value in namespace '', */
  pv: unknown;
  /** … values of the other namespaces, */
  pmore: Map<string, unknown> | undefined;
  /** … and the version it was written at; -1: no saved content. */
  pver: number;
}

/** An empty row (every row is created here, so all rows share one shape). */
export function newRow(key: unknown, ver: number): KeyRow {
  return { key, v: undefined, more: undefined, ver, pv: undefined, pmore: undefined, pver: -1 };
}

export function rowGet(row: KeyRow, ns: string): unknown {
  return ns === '' ? row.v : row.more?.get(ns);
}

export function rowSet(row: KeyRow, ns: string, stored: unknown): void {
  if (ns === '') row.v = stored;
  else (row.more ??= new Map()).set(ns, stored);
}

/** [namespace, stored] of every namespace of the row's current content, '' first. */
export function* rowEntries(row: KeyRow): Iterable<[string, unknown]> {
  if (row.v !== undefined) yield ['', row.v];
  if (row.more) yield* row.more;
}

/** Drops the saved content (nobody will read it). */
export function clearSlot(row: KeyRow): void {
  row.pv = undefined;
  row.pmore = undefined;
  row.pver = -1;
}
