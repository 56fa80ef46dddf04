/**
 * Retention for checkpoint leftovers: `chk-N` directories without `_metadata` that a crashed job manager
 * (or a killed write) left behind, on the local file system or S3 (where a directory's age is its newest object's). A checkpoint in progress never outlives its timeout, so an incomplete
 * directory not changed for longer than `execution.checkpointing.timeout` is abandoned and deleted.
 *
 * Invariants: completed checkpoints (with `_metadata`), savepoints and anything not named `chk-N` are never
 * touched; a failure to delete one leftover is reported and does not stop the sweep.
 */
import { METADATA_FILE, parseCheckpointDirName, resolveLocation } from './layout.js';
import { storeFor, type SnapshotStore } from './store.js';

export interface SweepResult {
  removed: string[];
  warnings: string[];
}

export async function sweepIncompleteCheckpoints(
  checkpointsDir: string,
  olderThanMs: number,
  nowMs: number,
  store: SnapshotStore = storeFor(checkpointsDir),
): Promise<SweepResult> {
  const root = resolveLocation(checkpointsDir);
  const result: SweepResult = { removed: [], warnings: [] };
  const jobs = await store.list(root).catch(() => [] as string[]);
  for (const job of jobs) {
    const jobDir = store.join(root, job);
    const names = await store.list(jobDir).catch(() => [] as string[]);
    for (const name of names) {
      if (parseCheckpointDirName(name) === undefined) continue;
      const dir = store.join(jobDir, name);
      try {
        if (await store.exists(store.join(dir, METADATA_FILE))) continue;
        const st = await store.stat(dir);
        if (!st?.isDirectory || nowMs - st.mtimeMs <= olderThanMs) continue;
        await store.deleteTree(dir);
        result.removed.push(dir);
      } catch (err) {
        result.warnings.push(`could not sweep ${dir}: ${(err as Error).message}`);
      }
    }
  }
  return result;
}
