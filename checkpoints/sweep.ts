/**
 * Retention for checkpoint leftovers: `chk-N` directories without `_metadata` that a crashed job manager
 * (or a killed write) left behind. A checkpoint in progress never outlives its timeout, so an incomplete
 * directory not changed for longer than `execution.checkpointing.timeout` is abandoned and deleted.
 *
 * Invariants: completed checkpoints (with `_metadata`), savepoints and anything not named `chk-N` are never
 * touched; a failure to delete one leftover is reported and does not stop the sweep.
 */
import * as path from 'node:path';
import { METADATA_FILE, parseCheckpointDirName, stripFileScheme } from './layout.js';
import { defaultFs, type CheckpointFs } from './storage-fs.js';

export interface SweepResult {
  removed: string[];
  warnings: string[];
}

export async function sweepIncompleteCheckpoints(
  checkpointsDir: string,
  olderThanMs: number,
  nowMs: number,
  fs: CheckpointFs = defaultFs(),
): Promise<SweepResult> {
  const root = path.resolve(stripFileScheme(checkpointsDir));
  const result: SweepResult = { removed: [], warnings: [] };
  const jobs = await fs.readdir(root).catch(() => [] as string[]);
  for (const job of jobs) {
    const jobDir = path.join(root, job);
    const names = await fs.readdir(jobDir).catch(() => [] as string[]);
    for (const name of names) {
      if (parseCheckpointDirName(name) === undefined) continue;
      const dir = path.join(jobDir, name);
      try {
        const complete = await fs.stat(path.join(dir, METADATA_FILE)).then(
          () => true,
          () => false,
        );
        if (complete) continue;
        const st = await fs.stat(dir);
        if (!st.isDirectory() || nowMs - st.mtimeMs <= olderThanMs) continue;
        await fs.rm(dir, { recursive: true, force: true });
        result.removed.push(dir);
      } catch (err) {
        result.warnings.push(`could not sweep ${dir}: ${(err as Error).message}`);
      }
    }
  }
  return result;
}
