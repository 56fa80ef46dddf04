/**
 * Which logical state entries of a RocksDB keyed backend changed since a checkpoint, for incremental
 * checkpoints (`execution.checkpointing.incremental: true`). A logical entry is one row key without a map's
 * user key (kg | name | key | namespace): the unit a delta segment re-emits or deletes.
 *
 * The tracker keeps one change set per checkpoint taken since the oldest checkpoint that may still be the
 * base of a delta. A delta for checkpoint m against base c is the union of the sets of the checkpoints in
 * (c, m]; c must be the origin (the checkpoint whose state the tracker started from) or a checkpoint it
 * recorded. A confirmed checkpoint (notifyCheckpointComplete) becomes the origin: bases only move forward.
 *
 * Invariants: a write is recorded in the current set before the next checkpoint starts; nothing is dropped
 * that a later delta against a possible base needs; after a restore or at start the origin is unknown, so
 * the first checkpoint is full (as Flink after a NO_CLAIM restore).
 */

export interface PlannedSnapshot {
  /** 'full': every entry (a new base); 'delta': only `changed`, applied on `baseCheckpointId`. */
  kind: 'full' | 'delta';
  baseCheckpointId?: number;
  /** Logical entries (latin1 of their bytes) changed since the base, for a delta. */
  changed?: Set<string>;
  /** Deltas after the last full segment, this one included (0 for a full one). */
  chainLength: number;
}

export interface ChangeTrackerOptions {
  /** A full segment after this many deltas (bounds restore time). */
  maxChainLength: number;
  /** A full segment when the changed entries exceed this fraction of the entries of the last full one. */
  maxChangedFraction: number;
}

export const DEFAULT_CHANGE_TRACKER_OPTIONS: ChangeTrackerOptions = { maxChainLength: 8, maxChangedFraction: 0.5 };

export class ChangeTracker {
  private current = new Set<string>();
  /** Change sets of checkpoints taken after the origin, oldest first. */
  private taken: Array<{ id: number; changed: Set<string>; chainLength: number }> = [];
  /** The checkpoint whose state the recorded sets start from (undefined: unknown, the next one is full). */
  private origin: { id: number; chainLength: number } | undefined;
  /** Entries in the last full segment (for maxChangedFraction). */
  private lastFullEntries = 0;
  /** A delta was aborted or its base is gone: the next checkpoint is full. */
  private forceFull = false;

  constructor(private readonly o: ChangeTrackerOptions = DEFAULT_CHANGE_TRACKER_OPTIONS) {}

  /** Records a write or delete of a logical entry. */
  touch(entry: Buffer): void {
    this.current.add(entry.toString('latin1'));
  }

  /** The state now is no longer derived from any checkpoint (restore): the next checkpoint is full. */
  reset(): void {
    this.current = new Set();
    this.taken = [];
    this.origin = undefined;
  }

  /**
   * Called at checkpoint `id`'s barrier: plans a delta against the newest possible base (the origin) or a
   * full segment, and starts a new change set.
   */
  plan(id: number): PlannedSnapshot {
    const changed = this.current;
    this.current = new Set();
    const base = this.origin;
    let plan: PlannedSnapshot;
    if (base === undefined || this.forceFull) {
      plan = { kind: 'full', chainLength: 0 };
    } else {
      const union = new Set<string>();
      for (const t of this.taken) for (const e of t.changed) union.add(e);
      for (const e of changed) union.add(e);
      const chainLength = base.chainLength + 1;
      const tooLong = chainLength > this.o.maxChainLength;
      const tooMany = union.size > this.o.maxChangedFraction * Math.max(this.lastFullEntries, 1);
      plan =
        tooLong || tooMany
          ? { kind: 'full', chainLength: 0 }
          : { kind: 'delta', baseCheckpointId: base.id, changed: union, chainLength };
    }
    this.forceFull = false;
    this.taken.push({ id, changed, chainLength: plan.chainLength });
    return plan;
  }

  /** A full segment of checkpoint `id` held `entries` logical entries. */
  fullWritten(entries: number): void {
    this.lastFullEntries = entries;
  }

  /** Checkpoint `id` completed: it is the base of the next delta; older sets are no longer needed. */
  confirmed(id: number): void {
    const i = this.taken.findIndex((t) => t.id === id);
    if (i < 0) return; // not taken here (before a restore) or already confirmed
    this.origin = { id, chainLength: this.taken[i]!.chainLength };
    this.taken = this.taken.slice(i + 1);
  }

  /** Checkpoint `id` was aborted: its changes stay in the sets; the next checkpoint is full if it was a delta. */
  aborted(id: number): void {
    if (this.taken.some((t) => t.id === id)) this.forceFull = true;
  }
}
