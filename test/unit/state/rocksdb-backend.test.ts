/**
 * RocksDB backend specifics: the binding loads from its prebuilt binary and behaves (put/get, point-in-time
 * scans, range deletes); snapshots move between hashmap and rocksdb at any parallelism (the canonical
 * format); bad input (unwritable directory, unserializable value) fails with a clear error.
 */
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pack, unpack } from 'msgpackr';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../runtime/api/state.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../runtime/keygroups/index.js';
import {
  openKeyedStateBackend,
  type KeyedStateSnapshot,
  type RuntimeKeyedStateBackend,
  type StateBackendSpec,
} from '../../../runtime/state/index.js';
import { RocksDb } from '../../../runtime/state/rocksdb-db.js';
import { rocksFixture } from '../../support/rocks-fixture.js';

const { dir, rocks, opened } = rocksFixture(t, 'sluice-rocks-');
let scopes = 0;
async function open(spec: StateBackendSpec, parallelism: number, index: number): Promise<RuntimeKeyedStateBackend> {
  const b = await openKeyedStateBackend(spec, {
    maxParallelism: 128,
    keyGroupRange: computeKeyGroupRangeForOperatorIndex(128, parallelism, index),
    operatorUid: 'counter',
    scope: `t${scopes++}`,
  });
  opened.push(b);
  return b;
}

t.test('the binding: put/get, a scan sees the data as of its start, range delete, close and reopen', async (t) => {
  const loc = path.join(dir, 'raw');
  mkdirSync(loc);
  const db = await RocksDb.open(loc, { blockCacheBytes: 1 << 20, writeBufferBytes: 1 << 20 });
  for (const k of ['a1', 'a2', 'b1']) db.put(Buffer.from(k), Buffer.from(k.toUpperCase()));
  t.equal(db.get(Buffer.from('a2'))?.toString(), 'A2');
  t.equal(db.get(Buffer.from('zz')), undefined);
  const scan = db.scan(Buffer.from('a'), Buffer.from('b'));
  db.put(Buffer.from('a3'), Buffer.from('late'));
  t.same(
    [...scan].map(([k]) => k.toString()),
    ['a1', 'a2'],
    'the write after the scan started is not seen',
  );
  db.deleteRange(Buffer.from('a'), Buffer.from('a3'));
  t.same(
    [...db.scan(Buffer.from('a'), Buffer.from('c'))].map(([k]) => k.toString()),
    ['a3', 'b1'],
  );
  await db.close();
  const again = await RocksDb.open(loc, { blockCacheBytes: 1 << 20, writeBufferBytes: 1 << 20 });
  t.equal(again.get(Buffer.from('b1'))?.toString(), 'B1', 'data survives close and reopen');
  await again.close();
});

for (const [from, to] of [
  ['rocksdb', 'hashmap'],
  ['hashmap', 'rocksdb'],
] as const) {
  t.test(`a snapshot of ${from} at parallelism 2 restores on ${to} at parallelism 3`, async (t) => {
    const spec = (k: string): StateBackendSpec => (k === 'rocksdb' ? rocks : { type: 'hashmap' });
    const v = new ValueStateDescriptor<number>('count');
    const m = new MapStateDescriptor<string, { n: number }>('m');
    const l = new ListStateDescriptor<string>('l');
    const src = [await open(spec(from), 2, 0), await open(spec(from), 2, 1)];
    const keys = Array.from({ length: 500 }, (_, i) => `user-${i}`);
    for (const k of keys) {
      const kg = assignToKeyGroup(k, 128);
      const b = src.find((x) => kg >= x.keyGroupRange.start && kg <= x.keyGroupRange.end)!;
      b.setCurrentKey(k);
      b.getState(v).update(k.length);
      b.getPartitionedState('w', m).put(k, { n: 1 });
      b.getState(l).add(k);
    }
    const snaps = src.map((b) => unpack(pack(b.snapshot())) as KeyedStateSnapshot);
    const dst = [await open(spec(to), 3, 0), await open(spec(to), 3, 1), await open(spec(to), 3, 2)];
    for (const b of dst) b.restore(snaps);
    let found = 0;
    for (const k of keys) {
      const kg = assignToKeyGroup(k, 128);
      const b = dst.find((x) => kg >= x.keyGroupRange.start && kg <= x.keyGroupRange.end)!;
      b.setCurrentKey(k);
      if (
        b.getState(v).value() === k.length &&
        b.getPartitionedState('w', m).get(k)?.n === 1 &&
        b.getState(l).get().join() === k
      )
        found++;
    }
    t.equal(found, keys.length, 'every key with all its state');
    t.equal(
      dst.reduce((n, b) => n + b.numKeys(), 0),
      keys.length,
      'no key twice',
    );
  });
}

t.test('bad input: unwritable local directory, unserializable value', async (t) => {
  // a local directory under a regular file cannot be created, for root too (permission bits do not stop root)
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'x');
  await t.rejects(
    openKeyedStateBackend(
      { ...rocks, rocksdbLocalDir: path.join(file, 'sub') },
      { maxParallelism: 128, keyGroupRange: { start: 0, end: 127 }, operatorUid: 'op', scope: 'x' },
    ),
    { code: 'STATE_BACKEND_IO', message: /a-file\/sub.*state\.backend\.rocksdb\.localdir/ },
  );

  const b = await open(rocks, 1, 0);
  b.setCurrentKey('k');
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  t.throws(() => b.getState(new ValueStateDescriptor('sessions')).update(cyclic), {
    code: 'STATE_VALUE_NOT_SERIALIZABLE',
    message: /state "sessions" of operator "counter"/,
  });
  t.equal(b.getState(new ValueStateDescriptor('sessions')).value(), undefined, 'nothing was written');
});
