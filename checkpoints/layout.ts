/**
 * Flink's checkpoint directory layout, names and path resolution.
 *
 *   <checkpoints dir>/<jobId>/shared/          state referenced by several checkpoints (reserved)
 *   <checkpoints dir>/<jobId>/taskowned/       state owned by tasks, never deleted by the job manager
 *   <checkpoints dir>/<jobId>/chk-<N>/_metadata (+ this checkpoint's exclusive state files)
 *   <savepoint dir>/savepoint-<first 6 hex of jobId>-<12 hex random>/_metadata (+ state files)
 *
 * Every location may be a local path (or `file:` URI) or an `s3://bucket/prefix` location (see store.ts).
 *
 * Invariants: a checkpoint is complete iff its `_metadata` exists (it is written last); checkpoint ids are
 * positive integers without leading zeros (Flink's `chk-[1-9]*`); randomness comes from runtime/platform.
 */
import * as path from 'node:path';
import { SluiceError } from '../runtime/errors/index.js';
import { platform } from '../runtime/platform/index.js';
import { stripFileScheme } from './store-local.js';
import { s3Join, s3Resolve } from './store-s3.js';
import { isS3Location, storeFor, type SnapshotStore } from './store.js';

export { stripFileScheme } from './store-local.js';

export const METADATA_FILE = '_metadata';
export const SHARED_DIR = 'shared';
export const TASKOWNED_DIR = 'taskowned';
export const CHECKPOINT_DIR_PREFIX = 'chk-';
export const SAVEPOINT_DIR_PREFIX = 'savepoint-';
export const STATE_FILE_SUFFIX = '.state';

const CHK_NAME = /^chk-([1-9][0-9]*)$/;

/** The normal form of a location: an absolute local path, or `s3://bucket/key`. */
export function resolveLocation(location: string): string {
  return isS3Location(location) ? s3Resolve(location) : path.resolve(stripFileScheme(location));
}

/** `dir` joined with relative names, for either kind of location. */
export function joinLocation(dir: string, ...names: string[]): string {
  return isS3Location(dir) ? s3Join(dir, ...names) : path.join(dir, ...names);
}

export function jobCheckpointDir(checkpointsDir: string, jobId: string): string {
  return joinLocation(checkpointsDir, jobId);
}

export function checkpointDirName(checkpointId: number): string {
  if (!Number.isSafeInteger(checkpointId) || checkpointId < 1) {
    throw new SluiceError('CHECKPOINT_STORAGE', `checkpoint id must be a positive integer, got ${checkpointId}`);
  }
  return `${CHECKPOINT_DIR_PREFIX}${checkpointId}`;
}

export function checkpointDir(checkpointsDir: string, jobId: string, checkpointId: number): string {
  return joinLocation(checkpointsDir, jobId, checkpointDirName(checkpointId));
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

/** A fresh savepoint directory under `targetDirectory` (a path, a `file:` URI or an `s3://` location). */
export function savepointDir(targetDirectory: string, jobId: string, randomHex?: (chars: number) => string): string {
  const base = isS3Location(targetDirectory) ? targetDirectory : stripFileScheme(targetDirectory);
  return joinLocation(base, savepointDirName(jobId, randomHex));
}

/**
 * A unique, file-system-safe state file name for one subtask's share of one operator's state:
 * `<uid with unsafe chars replaced>-<subtask>-<kind>-<8 hex random>.state`.
 */
export function stateFileName(operatorUid: string, subtaskIndex: number, kind: string): string {
  const safe = operatorUid.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 48) || 'op';
  return `${safe}-${subtaskIndex}-${kind}-${platform.random.hex(8)}${STATE_FILE_SUFFIX}`;
}

/** Flink's external-path form of a directory, as REST shows it: `file:/abs/path` or `s3://bucket/key`. */
export function toExternalPath(dir: string): string {
  return isS3Location(dir) ? s3Resolve(dir) : `file:${path.resolve(dir)}`;
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
  store: SnapshotStore = storeFor(userPath),
): Promise<ResolvedSnapshotPath> {
  let p: string;
  let info: Awaited<ReturnType<SnapshotStore['stat']>>;
  try {
    p = store.resolve(userPath);
    info = await store.stat(p);
  } catch (err) {
    throw new SluiceError('RESTORE_NOT_FOUND', `Cannot restore from ${userPath}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!info) throw new SluiceError('RESTORE_NOT_FOUND', `Cannot restore from ${userPath}: the path does not exist`);
  const dir = info.isDirectory ? p : store.parent(p);
  const metadataPath = store.join(dir, METADATA_FILE);
  if (!info.isDirectory && store.basename(p) !== METADATA_FILE) {
    throw new SluiceError(
      'RESTORE_NOT_FOUND',
      `Cannot restore from ${userPath}: expected a checkpoint/savepoint directory or its ${METADATA_FILE} file`,
    );
  }
  const meta = await store.stat(metadataPath).catch((err: unknown) => {
    throw new SluiceError('RESTORE_NOT_FOUND', `Cannot restore from ${userPath}: ${(err as Error).message}`, {
      cause: err,
    });
  });
  if (!meta || meta.isDirectory) {
    throw new SluiceError(
      'RESTORE_NOT_FOUND',
      `Cannot restore from ${userPath}: no ${METADATA_FILE} in ${dir} (an incomplete or deleted checkpoint?)`,
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
  store: SnapshotStore = storeFor(jobDir),
): Promise<CompletedCheckpointLocation[]> {
  const names = await store.list(jobDir);
  const found: CompletedCheckpointLocation[] = [];
  for (const name of names) {
    const checkpointId = parseCheckpointDirName(name);
    if (checkpointId === undefined) continue;
    const dir = store.join(jobDir, name);
    const metadataPath = store.join(dir, METADATA_FILE);
    // no _metadata: in progress, aborted or half-deleted — not a checkpoint
    const meta = await store.stat(metadataPath);
    if (meta && !meta.isDirectory) found.push({ checkpointId, dir, metadataPath });
  }
  return found.sort((a, b) => a.checkpointId - b.checkpointId);
}

/** The newest complete checkpoint under a job's directory, as Flink's `find_latest_completed_checkpoint`. */
export async function findLatestCompletedCheckpoint(
  jobDir: string,
  store: SnapshotStore = storeFor(jobDir),
): Promise<CompletedCheckpointLocation | undefined> {
  const all = await listCompletedCheckpoints(jobDir, store);
  return all[all.length - 1];
}
