/**
 * Incremental checkpoints of the RocksDB backend: the change tracker's plans (delta on the last confirmed
 * checkpoint, full after a restore, an abort, a long chain or too many changes), and delta segments read
 * back — a full segment plus deltas folded (checkpoints/keyed-segments.ts) equals a full snapshot of the same
 * state, for value, list and map state, cleared values, removed map entries and cleared maps.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { foldSegments } from '../../../checkpoints/keyed-segments.js';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../runtime/api/state.js';
import { ChangeTracker } from '../../../runtime/state/rocksdb-change-tracker.js';
import {
  materializeKeyedSnapshot,
  RocksDbKeyedStateBackend,
  type KeyedStateSnapshot,
} from '../../../runtime/state/index.js';

const range = { start: 0, end: 127 };

async function open(t: Test, o: { incremental?: boolean; range?: { start: number; end: number } } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-incr-'));
  const b = await RocksDbKeyedStateBackend.open<string>({
    maxParallelism: 128,
    keyGroupRange: o.range ?? range,
    operatorUid: 'op',
    directory: dir,
    blockCacheBytes: 1 << 20,
    writeBufferBytes: 4 << 20,
    incremental: o.incremental ?? true,
  });
  t.teardown(async () => {
    await b.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return b;
}

const counts = new ValueStateDescriptor<number>('count', 0);
const seen = new ListStateDescriptor<string>('seen');
const attrs = new MapStateDescriptor<string, number>('attrs');

function checkpoint(b: RocksDbKeyedStateBackend<string>, id: number): KeyedStateSnapshot {
  return materializeKeyedSnapshot(b.freezeSnapshot({ checkpointId: id, isSavepoint: false }));
}

/** Entry order within a state is not part of a snapshot's meaning (a fold appends new keys last). */
function normalized(s: KeyedStateSnapshot): KeyedStateSnapshot {
  const out = structuredClone(s);
  for (const g of Object.values(out.keyGroups))
    for (const st of Object.values(g.states))
      st.entries.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  return out;
}

function entriesOf(s: KeyedStateSnapshot, name: string): number {
  let n = 0;
  for (const g of Object.values(s.keyGroups)) n += g.states[name]?.entries.length ?? 0;
  return n;
}

t.test('change tracker plans', async (t) => {
  const tr = new ChangeTracker({ maxChainLength: 2, maxChangedFraction: 0.5 });
  const e = (s: string) => Buffer.from(`\u0000\u0001${s}`, 'latin1');
  t.equal(tr.plan(1).kind, 'full', 'nothing confirmed yet: full');
  tr.fullWritten(10);
  tr.touch(e('a'));
  const p2 = tr.plan(2);
  t.equal(p2.kind, 'full', 'checkpoint 1 not confirmed: still no base');
  tr.confirmed(2);
  tr.touch(e('b'));
  const p3 = tr.plan(3);
  t.same([p3.kind, p3.baseCheckpointId, [...p3.changed!]], ['delta', 2, ['\u0000\u0001b']]);
  tr.touch(e('c'));
  const p4 = tr.plan(4); // 3 not confirmed: 4 is a delta on 2 with 3's changes too
  t.same([p4.kind, p4.baseCheckpointId, [...p4.changed!].sort()], ['delta', 2, ['\u0000\u0001b', '\u0000\u0001c']]);
  tr.confirmed(4);
  t.equal(tr.plan(5).chainLength, 2, 'a delta on a delta');
  tr.confirmed(5);
  t.equal(tr.plan(6).kind, 'full', 'chain longer than maxChainLength: full');
  tr.confirmed(6);
  for (const x of ['p', 'q', 'r', 's', 't', 'u']) tr.touch(e(x));
  t.equal(tr.plan(7).kind, 'full', 'more than half of the last full segment changed: full');
  tr.confirmed(7);
  t.equal(tr.plan(8).kind, 'delta');
  tr.aborted(8);
  t.equal(tr.plan(9).kind, 'full', 'after an aborted delta: full');
  tr.confirmed(9);
  t.equal(tr.plan(10).kind, 'delta');
  tr.reset();
  t.equal(tr.plan(11).kind, 'full', 'after a restore: full');
});

t.test('a full segment plus deltas folds to the full snapshot', async (t) => {
  const b = await open(t);
  const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
  for (const k of keys) {
    b.setCurrentKey(k);
    b.getState(counts).update(k.length);
    b.getState(seen).add(k);
    b.getState(attrs).put('len', k.length);
    b.getState(attrs).put('x', 1);
  }
  const c1 = checkpoint(b, 1);
  t.equal(c1.increment?.kind, 'full');
  t.equal(entriesOf(c1, 'count'), 200);
  b.notifyCheckpointComplete(1);

  // checkpoint 2: 10 keys changed, one value cleared, one map entry removed
  for (const k of keys.slice(0, 10)) {
    b.setCurrentKey(k);
    b.getState(counts).update(99);
  }
  b.setCurrentKey('k10');
  b.getState(counts).clear();
  b.setCurrentKey('k11');
  b.getState(attrs).remove('x');
  const c2 = checkpoint(b, 2);
  t.same(c2.increment, { kind: 'delta', baseCheckpointId: 1 });
  t.equal(entriesOf(c2, 'count'), 10, 'only the changed values');
  t.equal(entriesOf(c2, 'seen'), 0, 'untouched list state is not in the delta');
  t.equal(entriesOf(c2, 'attrs'), 1, 'the changed map, whole');
  const deleted = Object.values(c2.keyGroups).flatMap(
    (g) => (g as { deleted?: Record<string, unknown[]> }).deleted?.count ?? [],
  );
  t.same(deleted, [['k10', '']], 'the cleared value is a deletion');
  b.notifyCheckpointComplete(2);

  // checkpoint 3: a new key, a map cleared, a list appended
  b.setCurrentKey('new');
  b.getState(counts).update(7);
  b.setCurrentKey('k12');
  b.getState(attrs).clear();
  b.getState(seen).add('again');
  const c3 = checkpoint(b, 3);
  t.same(c3.increment, { kind: 'delta', baseCheckpointId: 2 });

  const expected = materializeKeyedSnapshot(b.freezeSnapshot());
  t.equal(expected.increment, undefined, 'a snapshot without a checkpoint is full and unmarked');
  t.same(normalized(foldSegments([c1, c2, c3], 'test')), normalized(expected));
  t.notSame(normalized(foldSegments([c1, c2], 'test')), normalized(expected), 'the last delta matters');
  t.throws(() => foldSegments([c2, c3], 'test'), { code: 'CHECKPOINT_CORRUPT' }, 'a chain starts with a full one');
});

t.test('savepoints are full and leave the tracking alone; restore starts a new chain', async (t) => {
  const b = await open(t);
  for (const k of ['a', 'b', 'c']) {
    b.setCurrentKey(k);
    b.getState(counts).update(1);
  }
  const c1 = checkpoint(b, 1);
  b.notifyCheckpointComplete(1);
  b.setCurrentKey('a');
  b.getState(counts).update(2);
  const sp = materializeKeyedSnapshot(b.freezeSnapshot({ checkpointId: 2, isSavepoint: true }));
  t.equal(sp.increment, undefined, 'savepoint: canonical full snapshot');
  t.equal(entriesOf(sp, 'count'), 3);
  b.notifyCheckpointComplete(2);
  const c3 = checkpoint(b, 3);
  t.same(c3.increment, { kind: 'delta', baseCheckpointId: 1 }, 'the savepoint is not a base');
  t.equal(entriesOf(c3, 'count'), 1, 'the change before the savepoint is still in the delta');

  const r = await open(t, { range: { start: 0, end: 63 } });
  r.restore(foldSegments([c1, c3], 'test'));
  r.notifyCheckpointComplete(3);
  t.equal(checkpoint(r, 4).increment?.kind, 'full', 'first checkpoint after a restore is full');
});

t.test('a non-incremental backend marks nothing', async (t) => {
  const b = await open(t, { incremental: false });
  b.setCurrentKey('a');
  b.getState(counts).update(1);
  const c1 = checkpoint(b, 1);
  t.equal(c1.increment, undefined);
  t.equal(entriesOf(c1, 'count'), 1);
});
