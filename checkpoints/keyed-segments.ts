/**
 * Keyed segments of incremental checkpoints (RocksDB backend, `execution.checkpointing.incremental`): the
 * file-level half of sluice's equivalent of Flink's shared SST files. A subtask's incremental keyed snapshot
 * is a full segment or a delta segment (runtime/state/snapshot-types.ts); each is written once into the
 * job's `shared/` directory, and a checkpoint's keyed handle names its own segment (`file`) plus the chain
 * of earlier segments back to the last full one (`baseSegments`, oldest first), all as paths into that `shared/`
 * directory relative to the checkpoint directory (its parent's `shared/<name>`, never outside the job's directory). Restore folds the chain back into one plain keyed snapshot, so
 * restore assignment and rescaling see the same shape as for a full checkpoint.
 *
 * Invariants: a chain starts with a full segment and is applied in order; within a delta, changed entries
 * replace the whole (key, namespace) entry, deletions remove it, and timers replace every key group's
 * timers (a delta's timers are complete).
 */
import type { KeyGroupRange } from '../runtime/api/operator.js';
import { SluiceError } from '../runtime/errors/index.js';
import { canonicalKey } from '../runtime/state/key-codec.js';
import type {
  DeltaKeyGroupSnapshot,
  KeyGroupSnapshot,
  KeyedIncrement,
  KeyedStateSnapshot,
  StateEntrySnapshot,
  TimersSnapshot,
} from '../runtime/state/snapshot-types.js';
import { SHARED_DIR, stateFileName } from './layout.js';
import type { CheckpointManifest, StateHandle } from './manifest.js';

/** A keyed handle's file path relative to a `chk-N` directory when it lies in the job's shared directory. */
export const SHARED_RELATIVE_PREFIX = `../${SHARED_DIR}/`;

/** The keyed value of an incremental checkpoint (a segment), as the task hands it over. */
export type IncrementalKeyedSnapshot = KeyedStateSnapshot & { increment: KeyedIncrement };

export function isIncrementalKeyed(v: unknown): v is IncrementalKeyedSnapshot {
  if (typeof v !== 'object' || v === null) return false;
  const inc = (v as { increment?: { kind?: unknown } }).increment;
  return typeof inc === 'object' && inc !== null && (inc.kind === 'full' || inc.kind === 'delta');
}

/** A fresh segment name in `shared/` (the checkpoint id first, so a listing reads in order). */
export function segmentFileName(checkpointId: number, operatorUid: string, subtaskIndex: number): string {
  return `chk-${checkpointId}-${stateFileName(operatorUid, subtaskIndex, 'keyed')}`;
}

export function isSharedFile(file: string): boolean {
  return file.startsWith(SHARED_RELATIVE_PREFIX);
}

/**
 * The segment chain of one subtask's keyed state in a completed checkpoint (oldest first): what a delta
 * on that checkpoint builds on. Empty when the subtask held no keyed state there; CHECKPOINT_STORAGE when
 * its key-group range differs (a delta never crosses a restore, so it cannot happen unless files were mixed).
 */
export function segmentChainOf(
  base: CheckpointManifest,
  operatorUid: string,
  subtaskIndex: number,
  range: KeyGroupRange,
): StateHandle[] {
  const st = base.operators.find((o) => o.uid === operatorUid)?.subtasks.find((s) => s.subtaskIndex === subtaskIndex);
  const k = st?.keyed;
  if (!k) return [];
  if (k.keyGroupRange.start !== range.start || k.keyGroupRange.end !== range.end) {
    throw new SluiceError(
      'CHECKPOINT_STORAGE',
      `Keyed state of ${operatorUid}#${subtaskIndex} in checkpoint ${base.checkpointId} covers key groups ${k.keyGroupRange.start}-${k.keyGroupRange.end}, a delta on it covers ${range.start}-${range.end}`,
    );
  }
  if (!isSharedFile(k.file)) {
    throw new SluiceError(
      'CHECKPOINT_STORAGE',
      `Keyed state of ${operatorUid}#${subtaskIndex} in checkpoint ${base.checkpointId} is not a shared segment; a delta cannot build on it`,
    );
  }
  return [...(k.baseSegments ?? []), { file: k.file, sha256: k.sha256, sizeBytes: k.sizeBytes }].map((h) => ({
    ...h,
  }));
}

/** Every shared segment file a manifest references (paths relative to its directory). */
export function sharedFilesOf(m: CheckpointManifest): string[] {
  const out: string[] = [];
  for (const op of m.operators) {
    for (const st of op.subtasks) {
      if (!st.keyed) continue;
      for (const h of [...(st.keyed.baseSegments ?? []), st.keyed]) if (isSharedFile(h.file)) out.push(h.file);
    }
  }
  return out;
}

type StateTable = { kind: KeyGroupSnapshot['states'][string]['kind']; entries: Map<string, StateEntrySnapshot> };

function entryId(key: unknown, ns: string): string {
  const ck = canonicalKey(key);
  return `${typeof ck}:${String(ck)}\u0000${ns}`;
}

/**
 * Folds a segment chain (decoded segments, oldest first) into one plain keyed snapshot. `label` names the
 * chain in errors (CHECKPOINT_CORRUPT when it does not start with a full segment).
 */
export function foldSegments(segments: unknown[], label: string): KeyedStateSnapshot {
  const groups = new Map<number, Map<string, StateTable>>();
  let timers = new Map<number, Record<string, TimersSnapshot>>();
  let last: KeyedStateSnapshot | undefined;
  for (const [i, raw] of segments.entries()) {
    if (!isIncrementalKeyed(raw)) throw corrupt(label, `segment ${i + 1} is not an incremental keyed segment`);
    const seg = raw;
    const delta = seg.increment.kind === 'delta';
    if (delta !== i > 0)
      throw corrupt(label, `segment ${i + 1} is ${seg.increment.kind}, expected ${i ? 'delta' : 'full'}`);
    if (delta) timers = new Map(); // a delta's timers are complete for its range
    for (const [kgText, g] of Object.entries(seg.keyGroups) as Array<[string, DeltaKeyGroupSnapshot]>) {
      const kg = Number(kgText);
      let tables = groups.get(kg);
      if (!tables) groups.set(kg, (tables = new Map()));
      for (const [name, s] of Object.entries(g.states ?? {})) {
        let t = tables.get(name);
        if (!t) tables.set(name, (t = { kind: s.kind, entries: new Map() }));
        for (const e of s.entries) t.entries.set(entryId(e[0], e[1]), e);
      }
      for (const [name, keys] of Object.entries(g.deleted ?? {})) {
        const t = tables.get(name);
        if (t) for (const [key, ns] of keys) t.entries.delete(entryId(key, ns));
      }
      if (g.timers) timers.set(kg, g.timers);
    }
    last = seg;
  }
  if (!last) throw corrupt(label, 'the segment chain is empty');
  const keyGroups: Record<number, KeyGroupSnapshot> = {};
  const kgs = new Set([...groups.keys(), ...timers.keys()]);
  for (const kg of [...kgs].sort((a, b) => a - b)) {
    const states: KeyGroupSnapshot['states'] = {};
    for (const [name, t] of groups.get(kg) ?? []) {
      if (t.entries.size > 0) states[name] = { kind: t.kind, entries: [...t.entries.values()] };
    }
    const tm = timers.get(kg);
    if (Object.keys(states).length === 0 && !tm) continue;
    keyGroups[kg] = tm ? { states, timers: tm } : { states };
  }
  return {
    version: 1,
    maxParallelism: last.maxParallelism,
    keyGroupRange: { ...last.keyGroupRange },
    keyGroups,
  };
}

function corrupt(label: string, why: string): SluiceError {
  return new SluiceError('CHECKPOINT_CORRUPT', `Keyed state chain of ${label} cannot be restored: ${why}`);
}
