/**
 * CheckpointStorage: the checkpoint storage of one cluster (Flink's FsCheckpointStorage), on a local file
 * system or S3 (each location's store is picked by its scheme, see store.ts):
 * writes subtask and master state files into a checkpoint's directory, finalizes it by writing the
 * manifest last, retains the newest `numRetained` completed checkpoints, cleans up aborted ones, applies
 * the externalized-checkpoint retention policy when a job ends, and loads snapshots for restore with
 * full checksum verification (falling back from a corrupt latest checkpoint to an older one, loudly).
 *
 * Invariants: a completed checkpoint (one with `_metadata`) is never touched by abort; savepoints are
 * never deleted; every write failure is CHECKPOINT_STORAGE naming the path and the system error
 * (ENOSPC, EACCES, EROFS, ENOTDIR, …) so the coordinator can decline the checkpoint.
 */
import type { KeyGroupRange } from '../runtime/api/operator.js';
import { SluiceError, isSluiceError } from '../runtime/errors/index.js';
import type { S3Objects } from '../runtime/platform/index.js';
import {
  METADATA_FILE,
  SHARED_DIR,
  TASKOWNED_DIR,
  checkpointDir,
  jobCheckpointDir,
  listCompletedCheckpoints,
  resolveLocation,
  resolveSnapshotPath,
  savepointDir,
  stateFileName,
  toExternalPath,
} from './layout.js';
import {
  handlePath,
  manifestHandles,
  writeManifest,
  type CheckpointManifest,
  type StateHandle,
  type SubtaskStateHandles,
} from './manifest.js';
import { isEmptyStateValue } from './empty-state.js';
import { isIncrementalKeyed } from './keyed-segments.js';
import { loadSnapshot, type RestoredSnapshot } from './restored-snapshot.js';
import { SharedSegments } from './shared-segments.js';
import { writeStateFile } from './state-file.js';
import { guardWrite, storageError, type CheckpointFs } from './storage-fs.js';
import { snapshotStores, type SnapshotStore, type SnapshotStores } from './store.js';

export type ExternalizedCheckpointRetention =
  | 'RETAIN_ON_CANCELLATION'
  | 'DELETE_ON_CANCELLATION'
  | 'NO_EXTERNALIZED_CHECKPOINTS';
export type TerminalJobStatus = 'FINISHED' | 'CANCELED' | 'FAILED' | 'SUSPENDED';

export interface CheckpointStorageOptions {
  /** `execution.checkpointing.dir` as a plain path, a `file:` URI or an `s3://bucket/path` location. */
  checkpointsDir: string;
  /** `execution.checkpointing.num-retained`, default 1. */
  numRetained?: number;
  /** `execution.checkpointing.externalized-checkpoint-retention`, default NO_EXTERNALIZED_CHECKPOINTS (Flink's). */
  retention?: ExternalizedCheckpointRetention;
  /** The local file-system surface (tests inject failures through it). */
  fs?: CheckpointFs;
  /** The S3 client for `s3://` locations (default the process's shared one). */
  s3?: S3Objects;
}

/** What one subtask hands over for one operator (structurally the task layer's OperatorSnapshot). */
export interface SubtaskSnapshot {
  keyed?: unknown;
  keyGroupRange?: KeyGroupRange;
  operator?: unknown;
}

/** Where to write: defaults to `<dir>/<jobId>/chk-N`; savepoints pass their own directory. */
export interface LocationOption {
  location?: string;
}

export interface CompletedSnapshot {
  checkpointId: number;
  kind: CheckpointManifest['kind'];
  dir: string;
  metadataPath: string;
  externalPath: string;
  /** Sum of the referenced state files' sizes. */
  stateSizeBytes: number;
  /** Checkpoint ids deleted because they were subsumed (beyond numRetained). */
  subsumed: number[];
  /** Best-effort cleanup problems (a subsumed checkpoint that could not be fully deleted). */
  cleanupWarnings: string[];
}

export interface RestorableCheckpoint {
  snapshot: RestoredSnapshot;
  /** Set when newer checkpoints were skipped as corrupt: log it loudly. */
  warning?: string;
  skipped: Array<{ checkpointId: number; reason: string }>;
}

/** Which terminal statuses discard checkpoints, per retention policy (Flink's CheckpointProperties). */
const DISCARD_ON: Record<ExternalizedCheckpointRetention, ReadonlySet<TerminalJobStatus>> = {
  NO_EXTERNALIZED_CHECKPOINTS: new Set(['FINISHED', 'CANCELED', 'FAILED', 'SUSPENDED']),
  DELETE_ON_CANCELLATION: new Set(['FINISHED', 'CANCELED']),
  RETAIN_ON_CANCELLATION: new Set(['FINISHED']),
};

export class CheckpointStorage {
  readonly checkpointsDir: string;
  readonly numRetained: number;
  readonly retention: ExternalizedCheckpointRetention;
  private readonly stores: SnapshotStores;
  /** Custom locations (savepoints) written to but not finalized yet, so abort finds them by id. */
  private readonly pendingLocations = new Map<string, string>();
  /** Keyed segments of incremental checkpoints and their reference counts (shared-segments.ts). */
  readonly segments: SharedSegments;

  constructor(o: CheckpointStorageOptions) {
    this.checkpointsDir = resolveLocation(o.checkpointsDir);
    this.numRetained = o.numRetained ?? 1;
    if (!Number.isSafeInteger(this.numRetained) || this.numRetained < 1) {
      throw new SluiceError(
        'CONFIG_INVALID',
        `execution.checkpointing.num-retained must be a positive integer, got ${o.numRetained}`,
      );
    }
    this.retention = o.retention ?? 'NO_EXTERNALIZED_CHECKPOINTS';
    this.stores = snapshotStores({ ...(o.fs ? { fs: o.fs } : {}), ...(o.s3 ? { s3: o.s3 } : {}) });
    this.segments = new SharedSegments({
      storeOf: (l) => this.storeOf(l),
      jobDir: (j) => this.jobDir(j),
      checkpointLocation: (j, c) => this.checkpointLocation(j, c),
    });
  }

  /** The store holding a location (by its scheme). */
  storeOf(location: string): SnapshotStore {
    return this.stores.forLocation(location);
  }

  jobDir(jobId: string): string {
    return jobCheckpointDir(this.checkpointsDir, jobId);
  }

  checkpointLocation(jobId: string, checkpointId: number): string {
    return checkpointDir(this.checkpointsDir, jobId, checkpointId);
  }

  /** A fresh `savepoint-<6hex>-<12hex>` directory path under `targetDirectory` (created on first write). */
  savepointLocation(jobId: string, targetDirectory: string): string {
    return savepointDir(targetDirectory, jobId);
  }

  /** Creates `<dir>/<jobId>/{shared,taskowned}`; CHECKPOINT_STORAGE when the directory is unwritable. */
  async initializeJob(jobId: string): Promise<string> {
    const jobDir = this.jobDir(jobId);
    const store = this.storeOf(jobDir);
    for (const sub of [SHARED_DIR, TASKOWNED_DIR]) {
      const p = store.join(jobDir, sub);
      await guardWrite('Creating checkpoint directory', p, () => store.ensureDir(p));
    }
    return jobDir;
  }

  /**
   * Writes one subtask's keyed and operator state for one operator; returns the handles for the manifest.
   * Empty state (no operator states, no key groups — see isEmptyStateValue) writes no file, so stateless
   * operators leave nothing in the snapshot, as in Flink.
   */
  async writeSubtaskState(
    jobId: string,
    checkpointId: number,
    operatorUid: string,
    subtaskIndex: number,
    snapshot: SubtaskSnapshot,
    options: LocationOption = {},
  ): Promise<SubtaskStateHandles> {
    const dir = await this.ensureLocation(jobId, checkpointId, options);
    const store = this.storeOf(dir);
    const handles: SubtaskStateHandles = { subtaskIndex };
    const k = snapshot.keyed;
    if (isIncrementalKeyed(k) && (options.location === undefined || k.increment.kind === 'delta')) {
      // a segment in shared/, written even when empty (a delta's timers replace the base's)
      handles.keyed = await this.segments.write(jobId, checkpointId, operatorUid, subtaskIndex, k, options.location);
    } else if (snapshot.keyed !== undefined && !isEmptyStateValue(snapshot.keyed)) {
      const r = snapshot.keyGroupRange;
      if (!r)
        throw new SluiceError(
          'CHECKPOINT_STORAGE',
          `Keyed state of ${operatorUid}#${subtaskIndex} in checkpoint ${checkpointId} has no key-group range`,
        );
      const file = stateFileName(operatorUid, subtaskIndex, 'keyed');
      const digest = await writeStateFile(store.join(dir, file), snapshot.keyed, store);
      handles.keyed = { file, ...digest, keyGroupRange: { start: r.start, end: r.end } };
    }
    if (!isEmptyStateValue(snapshot.operator)) {
      const file = stateFileName(operatorUid, subtaskIndex, 'op');
      handles.operator = { file, ...(await writeStateFile(store.join(dir, file), snapshot.operator, store)) };
    }
    return handles;
  }

  /** Writes a master or coordinator state blob (e.g. a source enumerator) into the checkpoint directory. */
  async writeMasterState(
    jobId: string,
    checkpointId: number,
    name: string,
    value: unknown,
    options: LocationOption = {},
  ): Promise<StateHandle> {
    const dir = await this.ensureLocation(jobId, checkpointId, options);
    const file = stateFileName(name, 0, 'master');
    const store = this.storeOf(dir);
    return { file, ...(await writeStateFile(store.join(dir, file), value, store)) };
  }

  /**
   * Completes a checkpoint: checks every referenced file is present with its recorded size, writes
   * `_metadata` last (temp, fsync, rename, fsync dir), then deletes checkpoints beyond `numRetained`.
   */
  async finalize(manifest: CheckpointManifest, options: LocationOption = {}): Promise<CompletedSnapshot> {
    const dir = this.locationOf(manifest.jobId, manifest.checkpointId, manifest.kind, options);
    const store = this.storeOf(dir);
    let stateSizeBytes = 0;
    for (const { label, handle } of manifestHandles(manifest)) {
      const p = handlePath(dir, handle);
      const info = await store.stat(p).catch((err: unknown) => {
        throw storageError(`Finalizing checkpoint ${manifest.checkpointId}: ${label} cannot be checked;`, p, err);
      });
      if (!info)
        throw new SluiceError(
          'CHECKPOINT_STORAGE',
          `Finalizing checkpoint ${manifest.checkpointId}: ${label} is missing; ${p} does not exist`,
        );
      const size = info.sizeBytes;
      if (size !== handle.sizeBytes) {
        throw new SluiceError(
          'CHECKPOINT_STORAGE',
          `Finalizing checkpoint ${manifest.checkpointId}: ${p} has ${size} bytes, its handle says ${handle.sizeBytes}`,
        );
      }
      stateSizeBytes += size;
    }
    await guardWrite('Creating checkpoint directory', dir, () => store.ensureDir(dir));
    const metadataPath = await writeManifest(dir, manifest, store);
    this.pendingLocations.delete(`${manifest.jobId}#${manifest.checkpointId}`);
    const done: CompletedSnapshot = {
      checkpointId: manifest.checkpointId,
      kind: manifest.kind,
      dir,
      metadataPath,
      externalPath: toExternalPath(dir),
      stateSizeBytes,
      subsumed: [],
      cleanupWarnings: [],
    };
    if (manifest.kind === 'CHECKPOINT' && options.location === undefined) {
      await this.segments // a failure only postpones deletions (discardDir bootstraps again)
        .completed(manifest.jobId, dir, manifest)
        .catch((err: unknown) => done.cleanupWarnings.push(`shared segments: ${(err as Error).message}`));
      // a claimed restored snapshot counts as the oldest retained checkpoint (CLAIM restore)
      const all = [
        ...this.segments.claimed(manifest.jobId),
        ...(await listCompletedCheckpoints(this.jobDir(manifest.jobId), store)),
      ];
      for (const old of all.slice(0, Math.max(0, all.length - this.numRetained))) {
        done.cleanupWarnings.push(...(await this.discardDir(manifest.jobId, old.dir)));
        done.subsumed.push(old.checkpointId);
      }
    }
    return done;
  }

  /**
   * Removes the files of a failed or declined checkpoint or savepoint (a savepoint's directory is found by
   * id when this storage wrote to it). Returns false (and deletes nothing) when the snapshot is complete
   * or its directory does not exist.
   */
  async abort(jobId: string, checkpointId: number, options: LocationOption = {}): Promise<boolean> {
    const key = `${jobId}#${checkpointId}`;
    const dir = options.location ?? this.pendingLocations.get(key) ?? this.checkpointLocation(jobId, checkpointId);
    this.pendingLocations.delete(key);
    const store = this.storeOf(dir);
    const complete = await store.exists(store.join(dir, METADATA_FILE)).catch(() => false);
    if (complete) return false;
    await this.segments.aborted(jobId, checkpointId);
    const exists = await store.exists(dir).catch(() => false);
    if (!exists) return false;
    await store.deleteTree(dir);
    return true;
  }

  /** Loads a checkpoint or savepoint for restore from the directory or `_metadata` path a user gave. */
  async loadForRestore(userPath: string): Promise<RestoredSnapshot> {
    const store = this.storeOf(userPath);
    const { dir, metadataPath } = await resolveSnapshotPath(userPath, store);
    return loadSnapshot(dir, metadataPath, store);
  }

  /**
   * The newest completed checkpoint under `jobDir` that verifies. Corrupt newer ones are skipped with a
   * warning naming them; undefined when there is no completed checkpoint at all; CHECKPOINT_CORRUPT when
   * every one is corrupt.
   */
  async findRestorableCheckpoint(jobDir: string): Promise<RestorableCheckpoint | undefined> {
    const store = this.storeOf(jobDir);
    const all = await listCompletedCheckpoints(jobDir, store);
    const skipped: RestorableCheckpoint['skipped'] = [];
    for (const c of [...all].reverse()) {
      try {
        const snapshot = await loadSnapshot(c.dir, c.metadataPath, store);
        const result: RestorableCheckpoint = { snapshot, skipped };
        if (skipped.length > 0) {
          result.warning =
            `Latest checkpoint${skipped.length > 1 ? 's' : ''} ${skipped.map((s) => `chk-${s.checkpointId}`).join(', ')} ` +
            `could not be restored (${skipped.map((s) => s.reason).join('; ')}); falling back to the previous retained checkpoint chk-${c.checkpointId} at ${c.dir}.`;
        }
        return result;
      } catch (err) {
        if (!isSluiceError(err) || err.code !== 'CHECKPOINT_CORRUPT') throw err;
        skipped.push({ checkpointId: c.checkpointId, reason: err.message });
      }
    }
    if (skipped.length > 0) {
      throw new SluiceError(
        'CHECKPOINT_CORRUPT',
        `No restorable checkpoint in ${jobDir}: ${skipped.map((s) => s.reason).join('; ')}`,
      );
    }
    return undefined;
  }

  /**
   * Applies the retention policy when a job reaches a terminal status (Flink's CheckpointProperties):
   * NO_EXTERNALIZED_CHECKPOINTS discards always; DELETE_ON_CANCELLATION on FINISHED/CANCELED;
   * RETAIN_ON_CANCELLATION only on FINISHED. Returns what was deleted and what was kept.
   */
  async onJobTerminated(
    jobId: string,
    status: TerminalJobStatus,
  ): Promise<{ deleted: number[]; retained: number[]; warnings: string[] }> {
    const jobDir = this.jobDir(jobId);
    const store = this.storeOf(jobDir);
    const all = await listCompletedCheckpoints(jobDir, store);
    if (!DISCARD_ON[this.retention].has(status))
      return { deleted: [], retained: all.map((c) => c.checkpointId), warnings: [] };
    const warnings: string[] = [];
    const claimed = this.segments.claimed(jobId);
    for (const c of [...claimed, ...all]) warnings.push(...(await this.discardDir(jobId, c.dir)));
    await store
      .deleteTree(jobDir)
      .catch((err: unknown) => warnings.push(`could not remove ${jobDir}: ${(err as Error).message}`));
    return { deleted: [...claimed, ...all].map((c) => c.checkpointId), retained: [], warnings };
  }

  private locationOf(
    jobId: string,
    checkpointId: number,
    kind: CheckpointManifest['kind'],
    options: LocationOption,
  ): string {
    if (options.location !== undefined) return resolveLocation(options.location);
    if (kind === 'SAVEPOINT')
      throw new SluiceError(
        'SAVEPOINT_NO_TARGET',
        `Savepoint ${checkpointId} of job ${jobId} needs a location (its savepoint directory)`,
      );
    return this.checkpointLocation(jobId, checkpointId);
  }

  private async ensureLocation(jobId: string, checkpointId: number, options: LocationOption): Promise<string> {
    const dir =
      options.location !== undefined ? resolveLocation(options.location) : this.checkpointLocation(jobId, checkpointId);
    if (options.location !== undefined) this.pendingLocations.set(`${jobId}#${checkpointId}`, dir);
    await guardWrite(`Creating directory for checkpoint ${checkpointId} of job ${jobId}:`, dir, () =>
      this.storeOf(dir).ensureDir(dir),
    );
    return dir;
  }

  /**
   * Deletes a checkpoint directory, `_metadata` first so a half-deleted one never looks complete, then the
   * shared segments no retained checkpoint references any more. Returns cleanup problems.
   */
  private async discardDir(jobId: string, dir: string): Promise<string[]> {
    const store = this.storeOf(dir);
    try {
      await this.segments.bootstrap(jobId);
      await store.delete(store.join(dir, METADATA_FILE));
      await store.deleteTree(dir);
    } catch (err) {
      return [`could not delete ${dir}: ${(err as Error).message}`];
    }
    return this.segments.released(jobId, dir);
  }
}
