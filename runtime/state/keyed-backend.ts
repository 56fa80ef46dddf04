/**
 * The keyed state backend as the runtime sees it (operator chain, timer services), whichever backend
 * holds the state — `hashmap` (the heap, default) or `rocksdb` (embedded RocksDB) — and the factory that
 * opens one per keyed operator subtask from the job's `state.backend.*` settings.
 *
 * Invariant: both backends snapshot to and restore from the canonical KeyedStateSnapshot, so
 * checkpoints and savepoints move between them freely.
 */
import path from 'node:path';
import type { KeyGroupRange, KeyedStateBackend } from '../api/operator.js';
import type { StateBackendSpec } from '../config/job-settings.js';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import {
  createKeyedStateBackend,
  type KeyedSnapshotVersion,
  type TimerSnapshotParticipant,
} from './heap-keyed-state-backend.js';
import type { CanonicalKey } from './key-codec.js';
import { RocksDbKeyedStateBackend, type FreezeContext } from './rocksdb-keyed-state-backend.js';
import type { KeyedStateSnapshot } from './snapshot-types.js';

export interface RuntimeKeyedStateBackend<K = unknown> extends KeyedStateBackend<K> {
  readonly currentKey: unknown;
  requireKey(): CanonicalKey;
  setCurrentKeyAndGroup(key: unknown, keyGroup: number, canon: CanonicalKey): void;
  attachTimers(participant: TimerSnapshotParticipant): void;
  snapshot(): KeyedStateSnapshot;
  /**
   * The synchronous part of a snapshot; key groups are built later from the returned version. `ctx` names
   * the checkpoint it is for (an incremental backend then may take a delta); without it the snapshot is full.
   */
  freezeSnapshot(ctx?: FreezeContext): KeyedSnapshotVersion;
  /** Checkpoint completion and abortion, for backends that track changes between checkpoints. */
  notifyCheckpointComplete?(checkpointId: number): void;
  notifyCheckpointAborted?(checkpointId: number): void;
  restore(snapshots: KeyedStateSnapshot[] | KeyedStateSnapshot): void;
  numKeys(): number;
  stateNames(): string[];
  /** Releases native resources and local files (RocksDB); absent for the heap backend. */
  dispose?(): Promise<void>;
}

export const DEFAULT_STATE_BACKEND: StateBackendSpec = { type: 'hashmap' };

export interface OpenKeyedBackendOptions {
  maxParallelism: number;
  keyGroupRange: KeyGroupRange;
  operatorUid: string;
  /** Unique per subtask attempt (job, vertex, subtask, attempt): names the RocksDB directory. */
  scope: string;
}

export type { StateBackendSpec };

export async function openKeyedStateBackend(
  spec: StateBackendSpec,
  o: OpenKeyedBackendOptions,
): Promise<RuntimeKeyedStateBackend> {
  if (spec.type === 'hashmap') return createKeyedStateBackend(o);
  const root = path.resolve(spec.rocksdbLocalDir);
  const dir = path.join(root, `${safe(o.scope)}_op_${safe(o.operatorUid)}_${platform.random.id32().slice(0, 8)}`);
  try {
    await platform.files.async.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new SluiceError(
      'STATE_BACKEND_IO',
      `RocksDB local directory ${dir} cannot be created (state.backend.rocksdb.localdir = ${root}): ${(err as Error).message}`,
    );
  }
  return RocksDbKeyedStateBackend.open({
    maxParallelism: o.maxParallelism,
    keyGroupRange: o.keyGroupRange,
    operatorUid: o.operatorUid,
    directory: dir,
    blockCacheBytes: spec.rocksdbBlockCacheBytes,
    writeBufferBytes: spec.rocksdbWriteBufferBytes,
    incremental: spec.incremental === true,
  });
}

function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
}
