/**
 * A checkpoint or savepoint loaded for restore: the manifest plus every referenced state blob, decoded
 * and verified. Keyed state stays opaque (the keyed backend's snapshot format) with its declared key-group
 * range, its key groups decoded if a task worker sent them encoded (runtime/state/key-group-codec.ts); operator state is whatever the operator state store snapshotted (see restore-assignment.ts for
 * the redistributable format).
 *
 * Invariant: a RestoredSnapshot is only built after every file's checksum has been verified.
 */
import type { KeyGroupRange } from '../runtime/api/operator.js';
import { decodeKeyGroups } from '../runtime/state/key-group-codec.js';
import { toExternalPath } from './layout.js';
import { foldSegments, isIncrementalKeyed } from './keyed-segments.js';
import {
  readManifest,
  verifyManifestFiles,
  type CheckpointManifest,
  type SnapshotKind,
  type SubtaskStateHandles,
} from './manifest.js';
import { storeFor, type SnapshotStore } from './store.js';

export interface RestoredSubtaskState {
  subtaskIndex: number;
  keyed?: { keyGroupRange: KeyGroupRange; state: unknown };
  operator?: unknown;
}

export interface RestoredOperatorState {
  uid: string;
  parallelism: number;
  maxParallelism: number;
  subtasks: RestoredSubtaskState[];
  coordinator?: unknown;
}

export interface RestoredSnapshot {
  checkpointId: number;
  jobId: string;
  kind: SnapshotKind;
  timestampMs: number;
  /** Directory holding `_metadata`. */
  dir: string;
  metadataPath: string;
  /** `file:/…` or `s3://…` form for REST (`latest.restored.external_path`). */
  externalPath: string;
  manifest: CheckpointManifest;
  operators: RestoredOperatorState[];
  masterStates: Map<string, unknown>;
}

/** Reads `_metadata`, verifies every referenced file and assembles the decoded snapshot. */
export async function loadSnapshot(
  dir: string,
  metadataPath: string,
  store: SnapshotStore = storeFor(dir),
): Promise<RestoredSnapshot> {
  const manifest = await readManifest(metadataPath, store);
  const values = await verifyManifestFiles(dir, manifest, store);
  const get = (file: string) => values.get(file);
  // An incremental checkpoint's keyed state is a chain of segments, folded here into one snapshot.
  const keyedState = (uid: string, st: SubtaskStateHandles): unknown => {
    const k = st.keyed!;
    // key groups a task worker sent encoded are stored encoded and decoded here (key-group-codec.ts)
    const own = decodeKeyGroups(get(k.file));
    if (!isIncrementalKeyed(own)) return own;
    const chain = [...(k.baseSegments ?? []).map((h) => decodeKeyGroups(get(h.file))), own];
    return foldSegments(chain, `${uid}#${st.subtaskIndex} in checkpoint ${manifest.checkpointId}`);
  };
  const operators: RestoredOperatorState[] = manifest.operators.map((op) => {
    const restored: RestoredOperatorState = {
      uid: op.uid,
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
      subtasks: op.subtasks.map((st) => {
        const r: RestoredSubtaskState = { subtaskIndex: st.subtaskIndex };
        if (st.keyed) r.keyed = { keyGroupRange: { ...st.keyed.keyGroupRange }, state: keyedState(op.uid, st) };
        if (st.operator) r.operator = get(st.operator.file);
        return r;
      }),
    };
    if (op.coordinator) restored.coordinator = get(op.coordinator.file);
    return restored;
  });
  return {
    checkpointId: manifest.checkpointId,
    jobId: manifest.jobId,
    kind: manifest.kind,
    timestampMs: manifest.timestampMs,
    dir,
    metadataPath,
    externalPath: toExternalPath(dir),
    manifest,
    operators,
    masterStates: new Map(manifest.masterStates.map((m) => [m.name, get(m.handle.file)])),
  };
}
