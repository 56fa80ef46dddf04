/**
 * The storage side of incremental checkpoints for one CheckpointStorage: writes a subtask's keyed segment
 * into the job's `shared/` directory and builds its handle (the chain of the base checkpoint plus the new
 * segment), counts references to shared segments (SharedStateRegistry) over completed and claimed
 * checkpoints, deletes a discarded checkpoint's segments once nothing references them, and removes the
 * segments of an aborted checkpoint.
 *
 * Invariants: a segment is deleted only when no registered checkpoint references it; the registry is
 * bootstrapped from a job directory's completed checkpoints before anything of that job is discarded, so a
 * job manager restart loses no reference; a claimed snapshot (CLAIM restore) counts as the oldest retained
 * checkpoint of the job; a snapshot not claimed (NO_CLAIM) is never registered, so never deleted.
 */
import { SluiceError } from '../runtime/errors/index.js';
import {
  segmentChainOf,
  segmentFileName,
  sharedFilesOf,
  SHARED_RELATIVE_PREFIX,
  type IncrementalKeyedSnapshot,
} from './keyed-segments.js';
import { METADATA_FILE, SHARED_DIR, listCompletedCheckpoints, type CompletedCheckpointLocation } from './layout.js';
import { handlePath, readManifest, type CheckpointManifest, type KeyedStateHandle } from './manifest.js';
import type { RestoredSnapshot } from './restored-snapshot.js';
import { SharedStateRegistry } from './shared-state-registry.js';
import { writeStateFile } from './state-file.js';
import type { SnapshotStore } from './store.js';

export interface SharedSegmentsContext {
  storeOf(location: string): SnapshotStore;
  jobDir(jobId: string): string;
  checkpointLocation(jobId: string, checkpointId: number): string;
}

export class SharedSegments {
  readonly registry = new SharedStateRegistry();
  private readonly bootstrapped = new Set<string>();
  /** Manifests of recently completed checkpoints by directory (the base of the next deltas). */
  private readonly manifests = new Map<string, CheckpointManifest>();
  /** Segment files of checkpoints written but not completed, by `jobId#checkpointId`. */
  private readonly pending = new Map<string, string[]>();
  /** Claimed restored snapshots per job, oldest first. */
  private readonly claimedByJob = new Map<string, CompletedCheckpointLocation[]>();

  constructor(private readonly c: SharedSegmentsContext) {}

  /** Writes one subtask's segment; returns its keyed handle (with the base chain for a delta). */
  async write(
    jobId: string,
    checkpointId: number,
    operatorUid: string,
    subtaskIndex: number,
    keyed: IncrementalKeyedSnapshot,
    /** A savepoint's directory: refused, a savepoint holds full state only. */
    savepointLocation?: string,
  ): Promise<KeyedStateHandle> {
    if (savepointLocation !== undefined) {
      throw new SluiceError(
        'CHECKPOINT_STORAGE',
        `${keyedLabel(operatorUid, subtaskIndex, checkpointId)} is a delta, but a savepoint must hold full state`,
      );
    }
    const range = { start: keyed.keyGroupRange.start, end: keyed.keyGroupRange.end };
    const bases =
      keyed.increment.kind === 'delta'
        ? segmentChainOf(
            await this.manifestOf(jobId, keyed.increment.baseCheckpointId, checkpointId, operatorUid, subtaskIndex),
            operatorUid,
            subtaskIndex,
            range,
          )
        : [];
    const jobDir = this.c.jobDir(jobId);
    const store = this.c.storeOf(jobDir);
    const name = segmentFileName(checkpointId, operatorUid, subtaskIndex);
    const location = store.join(jobDir, SHARED_DIR, name);
    const key = `${jobId}#${checkpointId}`;
    this.pending.set(key, [...(this.pending.get(key) ?? []), location]);
    const digest = await writeStateFile(location, keyed, store);
    const handle: KeyedStateHandle = { file: `${SHARED_RELATIVE_PREFIX}${name}`, ...digest, keyGroupRange: range };
    if (bases.length > 0) handle.baseSegments = bases;
    return handle;
  }

  /** A checkpoint of the job's own directory completed: its shared files are referenced from now on. */
  async completed(jobId: string, dir: string, manifest: CheckpointManifest): Promise<void> {
    this.pending.delete(`${jobId}#${manifest.checkpointId}`);
    await this.bootstrap(jobId);
    this.registry.register(dir, this.sharedLocations(dir, manifest));
    this.manifests.set(dir, manifest);
    // only the newest few can be the base of a delta
    while (this.manifests.size > 4) this.manifests.delete(this.manifests.keys().next().value!);
  }

  /**
   * CLAIM restore (`execution.state-recovery.claim-mode: CLAIM`): the job owns a snapshot it restored from;
   * retention deletes it like the job's oldest checkpoint, with the segments nothing else references.
   * NO_CLAIM never calls this, so a restored snapshot is never deleted. A no-op for the job's own checkpoints.
   */
  claim(jobId: string, snapshot: RestoredSnapshot): void {
    const own = this.c.jobDir(jobId);
    if (snapshot.dir === own || snapshot.dir.startsWith(this.c.storeOf(own).join(own, ''))) return;
    if (this.registry.isRegistered(snapshot.dir)) return;
    const { checkpointId, dir, metadataPath, manifest } = snapshot;
    this.registry.register(dir, this.sharedLocations(dir, manifest));
    this.claimedByJob.set(jobId, [...(this.claimedByJob.get(jobId) ?? []), { checkpointId, dir, metadataPath }]);
  }

  claimed(jobId: string): CompletedCheckpointLocation[] {
    return [...(this.claimedByJob.get(jobId) ?? [])];
  }

  /** Reads the job's completed checkpoints into the registry once (a restarted job manager's view). */
  async bootstrap(jobId: string): Promise<void> {
    const jobDir = this.c.jobDir(jobId);
    if (this.bootstrapped.has(jobDir)) return;
    const store = this.c.storeOf(jobDir);
    for (const c of await listCompletedCheckpoints(jobDir, store)) {
      if (this.registry.isRegistered(c.dir)) continue;
      // an unreadable manifest cannot be restored either; its segments are not kept for it
      const m = await readManifest(c.metadataPath, store).catch(() => undefined);
      if (m) this.registry.register(c.dir, this.sharedLocations(c.dir, m));
    }
    this.bootstrapped.add(jobDir);
  }

  /**
   * A checkpoint directory was discarded: drops its references and deletes the segments nothing else
   * references. Returns cleanup problems (best effort, as for the directory itself).
   */
  async released(jobId: string, dir: string): Promise<string[]> {
    this.manifests.delete(dir);
    const claimed = this.claimedByJob.get(jobId);
    if (claimed)
      this.claimedByJob.set(
        jobId,
        claimed.filter((c) => c.dir !== dir),
      );
    const warnings: string[] = [];
    for (const f of this.registry.unregister(dir)) {
      await this.c
        .storeOf(f)
        .delete(f)
        .catch((err: unknown) => warnings.push(`could not delete shared segment ${f}: ${(err as Error).message}`));
    }
    return warnings;
  }

  /** Deletes the segments written for a checkpoint that will not complete. */
  async aborted(jobId: string, checkpointId: number): Promise<void> {
    const key = `${jobId}#${checkpointId}`;
    const files = this.pending.get(key) ?? [];
    this.pending.delete(key);
    for (const f of files)
      await this.c
        .storeOf(f)
        .delete(f)
        .catch(() => undefined);
  }

  private sharedLocations(dir: string, m: CheckpointManifest): string[] {
    return sharedFilesOf(m).map((file) => handlePath(dir, { file, sha256: '', sizeBytes: 0 }));
  }

  private async manifestOf(
    jobId: string,
    baseId: number | undefined,
    checkpointId: number,
    uid: string,
    subtaskIndex: number,
  ): Promise<CheckpointManifest> {
    if (baseId === undefined || !Number.isSafeInteger(baseId))
      throw new SluiceError(
        'CHECKPOINT_STORAGE',
        `A delta of ${keyedLabel(uid, subtaskIndex, checkpointId)} names no base checkpoint`,
      );
    const dir = this.c.checkpointLocation(jobId, baseId);
    const cached = this.manifests.get(dir);
    if (cached) return cached;
    const store = this.c.storeOf(dir);
    const metadataPath = store.join(dir, METADATA_FILE);
    if (!(await store.exists(metadataPath))) {
      throw new SluiceError(
        'CHECKPOINT_STORAGE',
        `A delta of ${keyedLabel(uid, subtaskIndex, checkpointId)} builds on checkpoint ${baseId}, which is no longer retained (${dir}); the next checkpoint will be full`,
      );
    }
    const m = await readManifest(metadataPath, store);
    this.manifests.set(dir, m);
    return m;
  }
}

function keyedLabel(uid: string, subtaskIndex: number, checkpointId: number): string {
  return `the keyed state of ${uid}#${subtaskIndex} in checkpoint ${checkpointId}`;
}
