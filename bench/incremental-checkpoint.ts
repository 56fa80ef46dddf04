/**
 * `--incremental [--keys N]`: an incremental RocksDB checkpoint against a full one, in process. One RocksDB
 * keyed backend holds N keys (default 10⁶) of value state; after a first (warm-up) checkpoint, a full
 * checkpoint of the whole state and then a delta after 5 % of the keys changed are each taken the way a
 * task and the job manager do (freeze at the barrier, build the key groups, write the state file through
 * CheckpointStorage, finalize the manifest) into a local checkpoint directory. Size is the bytes the
 * checkpoint wrote (the new segment for the delta); duration is freeze → finalized.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createManifest, type OperatorManifestEntry } from '../checkpoints/manifest.js';
import { CheckpointStorage } from '../checkpoints/storage.js';
import { ValueStateDescriptor } from '../runtime/api/state.js';
import { platform } from '../runtime/platform/index.js';
import {
  materializeKeyedSnapshot,
  RocksDbKeyedStateBackend,
  type KeyedSnapshotVersion,
} from '../runtime/state/index.js';
import type { BenchResult } from './harness.js';

const JOB = '0000000000000000000000000000beef';
const RANGE = { start: 0, end: 127 };

export async function incrementalCheckpointRows(keys: number, changedFraction = 0.05): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-bench-incr-'));
  const b = await RocksDbKeyedStateBackend.open<string>({
    maxParallelism: 128,
    keyGroupRange: RANGE,
    operatorUid: 'count',
    directory: path.join(dir, 'db'),
    blockCacheBytes: 8 << 20,
    writeBufferBytes: 64 << 20,
    incremental: true,
  });
  const storage = new CheckpointStorage({ checkpointsDir: path.join(dir, 'ckpt'), numRetained: 10 });
  await storage.initializeJob(JOB);
  const d = new ValueStateDescriptor<number>('count', 0);
  const update = (i: number, v: number) => {
    b.setCurrentKey(`key-${i}`);
    b.getState(d).update(v);
  };
  const checkpoint = async (id: number, freeze: () => KeyedSnapshotVersion) => {
    const start = platform.clock.monotonicMs();
    const keyed = materializeKeyedSnapshot(freeze());
    const op: OperatorManifestEntry = { uid: 'count', parallelism: 1, maxParallelism: 128, subtasks: [] };
    const handles = await storage.writeSubtaskState(JOB, id, 'count', 0, { keyed, keyGroupRange: RANGE });
    op.subtasks.push(handles);
    await storage.finalize(
      createManifest({ checkpointId: id, jobId: JOB, timestampMs: id, kind: 'CHECKPOINT', operators: [op] }),
    );
    b.notifyCheckpointComplete(id);
    return {
      ms: platform.clock.monotonicMs() - start,
      bytes: handles.keyed?.sizeBytes ?? 0,
      kind: keyed.increment?.kind,
    };
  };
  try {
    for (let i = 0; i < keys; i++) update(i, i);
    const warm = await checkpoint(1, () => b.freezeSnapshot({ checkpointId: 1, isSavepoint: false }));
    if (warm.kind !== 'full') throw new Error(`the first checkpoint was ${warm.kind}, expected full`);
    // a full checkpoint of the same state, as without incremental checkpoints (no tracking involved)
    const full = await checkpoint(2, () => b.freezeSnapshot());
    const changed = Math.round(keys * changedFraction);
    const step = Math.floor(keys / changed);
    for (let j = 0; j < changed; j++) update(j * step, -j);
    const delta = await checkpoint(3, () => b.freezeSnapshot({ checkpointId: 3, isSavepoint: false }));
    if (delta.kind !== 'delta')
      throw new Error(`the checkpoint after ${changed} changes was ${delta.kind}, expected delta`);
    const mb = (n: number) => n / (1 << 20);
    const keysLabel = `${keys.toLocaleString('en')} keys`;
    const label = `${keysLabel}, ${Math.round(changedFraction * 100)} % changed`;
    return [
      {
        name: `full RocksDB checkpoint (${keysLabel})`,
        value: mb(full.bytes),
        unit: 'MiB',
        note: `${Math.round(full.ms)} ms`,
      },
      {
        name: `incremental RocksDB checkpoint (${label})`,
        value: mb(delta.bytes),
        unit: 'MiB',
        note: `${Math.round(delta.ms)} ms`,
      },
      {
        name: `incremental / full checkpoint size (${label})`,
        value: (100 * delta.bytes) / full.bytes,
        unit: '%',
        target: { op: '<=', value: 10 },
      },
      {
        name: `incremental / full checkpoint duration (${label})`,
        value: (100 * delta.ms) / full.ms,
        unit: '%',
        target: { op: '<=', value: 20 },
        note: 'freeze → key groups built → state file written → manifest finalized',
      },
    ];
  } finally {
    await b.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
