/**
 * Heap-specific behaviour of the hashmap keyed state backend: TTL cleanup on a fake clock, the snapshot
 * format and key-group splits. What every backend must do is in keyed-backend-contract.test.ts.
 */
import t from 'tap';
import { pack, unpack } from 'msgpackr';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../runtime/api/state.js';
import { createKeyedStateBackend, type KeyedStateSnapshot } from '../../../runtime/state/index.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../runtime/keygroups/index.js';

const full = { start: 0, end: 127 };
const fakeClock = () => {
  const c = { now: 1000, nowMs: () => c.now };
  return c;
};

t.test('TTL: expired values read as absent and are cleaned on access and snapshot', async (t) => {
  const clock = fakeClock();
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full, clock });
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
  const snap = b.snapshot();
  t.same(snap.keyGroups, {}, 'expired dropped at snapshot');
  // OnReadAndWrite refreshes on read
  const d2 = new ValueStateDescriptor<number>('r').enableTimeToLive({ ttlMs: 100, updateType: 'OnReadAndWrite' });
  const r = b.getState(d2);
  r.update(9);
  for (let i = 0; i < 5; i++) {
    clock.now += 80;
    t.equal(r.value(), 9, 'kept alive by reads');
  }
  clock.now += 100;
  t.equal(r.value(), undefined);
});

t.test('snapshot → restore into two backends with split key-group ranges', async (t) => {
  const clock = fakeClock();
  const src = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full, clock });
  const v = new ValueStateDescriptor<number>('v');
  const m = new MapStateDescriptor<string, number>('m');
  const l = new ListStateDescriptor<number>('l');
  const ttl = new ValueStateDescriptor<number>('ttl').enableTimeToLive({ ttlMs: 1000 });
  const keys = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? i : `key-${i}`));
  for (const k of keys) {
    src.setCurrentKey(k);
    src.getState(v).update(typeof k === 'number' ? k : k.length);
    src.getPartitionedState('ns', m).put('x', 1);
    src.getState(l).addAll([1, 2]);
    src.getState(ttl).update(5);
  }
  const snap = unpack(pack(src.snapshot())) as KeyedStateSnapshot; // survives msgpack
  t.equal(snap.maxParallelism, 128);
  for (const [kg, g] of Object.entries(snap.keyGroups)) {
    for (const [key] of g.states['v']!.entries)
      t.equal(assignToKeyGroup(key, 128), Number(kg), 'key stored in its key group');
  }
  const ranges = [0, 1].map((op) => computeKeyGroupRangeForOperatorIndex(128, 2, op));
  const parts = ranges.map((keyGroupRange) => createKeyedStateBackend({ maxParallelism: 128, keyGroupRange, clock }));
  for (const p of parts) p.restore([snap]);
  t.equal(parts[0]!.numKeys() + parts[1]!.numKeys(), keys.length, 'every key restored exactly once');
  for (const k of keys) {
    const kg = assignToKeyGroup(k, 128);
    const owner = parts.find((p) => kg >= p.keyGroupRange.start && kg <= p.keyGroupRange.end)!;
    owner.setCurrentKey(k);
    t.equal(owner.getState(v).value(), typeof k === 'number' ? k : k.length);
    t.equal(owner.getPartitionedState('ns', m).get('x'), 1);
    t.same(owner.getState(l).get(), [1, 2]);
    t.equal(owner.getState(ttl).value(), 5);
    const other = parts.find((p) => p !== owner)!;
    t.throws(() => other.setCurrentKey(k), { code: 'STATE_KEY_GROUP_OUT_OF_RANGE' });
  }
  const ttlKey = parts[0]!.getKeys('ttl', '')[0];
  t.not(ttlKey, undefined);
  clock.now += 1000;
  t.same(parts[0]!.getKeys('ttl', ''), [], 'expired keys not listed');
  parts[0]!.setCurrentKey(ttlKey);
  t.equal(parts[0]!.getState(ttl).value(), undefined, 'restored TTL timestamps still expire');
  // merge back: restore both halves into one backend
  const merged = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full });
  merged.restore(parts.map((p) => p.snapshot()));
  t.equal(merged.numKeys(), keys.length);
  const wrongMax = createKeyedStateBackend({ maxParallelism: 256, keyGroupRange: { start: 0, end: 255 } });
  t.throws(() => wrongMax.restore(snap), { code: 'RESTORE_MAX_PARALLELISM_CHANGED' });
});
