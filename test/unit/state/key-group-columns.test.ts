/**
 * Heap key groups in columns: a column stays a typed array only while every value fits it exactly; a heap
 * snapshot encoded in columns (as the task worker encodes it) decodes to the same canonical snapshot as the
 * per-entry layout, for every state kind, TTL, namespaces, string and tuple keys and timers; and it restores on
 * the RocksDB backend at another parallelism (savepoints stay portable).
 */
import t from 'tap';
import { ListStateDescriptor, MapStateDescriptor, ValueStateDescriptor } from '../../../runtime/api/state.js';
import type { ProcessingTimeService, Triggerable } from '../../../runtime/api/operator.js';
import { Tuple2 } from '../../../runtime/api/tuples.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../runtime/keygroups/index.js';
import type { Clock } from '../../../runtime/platform/clock.js';
import {
  createKeyedStateBackend,
  createTimerServiceManager,
  decodeKeyGroups,
  encodeKeyGroup,
  materializeKeyedSnapshot,
  openKeyedStateBackend,
  type KeyedStateSnapshot,
} from '../../../runtime/state/index.js';
import { ColumnBuilder, columnsToKeyGroup, isKeyGroupColumns } from '../../../runtime/state/key-group-columns.js';
import { completeSnapshots } from '../../../runtime/task/async-snapshot.js';
import { rocksFixture } from '../../support/rocks-fixture.js';

const column = (values: unknown[], capacity = 2) => {
  const b = new ColumnBuilder(capacity);
  for (const v of values) b.push(v);
  return b.finish();
};

t.test('a column is as narrow as its values allow and keeps every value', async (t) => {
  const ints = column([1, -5, 2 ** 31 - 1, -(2 ** 31), 0, 7, 8, 9, 10]);
  t.ok(ints instanceof Int32Array, 'int32 values: Int32Array');
  t.same([...ints], [1, -5, 2 ** 31 - 1, -(2 ** 31), 0, 7, 8, 9, 10], 'grown past its capacity, in order');
  const floats = column([1, 2, 0.5, 2 ** 31, -0, Number.NaN]);
  t.ok(floats instanceof Float64Array, 'other numbers: Float64Array');
  t.ok(Object.is(floats[4], -0), '-0 kept');
  t.ok(Number.isNaN(floats[5]), 'NaN kept');
  t.ok(column([-0]) instanceof Float64Array, '-0 is not an int32');
  const mixed = column([1, 2.5, 'x', 3, { a: 1 }, undefined, null]);
  t.ok(Array.isArray(mixed), 'anything else: a plain array');
  t.same(mixed, [1, 2.5, 'x', 3, { a: 1 }, undefined, null]);
  t.same(column(['a', 1]), ['a', 1], 'a first non-number widens at once');
  t.equal(column([]).length, 0);
});

const count = new ValueStateDescriptor<number>('count');
const names = new ListStateDescriptor<string>('names');
const seen = new MapStateDescriptor<string, number>('seen');
const ttl = new ValueStateDescriptor<{ n: number }>('ttl').enableTimeToLive({ ttlMs: 1000 });

function rich() {
  const clock = { now: 5_000_000_000, nowMs: () => clock.now }; // a last-access time beyond int32
  const b = createKeyedStateBackend({ maxParallelism: 16, keyGroupRange: { start: 0, end: 15 }, clock });
  const pts: ProcessingTimeService = { currentProcessingTime: () => 0, registerTimer: () => () => {} };
  const timers = createTimerServiceManager({ backend: b, processingTimeService: pts });
  const target: Triggerable = { onEventTime() {}, onProcessingTime() {} };
  const ts = timers.getTimerService('w', target);
  const keys: unknown[] = [];
  for (let k = 0; k < 200; k++) keys.push(k);
  for (let k = 0; k < 20; k++) keys.push(`s${k}`, Tuple2.of(`t${k}`, k), k + 0.5);
  for (const k of keys) {
    b.setCurrentKey(k);
    b.getState(count).update(typeof k === 'number' ? k * 3 : 1);
    if (typeof k !== 'number' || k % 3 === 0) b.getState(names).add(`n${String(k)}`);
    if (typeof k === 'number' && k % 5 === 0) b.getState(seen).put(`u${k}`, k);
    if (typeof k === 'number' && k % 7 === 0) b.getState(ttl).update({ n: k });
    if (typeof k === 'number' && k % 11 === 0) b.getPartitionedState(`window-${k}`, count).update(-k);
    if (typeof k === 'number' && k % 13 === 0) ts.registerEventTimeTimer('', 100 + k);
  }
  return b;
}

t.test('columns decode to the canonical snapshot of every state kind', async (t) => {
  const b = rich();
  const expected = b.snapshot();
  const v = b.freezeSnapshot();
  const keyGroups: Record<number, Uint8Array> = {};
  let typedKeys = 0;
  let access = 0;
  for (let kg = 0; kg < 16; kg++) {
    const c = v.keyGroupColumns!(kg);
    t.same(c && columnsToKeyGroup(c), expected.keyGroups[kg], `key group ${kg} in columns is its canonical form`);
    if (!c) continue;
    if (c.states.seen?.keys instanceof Int32Array) typedKeys++;
    if (c.states.ttl?.access instanceof Float64Array) access++;
    keyGroups[kg] = encodeKeyGroup(c);
    t.ok(isKeyGroupColumns(c));
  }
  v.release();
  t.ok(typedKeys > 0, `a state with only int32 keys has a typed key column (${typedKeys})`);
  t.ok(access > 0, 'last-access times beyond int32 in a Float64Array');
  const decoded = decodeKeyGroups({ ...expected, keyGroups }) as KeyedStateSnapshot;
  t.same(decoded, expected, 'encoded in columns and decoded: the canonical snapshot');
  const restored = createKeyedStateBackend({ maxParallelism: 16, keyGroupRange: { start: 0, end: 15 } });
  restored.restore(decoded);
  restored.setCurrentKey(Tuple2.of('t3', 3));
  t.equal(restored.getState(count).value(), 1, 'tuple keys restored as tuples');
  restored.setCurrentKey(22);
  t.equal(restored.getPartitionedState('window-22', count).value(), -22, 'namespaces restored');
});

t.test('key groups read once: a second read of a version is refused', async (t) => {
  const b = rich();
  const v = b.freezeSnapshot();
  const kg = assignToKeyGroup(0, 16);
  t.ok(v.keyGroupColumns!(kg));
  t.throws(() => v.keyGroup(kg), /already read/);
  v.release();
});

t.test('a heap snapshot encoded in columns restores on RocksDB at another parallelism', async (t) => {
  const { rocks, opened } = rocksFixture(t, 'sluice-columns-');
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } });
  for (let k = 0; k < 3000; k++) {
    b.setCurrentKey(k);
    b.getState(count).update(k * 2);
    if (k % 10 === 0) b.getState(seen).put(`u${k}`, k);
  }
  const clock = { monotonicMs: () => 0, setImmediate: (fn: () => void) => fn() } as unknown as Clock;
  const [op] = await completeSnapshots([{ uid: 'count', keyed: b.freezeSnapshot() }], {
    clock,
    sliceMs: 0,
    encodeKeyGroup,
  });
  const groups = Object.values((op!.keyed as { keyGroups: Record<number, unknown> }).keyGroups);
  t.ok(groups.length > 0 && groups.every((g) => g instanceof Uint8Array), 'the key groups travel encoded');
  const keyed = decodeKeyGroups(op!.keyed) as KeyedStateSnapshot;
  const dst = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const d = await openKeyedStateBackend(rocks, {
        maxParallelism: 128,
        keyGroupRange: computeKeyGroupRangeForOperatorIndex(128, 3, i),
        operatorUid: 'count',
        scope: `s${i}`,
      });
      opened.push(d);
      d.restore(keyed);
      return d;
    }),
  );
  let right = 0;
  for (let k = 0; k < 3000; k++) {
    const kg = assignToKeyGroup(k, 128);
    const d = dst.find((x) => kg >= x.keyGroupRange.start && kg <= x.keyGroupRange.end)!;
    d.setCurrentKey(k);
    if (d.getState(count).value() === k * 2 && (k % 10 !== 0 || d.getState(seen).get(`u${k}`) === k)) right++;
  }
  t.equal(right, 3000, 'every value and map entry restored on RocksDB');
  t.same(
    materializeKeyedSnapshot(b.freezeSnapshot()).keyGroups,
    keyed.keyGroups,
    'and the decoded snapshot is the backend state',
  );
});
