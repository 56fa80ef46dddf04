/**
 * Incremental checkpoints in CheckpointStorage: segments written to `shared/`, chains in the manifest,
 * reference counts (retention of chk-1..N deletes no segment a retained checkpoint still references and
 * deletes those nothing references, also after a job manager restart), aborted segments removed, CLAIM and
 * NO_CLAIM restores, the same on S3, and a rescaled restore from a delta chain through the RocksDB backend.
 */
import t, { type Test } from 'tap';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { createManifest, type OperatorManifestEntry } from '../../../checkpoints/manifest.js';
import { assignRestoreState } from '../../../checkpoints/restore-assignment.js';
import { SharedStateRegistry } from '../../../checkpoints/shared-state-registry.js';
import { CheckpointStorage } from '../../../checkpoints/storage.js';
import { S3Store } from '../../../checkpoints/store-s3.js';
import { ValueStateDescriptor } from '../../../runtime/api/state.js';
import { computeKeyGroupRangeForOperatorIndex } from '../../../runtime/keygroups/index.js';
import { platform } from '../../../runtime/platform/index.js';
import {
  materializeKeyedSnapshot,
  RocksDbKeyedStateBackend,
  type KeyedStateSnapshot,
} from '../../../runtime/state/index.js';
import { startS3Server } from '../../../bench/stand-ins/s3-server.js';
import { tempDir } from './helpers.js';

const JOB = 'aaaabbbbccccddddeeeeffff00001111';
const JOB_B = '11110000ffffeeeeddddccccbbbbaaaa';
const RANGES = [
  { start: 0, end: 63 },
  { start: 64, end: 127 },
];

/** A segment of subtask `i`: `count` of key `k<i>` is `v`; a delta names its base. */
function segment(i: number, v: number, base?: number): KeyedStateSnapshot {
  const kg = RANGES[i]!.start;
  return {
    version: 1,
    maxParallelism: 128,
    keyGroupRange: RANGES[i]!,
    keyGroups: { [kg]: { states: { count: { kind: 'value', entries: [[`k${i}`, '', v]] } } } },
    increment: base === undefined ? { kind: 'full' } : { kind: 'delta', baseCheckpointId: base },
  };
}

async function checkpoint(s: CheckpointStorage, job: string, id: number, base?: number) {
  const op: OperatorManifestEntry = { uid: 'counts', parallelism: 2, maxParallelism: 128, subtasks: [] };
  for (const i of [0, 1]) {
    const keyed = segment(i, id, base);
    op.subtasks.push(await s.writeSubtaskState(job, id, 'counts', i, { keyed, keyGroupRange: RANGES[i]! }));
  }
  return s.finalize(
    createManifest({ checkpointId: id, jobId: job, timestampMs: 1000 + id, kind: 'CHECKPOINT', operators: [op] }),
  );
}

/** Segment names in shared/, by the checkpoint that wrote them (`chk-<id>-…`). */
async function sharedIds(list: () => Promise<string[]>): Promise<number[]> {
  const ids = (await list()).map((n) => Number(/^chk-(\d+)-/.exec(n)![1]));
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** `count` of subtask i's key in a restored keyed state, which must be a plain (folded) snapshot. */
function restoredValue(state: unknown, i: number): unknown {
  const s = state as KeyedStateSnapshot;
  if (s.increment !== undefined) return `unfolded ${s.increment.kind} segment`;
  return s.keyGroups[RANGES[i]!.start]?.states.count?.entries[0]?.[2];
}

t.test('registry reference counts', async (t) => {
  const r = new SharedStateRegistry();
  r.register('chk-1', ['a']);
  r.register('chk-2', ['a', 'b']);
  r.register('chk-2', ['a', 'b']); // idempotent
  r.register('chk-3', ['a', 'b', 'c', 'c']);
  t.same([r.refCount('a'), r.refCount('b'), r.refCount('c')], [3, 2, 1]);
  t.same(r.unregister('chk-1'), [], 'a still referenced by 2 and 3');
  t.same(r.unregister('chk-2'), [], 'a and b still referenced by 3');
  t.same(r.unregister('chk-3').sort(), ['a', 'b', 'c']);
  t.same(r.unregister('chk-3'), [], 'unknown checkpoint: nothing');
});

t.test('local: chains, retention by reference, restart, abort', async (t) => {
  const root = await tempDir(t);
  const s = new CheckpointStorage({ checkpointsDir: root, numRetained: 2 });
  const jobDir = await s.initializeJob(JOB);
  const shared = () => fsp.readdir(path.join(jobDir, 'shared'));

  await checkpoint(s, JOB, 1);
  await checkpoint(s, JOB, 2, 1);
  const c3 = await checkpoint(s, JOB, 3, 2);
  t.same(c3.subsumed, [1]);
  t.same(await sharedIds(shared), [1, 2, 3], "chk-1's segments stay: chk-2 and chk-3 build on them");
  const m3 = JSON.parse(await fsp.readFile(c3.metadataPath, 'utf8'));
  t.same(
    m3.operators[0].subtasks[0].keyed.baseSegments.map((h: { file: string }) => h.file.split('/')[2]!.slice(0, 6)),
    ['chk-1-', 'chk-2-'],
    'the handle lists the chain, oldest first',
  );
  const r3 = await s.loadForRestore(c3.dir);
  t.same(
    [0, 1].map((i) => restoredValue(r3.operators[0]!.subtasks[i]!.keyed!.state, i)),
    [3, 3],
  );

  const c4 = await checkpoint(s, JOB, 4); // a new full segment
  t.same(c4.subsumed, [2]);
  t.same(await sharedIds(shared), [1, 2, 3, 4], 'chk-3 still needs 1 and 2');
  const c5 = await checkpoint(s, JOB, 5, 4);
  t.same(c5.subsumed, [3]);
  t.same(await sharedIds(shared), [4, 5], 'nothing references 1..3 any more: deleted');

  // a restarted job manager: a new storage bootstraps the counts from the retained manifests
  const s2 = new CheckpointStorage({ checkpointsDir: root, numRetained: 2 });
  const c6 = await checkpoint(s2, JOB, 6, 5);
  t.same(c6.subsumed, [4]);
  t.same(await sharedIds(shared), [4, 5, 6], 'chk-4 is gone, its segments are still referenced by 5 and 6');
  const r6 = await s2.loadForRestore(c6.dir);
  t.same(
    [0, 1].map((i) => restoredValue(r6.operators[0]!.subtasks[i]!.keyed!.state, i)),
    [6, 6],
  );

  // an aborted checkpoint leaves no segment behind
  await s2.writeSubtaskState(JOB, 7, 'counts', 0, { keyed: segment(0, 7, 6), keyGroupRange: RANGES[0]! });
  t.same(await sharedIds(shared), [4, 5, 6, 7]);
  t.equal(await s2.abort(JOB, 7), true);
  t.same(await sharedIds(shared), [4, 5, 6]);

  // a delta on a checkpoint no longer retained is refused (the task then takes a full one)
  await t.rejects(s2.writeSubtaskState(JOB, 8, 'counts', 0, { keyed: segment(0, 8, 4), keyGroupRange: RANGES[0]! }), {
    code: 'CHECKPOINT_STORAGE',
    message: /builds on checkpoint 4, which is no longer retained/,
  });
  // a savepoint never holds a delta
  await t.rejects(
    s2.writeSubtaskState(
      JOB,
      9,
      'counts',
      0,
      { keyed: segment(0, 9, 6), keyGroupRange: RANGES[0]! },
      {
        location: path.join(root, 'sp'),
      },
    ),
    { code: 'CHECKPOINT_STORAGE', message: /a savepoint must hold full state/ },
  );
});

t.test('claim modes', async (t) => {
  for (const mode of ['CLAIM', 'NO_CLAIM'] as const) {
    t.test(mode, async (t) => {
      const root = await tempDir(t);
      const a = new CheckpointStorage({ checkpointsDir: root, numRetained: 1 });
      const aDir = await a.initializeJob(JOB);
      await checkpoint(a, JOB, 1);
      const c2 = await checkpoint(a, JOB, 2, 1);
      const aShared = () => fsp.readdir(path.join(aDir, 'shared'));
      t.same(await sharedIds(aShared), [1, 2]);

      // job B restores job A's chk-2
      const b = new CheckpointStorage({ checkpointsDir: root, numRetained: 1 });
      await b.initializeJob(JOB_B);
      const snap = await b.loadForRestore(c2.externalPath.replace(/^file:/, ''));
      if (mode === 'CLAIM') b.segments.claim(JOB_B, snap);
      const b3 = await checkpoint(b, JOB_B, 3); // first checkpoint after a restore: full
      const b4 = await checkpoint(b, JOB_B, 4, 3);
      const gone = await fsp.stat(c2.metadataPath).then(
        () => false,
        () => true,
      );
      if (mode === 'CLAIM') {
        t.same(b3.subsumed, [2], "the claimed checkpoint is the job's oldest: subsumed by chk-3");
        t.ok(gone, 'claimed chk-2 deleted');
        t.same(await sharedIds(aShared), [], 'and its segments, which nothing else references');
      } else {
        t.same([b3.subsumed, b4.subsumed], [[], [3]]);
        t.notOk(gone, 'NO_CLAIM: the restored checkpoint stays');
        t.same(await sharedIds(aShared), [1, 2], 'with every segment');
      }
      const rb = await b.loadForRestore(b4.dir);
      t.equal(restoredValue(rb.operators[0]!.subtasks[1]!.keyed!.state, 1), 4);
    });
  }
});

t.test('S3: the same chains and reference counts', async (t) => {
  const server = await startS3Server(['sluice-incr']);
  t.teardown(() => server.close());
  const s3 = platform.s3.client(server.settings);
  const store = new S3Store(s3);
  const s = new CheckpointStorage({ checkpointsDir: 's3://sluice-incr/ckpt', numRetained: 1, s3 });
  const jobDir = await s.initializeJob(JOB);
  const shared = () => store.list(store.join(jobDir, 'shared'));
  await checkpoint(s, JOB, 1);
  await checkpoint(s, JOB, 2, 1);
  const c3 = await checkpoint(s, JOB, 3, 2);
  t.same(await sharedIds(shared), [1, 2, 3], 'retained chk-3 references every segment');
  t.same(await store.list(jobDir).then((l) => l.filter((n) => n.startsWith('chk-'))), ['chk-3']);
  const r = await s.loadForRestore(c3.externalPath);
  t.same(
    [0, 1].map((i) => restoredValue(r.operators[0]!.subtasks[i]!.keyed!.state, i)),
    [3, 3],
  );
  await checkpoint(s, JOB, 4);
  t.same(await sharedIds(shared), [4], 'a full chk-4 frees the old chain');
});

async function rocks(t: Test, dir: string, range: { start: number; end: number }, name: string) {
  const b = await RocksDbKeyedStateBackend.open<string>({
    maxParallelism: 128,
    keyGroupRange: range,
    operatorUid: 'counts',
    directory: path.join(dir, name),
    blockCacheBytes: 1 << 20,
    writeBufferBytes: 4 << 20,
    incremental: true,
  });
  t.teardown(() => b.dispose());
  return b;
}

t.test('rescale: a delta chain of one subtask restores into two by key-group range', async (t) => {
  const root = await tempDir(t);
  const s = new CheckpointStorage({ checkpointsDir: root, numRetained: 1 });
  await s.initializeJob(JOB);
  const all = { start: 0, end: 127 };
  const b = await rocks(t, root, all, 'p1');
  const d = new ValueStateDescriptor<number>('count', 0);
  const keys = Array.from({ length: 300 }, (_, i) => `key-${i}`);
  const write = async (id: number, pick: (i: number) => boolean, value: (i: number) => number) => {
    keys.forEach((k, i) => {
      if (!pick(i)) return;
      b.setCurrentKey(k);
      b.getState(d).update(value(i));
    });
    const keyed = materializeKeyedSnapshot(b.freezeSnapshot({ checkpointId: id, isSavepoint: false }));
    const op: OperatorManifestEntry = { uid: 'counts', parallelism: 1, maxParallelism: 128, subtasks: [] };
    op.subtasks.push(await s.writeSubtaskState(JOB, id, 'counts', 0, { keyed, keyGroupRange: all }));
    const done = await s.finalize(
      createManifest({ checkpointId: id, jobId: JOB, timestampMs: id, kind: 'CHECKPOINT', operators: [op] }),
    );
    b.notifyCheckpointComplete(id);
    return { done, kind: (keyed as KeyedStateSnapshot).increment?.kind };
  };
  t.equal(
    (
      await write(
        1,
        () => true,
        (i) => i,
      )
    ).kind,
    'full',
  );
  t.equal(
    (
      await write(
        2,
        (i) => i % 20 === 0,
        (i) => i * 10,
      )
    ).kind,
    'delta',
  );
  const last = await write(
    3,
    (i) => i % 20 === 1,
    (i) => -i,
  );
  t.equal(last.kind, 'delta');

  const snap = await s.loadForRestore(last.done.dir);
  const a = assignRestoreState(snap, [{ uid: 'counts', parallelism: 2, maxParallelism: 128 }], {
    allowNonRestoredState: false,
  });
  const got = new Map<string, number>();
  for (const sub of a.operators.get('counts')!.subtasks) {
    const range = computeKeyGroupRangeForOperatorIndex(128, 2, sub.subtaskIndex);
    const r = await rocks(t, root, range, `p2-${sub.subtaskIndex}`);
    r.restore(sub.keyed as KeyedStateSnapshot[]);
    for (const k of r.getKeys('count', '')) {
      r.setCurrentKey(k);
      got.set(k, r.getState(d).value() as number);
    }
  }
  const expected = new Map(keys.map((k, i) => [k, i % 20 === 0 ? i * 10 : i % 20 === 1 ? -i : i]));
  t.same([...got.entries()].sort(), [...expected.entries()].sort(), 'every key once, with its latest value');
});
