/**
 * Writes one completed checkpoint or savepoint of a job through CheckpointStorage: a state file per
 * operator and subtask, then the `_metadata` manifest last. Shared by the job manager's checkpointing and
 * local execution's savepoints, so a savepoint taken by a program run in-process is the same directory a
 * cluster restores from (`sluice run -s`).
 *
 * Invariant: every operator of the job (`operators`, from the job graph) gets a manifest entry only when some subtask wrote state for it
 * (stateless operators leave no trace and never block a restore).
 */
import type { CheckpointKind } from '../runtime/api/elements.js';
import { taskKeyParts } from '../runtime/api/task-key.js';
import type { TaskSnapshot } from './coordinator.js';
import { createManifest, type OperatorManifestEntry } from './manifest.js';
import type { CheckpointStorage } from './storage.js';

export interface SnapshotToPersist {
  id: number;
  kind: CheckpointKind;
  triggerMs: number;
  /** Required for a savepoint (its `savepoint-…` directory is made under it). */
  targetDirectory?: string;
  tasks: TaskSnapshot[];
}

/** Persists `p` of job `jobId`; `onSubtaskBytes` hears the state size of each subtask (statistics). */
export async function persistSnapshot(
  storage: CheckpointStorage,
  jobId: string,
  operators: ReadonlyArray<{ uid: string; parallelism: number; maxParallelism: number }>,
  p: SnapshotToPersist,
  onSubtaskBytes: (vertexId: string, subtaskIndex: number, bytes: number) => void = () => {},
): Promise<{ externalPath: string; sizeBytes: number }> {
  const location = p.kind === 'CHECKPOINT' ? undefined : storage.savepointLocation(jobId, p.targetDirectory!);
  const options = location ? { location } : {};
  if (!location) await storage.initializeJob(jobId);
  const entries = new Map<string, OperatorManifestEntry>();
  for (const o of operators) entries.set(o.uid, { ...o, subtasks: [] });
  for (const t of p.tasks) {
    const { vertexId, subtaskIndex } = taskKeyParts(t.taskKey);
    let bytes = 0;
    for (const s of t.snapshots) {
      const handles = await storage.writeSubtaskState(jobId, p.id, s.uid, subtaskIndex, s, options);
      bytes += (handles.keyed?.sizeBytes ?? 0) + (handles.operator?.sizeBytes ?? 0);
      entries.get(s.uid)?.subtasks.push(handles);
    }
    onSubtaskBytes(vertexId, subtaskIndex, bytes);
  }
  const manifest = createManifest({
    checkpointId: p.id,
    jobId,
    timestampMs: p.triggerMs,
    kind: p.kind === 'CHECKPOINT' ? 'CHECKPOINT' : 'SAVEPOINT',
    operators: [...entries.values()].filter((e) => e.subtasks.length > 0),
  });
  const done = await storage.finalize(manifest, options);
  return { externalPath: done.externalPath, sizeBytes: done.stateSizeBytes };
}
