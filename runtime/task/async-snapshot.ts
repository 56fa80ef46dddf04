/**
 * The asynchronous part of a task's checkpoint: operator snapshots whose keyed state is a frozen
 * copy-on-write version (see runtime/state/state-table.ts) are built key group by key group in slices of
 * about `sliceMs`, pausing `pauseMs` between slices so the task's mailbox keeps processing records meanwhile
 * (Flink's AsyncCheckpointRunnable, on the event loop instead of a thread pool). The pause is a timer, not
 * one event-loop turn: records cross several turns between tasks (network, local channels, mailbox), so
 * yielding for a single turn after each slice would leave the pipeline a few records per slice. With the
 * defaults the building takes at most a third of a busy task's time and waits while the task is idle.
 * `encodeKeyGroup` (the worker's RPC path) turns each built key group into bytes in the same slice, so the
 * acknowledgement frame carries pre-encoded key groups instead of being encoded in one long block; a backend
 * that offers its key groups in columns (heap: `keyGroupColumns`) is read that way when encoding, which skips
 * building an array per entry. A
 * backend whose key groups can be large (RocksDB: millions of keys per subtask) streams each one in parts
 * of at most `partRows` stored rows from its point-in-time iterator (`keyGroupParts`), each encoded before
 * the next is read, with the slice check between parts: the decoded entries held at once and the length
 * of one turn of the task are bounded by the part, not by the key group or the state.
 *
 * Invariants: every frozen version is released exactly once, whether the part completes, fails or is
 * abandoned; nothing here calls into an operator.
 */
import type { KeyedSnapshotVersion } from '../state/heap-keyed-state-backend.js';
import { mergeKeyGroupParts } from '../state/key-group-parts.js';
import type { KeyGroupColumns } from '../state/key-group-columns.js';
import type { KeyGroupSnapshot } from '../state/snapshot-types.js';
export type { SnapshotTiming } from '../state/snapshot-types.js';
import type { Clock } from '../platform/clock.js';
import type { OperatorSnapshot } from './operator-chain.js';

/** An operator snapshot taken at a barrier whose keyed part is still to be built. */
export interface PendingOperatorSnapshot {
  uid: string;
  operator?: unknown;
  keyGroupRange?: { start: number; end: number };
  /** Undefined for operators without keyed state (or already built, `keyedBuilt`). */
  keyed?: KeyedSnapshotVersion;
  /** A keyed snapshot that needs no building (a source, a backend without versions). */
  keyedBuilt?: unknown;
}

export interface CompleteOptions {
  clock: Clock;
  /** Work done between two pauses; 0 builds everything at once. */
  sliceMs: number;
  /** Pause between slices (a timer); 0 yields for one event-loop turn. */
  pauseMs?: number;
  /** Called between slices: a reason to stop (the task was cancelled), or undefined. */
  abandoned?: () => string | undefined;
  /**
   * Turns a key group (or a part of one) into what the acknowledgement carries; a key group read in several
   * parts is then carried as the array of its encoded parts (key-group-codec.ts decodes and merges them).
   */
  encodeKeyGroup?: (g: KeyGroupSnapshot | KeyGroupColumns) => unknown;
  /** Stored rows per part of a key group read in parts (default SNAPSHOT_PART_ROWS). */
  partRows?: number;
  /** Sees each part as it is read (tests observe how much is held at once). */
  onPart?: (kg: number, part: KeyGroupSnapshot) => void;
}

/** Stored rows per part of a key group that a backend streams (keyGroupParts): the decoded rows held at once. */
export const SNAPSHOT_PART_ROWS = 4096;

const pause = (clock: Clock, ms: number) =>
  new Promise<void>((resolve) => (ms > 0 ? clock.setTimeout(resolve, ms) : clock.setImmediate(resolve)));

/** Releases every frozen version of `pending` (idempotent). */
export function releasePending(pending: readonly PendingOperatorSnapshot[]): void {
  for (const p of pending) p.keyed?.release();
}

/** Builds (and encodes) the keyed part of every snapshot; releases the versions in all cases. */
export async function completeSnapshots(
  pending: readonly PendingOperatorSnapshot[],
  o: CompleteOptions,
): Promise<OperatorSnapshot[]> {
  try {
    const out: OperatorSnapshot[] = [];
    let sliceStart = o.clock.monotonicMs();
    for (const p of pending) {
      const s: OperatorSnapshot = { uid: p.uid };
      if (p.operator !== undefined) s.operator = p.operator;
      if (p.keyGroupRange) s.keyGroupRange = { ...p.keyGroupRange };
      if (p.keyedBuilt !== undefined) s.keyed = p.keyedBuilt;
      const v = p.keyed;
      if (v) {
        const keyGroups: Record<number, unknown> = {};
        const sliceDone = async () => {
          if (!(o.sliceMs > 0 && o.clock.monotonicMs() - sliceStart >= o.sliceMs)) return;
          await pause(o.clock, o.pauseMs ?? 0);
          const why = o.abandoned?.();
          if (why) throw new Error(`checkpoint abandoned: ${why}`);
          sliceStart = o.clock.monotonicMs();
        };
        for (let kg = v.keyGroupRange.start; kg <= v.keyGroupRange.end; kg++) {
          await sliceDone();
          if (o.encodeKeyGroup && v.keyGroupColumns) {
            const c = v.keyGroupColumns(kg);
            if (c) keyGroups[kg] = o.encodeKeyGroup(c);
            continue;
          }
          if (!v.keyGroupParts) {
            const g = v.keyGroup(kg);
            if (g) keyGroups[kg] = o.encodeKeyGroup ? o.encodeKeyGroup(g) : g;
            continue;
          }
          // A large key group in parts: each is encoded (or kept) before the next is read, with a slice
          // check between parts, so neither the task's turn nor the decoded entries held grow with the group.
          const parts: unknown[] = [];
          const it = v.keyGroupParts(kg, o.partRows ?? SNAPSHOT_PART_ROWS);
          try {
            for (let r = it.next(); !r.done; r = it.next()) {
              o.onPart?.(kg, r.value);
              parts.push(o.encodeKeyGroup ? o.encodeKeyGroup(r.value) : r.value);
              await sliceDone();
            }
          } finally {
            it.return?.(undefined);
          }
          if (parts.length === 0) continue;
          if (parts.length === 1) keyGroups[kg] = parts[0];
          else keyGroups[kg] = o.encodeKeyGroup ? parts : mergeKeyGroupParts(parts as KeyGroupSnapshot[]);
        }
        v.release();
        s.keyed = {
          version: 1,
          maxParallelism: v.maxParallelism,
          keyGroupRange: { ...v.keyGroupRange },
          keyGroups,
          ...(v.increment ? { increment: { ...v.increment } } : {}),
        };
      }
      out.push(s);
    }
    return out;
  } finally {
    releasePending(pending);
  }
}
