/**
 * Flink's checkpoint directory layout, names and path resolution.
 *
 *   <checkpoints dir>/<jobId>/shared/          state referenced by several checkpoints (reserved)
 *   <checkpoints dir>/<jobId>/taskowned/       state owned by tasks, never deleted by the job manager
 *   <checkpoints dir>/<jobId>/chk-<N>/_metadata (+ this checkpoint's exclusive state files)
 *   <savepoint dir>/savepoint-<first 6 hex of jobId>-<12 hex random>/_metadata (+ state files)
 *
 * Invariants: a checkpoint is complete iff its `_metadata` exists (it is written last); checkpoint ids are
 * positive integers without leading zeros (Flink's `chk-[1-9]*`); randomness comes from runtime/platform.
 */
import * as path from 'node:path';
import { SluiceError } from '../runtime/errors/index.js';
import { platform } from '../runtime/platform/index.js';
import { defaultFs, errnoCode, type CheckpointFs } from './storage-fs.js';

export const METADATA_FILE = '_metadata';
export const SHARED_DIR = 'shared';
export const TASKOWNED_DIR = 'taskowned';
export const CHECKPOINT_DIR_PREFIX = 'chk-';
export const SAVEPOINT_DIR_PREFIX = 'savepoint-';
export const STATE_FILE_SUFFIX = '.state';

const CHK_NAME = /^chk-([1-9][0-9]*)$/;

export function jobCheckpointDir(checkpointsDir: string, jobId: string): string {
  return path.join(checkpointsDir, jobId);
}

export function checkpointDirName(checkpointId: number): string {
  if (!Number.isSafeInteger(checkpointId) || checkpointId < 1) {
    throw new SluiceError('CHECKPOINT_STORAGE', `checkpoint id must be a positive integer, got ${checkpointId}`);
  }
  return `${CHECKPOINT_DIR_PREFIX}${checkpointId}`;
}

export function checkpointDir(checkpointsDir: string, jobId: string, checkpointId: number): string {
  return path.join(checkpointsDir, jobId, checkpointDirName(checkpointId));
}

/** The checkpoint id of a `chk-N` directory name, or undefined for any other name. */
export function parseCheckpointDirName(name: string): number | undefined {
  const m = CHK_NAME.exec(name);
  if (!m) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** `savepoint-<first 6 hex of jobId>-<12 hex random>`, as Flink names savepoint directories. */
export function savepointDirName(jobId: string, randomHex: (chars: number) => string = platform.random.hex): string {
  const prefix = jobId
    .toLowerCase()
    .replace(/[^0-9a-f]/g, '')
    .slice(0, 6);
  if (prefix.length < 6) {
    throw new SluiceError(
      'CHECKPOINT_STORAGE',
      `job id "${jobId}" does not start with 6 hex digits; cannot name a savepoint`,
    );
  }
  return `${SAVEPOINT_DIR_PREFIX}${prefix}-${randomHex(12)}`;
}

/** A fresh savepoint directory path under `targetDirectory` (a path or a `file:` URI). */
export function savepointDir(targetDirectory: string, jobId: string, randomHex?: (chars: number) => string): string {
  return path.join(stripFileScheme(targetDirectory), savepointDirName(jobId, randomHex));
}

/**
 * A unique, file-system-safe state file name for one subtask's share of one operator's state:
 * `<uid with unsafe chars replaced>-<subtask>-<kind>-<8 hex random>.state`.
 */
export function stateFileName(operatorUid: string, subtaskIndex: number, kind: string): string {
  const safe = operatorUid.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 48) || 'op';
  return `${safe}-${subtaskIndex}-${kind}-${platform.random.hex(8)}${STATE_FILE_SUFFIX}`;
}

/** Accepts `file:///x`, `file:/x` or a plain path; returns the plain path. */
export function stripFileScheme(p: string): string {
  if (p.startsWith('file://')) return p.slice('file://'.length) || '/';
  if (p.startsWith('file:')) return p.slice('file:'.length);
  return p;
}

/** Flink's external-path form of a local directory, as REST shows it: `file:/abs/path`. */
export function toExternalPath(dir: string): string {
  return `file:${path.resolve(dir)}`;
}

export interface ResolvedSnapshotPath {
  /** The checkpoint/savepoint directory (absolute). */
  dir: string;
  /** `<dir>/_metadata`. */
  metadataPath: string;
}

/**
 * Resolves what a user passed to `-s`: the snapshot directory or its `_metadata` file (either may be a
 * `file:` URI). Throws RESTORE_NOT_FOUND when there is no `_metadata` there.
 */
export async function resolveSnapshotPath(
  userPath: string,
  fs: CheckpointFs = defaultFs(),
): Promise<ResolvedSnapshotPath> {
  const p = path.resolve(stripFileScheme(userPath));
  let isDir: boolean;
  try {
    isDir = (await fs.stat(p)).isDirectory();
  } catch (err) {
    throw new SluiceError(
      'RESTORE_NOT_FOUND',
      `Cannot restore from ${userPath}: ${errnoCode(err) === 'ENOENT' ? 'the path does not exist' : String(err)}`,
      { cause: err },
    );
  }
  const dir = isDir ? p : path.dirname(p);
  const metadataPath = path.join(dir, METADATA_FILE);
  if (!isDir && path.basename(p) !== METADATA_FILE) {
    throw new SluiceError(
      'RESTORE_NOT_FOUND',
      `Cannot restore from ${userPath}: expected a checkpoint/savepoint directory or its ${METADATA_FILE} file`,
    );
  }
  try {
    if (!(await fs.stat(metadataPath)).isFile()) throw new Error('not a file');
  } catch (err) {
    throw new SluiceError(
      'RESTORE_NOT_FOUND',
      `Cannot restore from ${userPath}: no ${METADATA_FILE} in ${dir} (an incomplete or deleted checkpoint?)`,
      { cause: err },
    );
  }
  return { dir, metadataPath };
}

export interface CompletedCheckpointLocation {
  checkpointId: number;
  dir: string;
  metadataPath: string;
}

/** Every complete checkpoint (`chk-N/_metadata` exists) under a job's directory, oldest first. */
export async function listCompletedCheckpoints(
  jobDir: string,
  fs: CheckpointFs = defaultFs(),
): Promise<CompletedCheckpointLocation[]> {
  let names: string[];
  try {
    names = await fs.readdir(jobDir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
    throw err;
  }
  const found: CompletedCheckpointLocation[] = [];
  for (const name of names) {
    const checkpointId = parseCheckpointDirName(name);
    if (checkpointId === undefined) continue;
    const dir = path.join(jobDir, name);
    const metadataPath = path.join(dir, METADATA_FILE);
    try {
      if ((await fs.stat(metadataPath)).isFile()) found.push({ checkpointId, dir, metadataPath });
    } catch {
      /* no _metadata: in progress, aborted or half-deleted — not a checkpoint */
    }
  }
  return found.sort((a, b) => a.checkpointId - b.checkpointId);
}

/** The newest complete checkpoint under a job's directory, as Flink's `find_latest_completed_checkpoint`. */
export async function findLatestCompletedCheckpoint(
  jobDir: string,
  fs: CheckpointFs = defaultFs(),
): Promise<CompletedCheckpointLocation | undefined> {
  const all = await listCompletedCheckpoints(jobDir, fs);
  return all[all.length - 1];
}
