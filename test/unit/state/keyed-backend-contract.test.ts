/**
 * The keyed state contract, run against both backends (hashmap and rocksdb) through openKeyedStateBackend:
 * every state kind, namespaces, key listing, TTL, timers in the snapshot, and snapshot → restore across
 * key-group ranges (rescale). Cross-backend portability and RocksDB's bad input are in
 * rocksdb-backend.test.ts.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pack, unpack } from 'msgpackr';
import type { InternalTimer, ProcessingTimeService } from '../../../runtime/api/operator.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../runtime/api/state.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../runtime/keygroups/index.js';
import {
  createKeyedStateBackend,
  createTimerServiceManager,
  openKeyedStateBackend,
  RocksDbKeyedStateBackend,
  type KeyedStateSnapshot,
  type RuntimeKeyedStateBackend,
} from '../../../runtime/state/index.js';

const full = { start: 0, end: 127 };
const fakeClock = () => {
  const c = { now: 1000, nowMs: () => c.now };
  return c;
};

type Make = (range?: { start: number; end: number }, clock?: { nowMs(): number }) => Promise<RuntimeKeyedStateBackend>;

function makers(t: Test): Record<'hashmap' | 'rocksdb', Make> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sluice-rocks-'));
  const opened: RuntimeKeyedStateBackend[] = [];
  t.teardown(async () => {
    for (const b of opened) await b.dispose?.();
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  return {
    hashmap: async (range = full, clock) =>
      clock
        ? createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: range, clock })
        : openKeyedStateBackend(
            { type: 'hashmap' },
            { maxParallelism: 128, keyGroupRange: range, operatorUid: 'op', scope: 's' },
          ),
    rocksdb: async (range = full, clock) => {
      const b = clock
        ? await RocksDbKeyedStateBackend.open({
            maxParallelism: 128,
            keyGroupRange: range,
            operatorUid: 'op',
            directory: path.join(dir, `c${n++}`),
            blockCacheBytes: 1 << 20,
            writeBufferBytes: 4 << 20,
            clock,
          })
        : await openKeyedStateBackend(
            {
              type: 'rocksdb',
              rocksdbLocalDir: dir,
              rocksdbBlockCacheBytes: 1 << 20,
              rocksdbWriteBufferBytes: 4 << 20,
            },
            { maxParallelism: 128, keyGroupRange: range, operatorUid: 'op', scope: `s${n++}` },
          );
      opened.push(b);
      return b;
    },
  };
}

for (const kind of ['hashmap', 'rocksdb'] as const) {
  t.test(`${kind}: value state with default, per key, clear and update(undefined)`, async (t) => {
    const b = await makers(t)[kind]();
    const d = new ValueStateDescriptor<number>('count', 0);
    t.throws(() => b.getState(d).value(), { code: 'STATE_NO_CURRENT_KEY' });
    const s = b.getState(d);
    t.equal(b.getState(d), s, 'handle cached per descriptor');
    b.setCurrentKey('a');
    t.equal(s.value(), 0, 'default');
    s.update(5);
    b.setCurrentKey('b');
    t.equal(s.value(), 0);
    s.update(7);
    b.setCurrentKey('a');
    t.equal(s.value(), 5);
    t.equal(b.getCurrentKey(), 'a');
    t.equal(b.getCurrentKeyGroup(), assignToKeyGroup('a', 128));
    s.clear();
    t.equal(s.value(), 0);
    b.setCurrentKey('b');
    s.update(undefined);
    t.equal(b.numKeys(), 0, 'no keys left');
  });

  t.test(`${kind}: list, map, reducing, aggregating; structured values keep their types`, async (t) => {
    const b = await makers(t)[kind]();
    b.setCurrentKey(42);
    const l = b.getState(new ListStateDescriptor<string>('l'));
    t.same(l.get(), []);
    l.add('x');
    l.addAll(['y', 'z']);
    l.get().push('mutation');
    t.same(l.get(), ['x', 'y', 'z'], 'get returns a copy');
    l.update(['q']);
    t.same(l.get(), ['q']);
    l.update([]);
    t.same(l.get(), []);

    const m = b.getState(new MapStateDescriptor<string, number>('m'));
    t.ok(m.isEmpty());
    m.put('a', 1);
    m.putAll([
      ['b', 2],
      ['c', 3],
    ]);
    t.equal(m.get('b'), 2);
    t.ok(m.contains('c'));
    m.remove('c');
    t.notOk(m.contains('c'));
    t.same(
      [...m.entries()],
      [
        ['a', 1],
        ['b', 2],
      ],
    );
    t.same([...m.keys()], ['a', 'b']);
    t.same([...m.values()], [1, 2]);
    m.clear();
    t.ok(m.isEmpty(), 'clear removes every entry');

    const r = b.getState(new ReducingStateDescriptor<number>('r', (x, y) => x + y));
    t.equal(r.get(), undefined, 'reducing state is empty before the first add');
    r.add(3);
    r.add(4);
    t.equal(r.get(), 7);
    const a = b.getState(
      new AggregatingStateDescriptor('avg', {
        createAccumulator: () => [0, 0] as [number, number],
        add: (v: number, acc: [number, number]) => [acc[0] + v, acc[1] + 1] as [number, number],
        getResult: (acc: [number, number]) => acc[0] / acc[1],
      }),
    );
    t.equal(a.get(), undefined, 'aggregating state is empty before the first add');
    a.add(2);
    a.add(4);
    t.equal(a.get(), 3);
    const o = b.getState(new ValueStateDescriptor<unknown>('obj'));
    const value = { n: 1, tags: new Map([['k', [1, 2]]]), set: new Set(['s']), nested: { deep: 'x' } };
    o.update(value);
    t.same(o.value(), value);
    t.ok((o.value() as typeof value).tags instanceof Map, 'a Map stays a Map');
    t.notOk(o.value() instanceof Map, 'an object stays an object');
    b.setCurrentKey(43);
    t.equal(a.get(), undefined, 'other key isolated');
    t.throws(() => b.getState(new ValueStateDescriptor('l')), { code: 'API_INVALID_ARGUMENT', message: /list state/ });
  });

  t.test(`${kind}: namespaces, getKeys, applyToAllKeys, tuple and mixed key types`, async (t) => {
    const b = await makers(t)[kind]();
    const d = new ValueStateDescriptor<string>('v');
    const keys: unknown[] = ['k1', 1, '1', 1n, true, ['a', 1], ['a', '1']];
    for (const k of keys) {
      b.setCurrentKey(k);
      b.getPartitionedState('w1', d).update(`w1:${String(k)}`);
      b.getState(d).update(`none:${String(k)}`);
    }
    for (const k of keys) {
      b.setCurrentKey(k);
      t.equal(b.getPartitionedState('w1', d).value(), `w1:${String(k)}`);
      t.equal(b.getState(d).value(), `none:${String(k)}`);
      t.equal(b.getPartitionedState('w2', d).value(), undefined);
    }
    t.equal(b.numKeys(), keys.length, 'distinct keys stay distinct');
    t.same(new Set(b.getKeys('v', 'w1')), new Set(keys));
    b.setCurrentKey('k1');
    b.getPartitionedState('w1', d).clear();
    t.equal(b.getKeys('v', 'w1').length, keys.length - 1);
    t.same(b.getKeys('nope', ''), []);
    b.setCurrentKey(1);
    const seen: unknown[] = [];
    b.applyToAllKeys('', d, (k, s) => {
      seen.push(k);
      s.update(`touched:${String(k)}`);
    });
    t.equal(seen.length, keys.length);
    t.equal(b.getCurrentKey(), 1, 'current key restored');
    b.setCurrentKey(['a', 1]);
    t.equal(b.getState(d).value(), 'touched:a,1');
    t.throws(() => b.setCurrentKey({ a: 1 } as never), { code: 'API_INVALID_ARGUMENT' }, 'an object is no key');
  });

  t.test(`${kind}: TTL expires values (map entries one by one) on access and at snapshot`, async (t) => {
    const clock = fakeClock();
    const b = await makers(t)[kind](full, clock);
    const d = new ValueStateDescriptor<number>('v', -1).enableTimeToLive({ ttlMs: 100 });
    const s = b.getState(d);
    b.setCurrentKey('a');
    s.update(1);
    clock.now += 50;
    b.setCurrentKey('b');
    s.update(2);
    clock.now += 50; // a written at 1000, now 1100 → expired; b at 1050 alive
    b.setCurrentKey('a');
    t.equal(s.value(), -1, 'expired reads as absent (default)');
    t.equal(b.numKeys(), 1, 'expired entry cleaned on access');
    b.setCurrentKey('b');
    t.equal(s.value(), 2);
    clock.now += 60;
    t.same(b.snapshot().keyGroups, {}, 'expired dropped at snapshot');
    const d2 = new ValueStateDescriptor<number>('r').enableTimeToLive({ ttlMs: 100, updateType: 'OnReadAndWrite' });
    const r = b.getState(d2);
    r.update(9);
    for (let i = 0; i < 5; i++) {
      clock.now += 80;
      t.equal(r.value(), 9, 'kept alive by reads');
    }
    clock.now += 100;
    t.equal(r.value(), undefined);
    if (kind === 'rocksdb') {
      const m = b.getState(new MapStateDescriptor<string, number>('m').enableTimeToLive({ ttlMs: 100 }));
      m.put('old', 1);
      clock.now += 60;
      m.put('new', 2);
      clock.now += 60;
      t.same([...m.entries()], [['new', 2]], 'map entries expire one by one (as Flink)');
    }
  });

  t.test(`${kind}: timers travel in the keyed snapshot`, async (t) => {
    const mk = makers(t)[kind];
    const b = await mk();
    const pts: ProcessingTimeService = { currentProcessingTime: () => 0, registerTimer: () => () => {} };
    const mgr = createTimerServiceManager({ backend: b, processingTimeService: pts });
    const fired: unknown[] = [];
    const target = { onEventTime: (tm: InternalTimer) => fired.push(tm.key), onProcessingTime: () => {} };
    const svc = mgr.getTimerService('w', target);
    for (const k of ['x', 'y']) {
      b.setCurrentKey(k);
      svc.registerEventTimeTimer('', 10);
    }
    const snap = b.snapshot();
    const b2 = await mk();
    b2.restore(snap);
    const mgr2 = createTimerServiceManager({ backend: b2, processingTimeService: pts });
    mgr2.getTimerService('w', target);
    mgr2.advanceWatermark(20);
    t.same(fired.sort(), ['x', 'y'], 'restored timers fire');
  });

  t.test(`${kind}: snapshot → restore into three backends (rescale 2 → 3 by key-group ranges) and back`, async (t) => {
    const mk = makers(t)[kind];
    const clock = fakeClock();
    const v = new ValueStateDescriptor<number>('v');
    const m = new MapStateDescriptor<string, number>('m');
    const l = new ListStateDescriptor<number>('l');
    const ttl = new ValueStateDescriptor<number>('ttl').enableTimeToLive({ ttlMs: 1000 });
    const keys = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? i : `key-${i}`));
    const two = await Promise.all([0, 1].map((i) => mk(computeKeyGroupRangeForOperatorIndex(128, 2, i), clock)));
    for (const k of keys) {
      const kg = assignToKeyGroup(k, 128);
      const src = two.find((p) => kg >= p.keyGroupRange.start && kg <= p.keyGroupRange.end)!;
      src.setCurrentKey(k);
      src.getState(v).update(typeof k === 'number' ? k : k.length);
      src.getPartitionedState('ns', m).putAll([
        ['x', 1],
        ['y', 2],
      ]);
      src.getState(l).addAll([1, 2]);
      src.getState(ttl).update(5);
    }
    const snaps = two.map((p) => unpack(pack(p.snapshot())) as KeyedStateSnapshot);
    for (const s of snaps)
      for (const [kg, g] of Object.entries(s.keyGroups))
        for (const [key] of g.states['v']!.entries) t.equal(assignToKeyGroup(key, 128), Number(kg), 'key in its group');
    const three = await Promise.all([0, 1, 2].map((i) => mk(computeKeyGroupRangeForOperatorIndex(128, 3, i), clock)));
    for (const p of three) p.restore(snaps);
    t.equal(
      three.reduce((n, p) => n + p.numKeys(), 0),
      keys.length,
      'every key restored exactly once',
    );
    for (const k of keys) {
      const kg = assignToKeyGroup(k, 128);
      const owner = three.find((p) => kg >= p.keyGroupRange.start && kg <= p.keyGroupRange.end)!;
      owner.setCurrentKey(k);
      t.equal(owner.getState(v).value(), typeof k === 'number' ? k : k.length);
      t.same(
        [...owner.getPartitionedState('ns', m).entries()],
        [
          ['x', 1],
          ['y', 2],
        ],
      );
      t.same(owner.getState(l).get(), [1, 2]);
      t.equal(owner.getState(ttl).value(), 5);
      t.throws(() => three.find((p) => p !== owner)!.setCurrentKey(k), { code: 'STATE_KEY_GROUP_OUT_OF_RANGE' });
    }
    clock.now += 1000;
    t.same(three[0]!.getKeys('ttl', ''), [], 'restored TTL timestamps still expire');
    const merged = await mk(full);
    merged.restore(three.map((p) => p.snapshot()));
    t.equal(merged.numKeys(), keys.length, 'scale back to 1');
    const wrongMax = await openKeyedStateBackend(
      { type: 'hashmap' },
      { maxParallelism: 256, keyGroupRange: { start: 0, end: 255 }, operatorUid: 'op', scope: 'w' },
    );
    t.throws(() => wrongMax.restore(snaps), { code: 'RESTORE_MAX_PARALLELISM_CHANGED' });
  });
}

t.test('a snapshot read with another kind of state: refused, naming the state and both kinds', async (t) => {
  const make = makers(t);
  for (const [from, to] of [
    ['hashmap', 'rocksdb'],
    ['rocksdb', 'hashmap'],
    ['hashmap', 'hashmap'],
  ] as const) {
    const a = await make[from]();
    a.setCurrentKey(7);
    a.getState(new ListStateDescriptor<string>('seen')).add('x');
    const snap = unpack(pack(a.snapshot())) as KeyedStateSnapshot;
    const b = await make[to]();
    b.restore(snap);
    b.setCurrentKey(7);
    t.throws(
      () => b.getState(new ValueStateDescriptor<string>('seen')),
      {
        code: 'API_INVALID_ARGUMENT',
        message: /state "seen" is a list state; it cannot be (used|accessed) as value state/,
      },
      `${from} → ${to}`,
    );
  }
});
