// Asynchronous snapshots of heap state: a frozen version shows exactly the state at the freeze, whatever is
// written afterwards and however many versions are in flight; building it in slices (completeSnapshots)
// with writes in between gives the same snapshot, also when writes after a key group was read change it in
// place; restoring it gives the state at the freeze.
import t from 'tap';
import fc from 'fast-check';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ValueStateDescriptor,
} from '../../../runtime/api/state.js';
import type { ProcessingTimeService, Triggerable } from '../../../runtime/api/operator.js';
import { Tuple2 } from '../../../runtime/api/tuples.js';
import {
  copyStateValue,
  createKeyedStateBackend,
  createTimerServiceManager,
  decodeKeyGroups,
  encodeKeyGroup,
  materializeKeyedSnapshot,
  normalizeKeyedSnapshot,
  type HeapKeyedStateBackend,
  type KeyedStateSnapshot,
} from '../../../runtime/state/index.js';
import { columnsToKeyGroup } from '../../../runtime/state/key-group-columns.js';
import { completeSnapshots } from '../../../runtime/task/async-snapshot.js';
import type { Clock } from '../../../runtime/platform/clock.js';

const full = { start: 0, end: 127 };
const value = new ValueStateDescriptor<number>('v');
const list = new ListStateDescriptor<number>('l');
const map = new MapStateDescriptor<string, number>('m');
const acc = new AggregatingStateDescriptor<number, { sum: number }, number>('a', {
  createAccumulator: () => ({ sum: 0 }),
  add: (x, a) => {
    a.sum += x; // mutates the accumulator in place, as user functions may
    return a;
  },
  getResult: (a) => a.sum,
  merge: (a, b) => ({ sum: a.sum + b.sum }),
});

/** Every entry of a snapshot as sorted text lines: state, key group, key, namespace, value. */
function lines(s: KeyedStateSnapshot): string[] {
  const out: string[] = [];
  for (const [kg, g] of Object.entries(normalizeKeyedSnapshot(s).keyGroups)) {
    for (const [name, st] of Object.entries(g.states))
      for (const [k, ns, v] of st.entries) out.push(JSON.stringify([name, kg, k, ns, v]));
    for (const [name, tm] of Object.entries(g.timers ?? {}))
      for (const kind of ['event', 'processing'] as const)
        for (const [k, ns, ts] of tm[kind]) out.push(JSON.stringify([`timer:${name}:${kind}`, kg, k, ns, ts]));
  }
  return out.sort();
}

function fill(b: HeapKeyedStateBackend, keys: number, base: number): void {
  for (let k = 0; k < keys; k++) {
    b.setCurrentKey(k);
    b.getState(value).update(base + k);
    b.getState(list).add(base + k);
    b.getState(map).put(`m${k}`, base + k);
    b.getState(acc).add(base + k);
  }
}

t.test('writes after the freeze are not in the snapshot, writes before are', async (t) => {
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full });
  fill(b, 50, 0);
  const expected = lines(b.snapshot());
  t.equal(expected.length, 200, 'four states × 50 keys');
  const v = b.freezeSnapshot();
  fill(b, 80, 1000); // overwrite, append in place, put in place, mutate accumulators, and 30 new keys
  b.setCurrentKey(3);
  b.getState(value).clear();
  b.getState(list).clear();
  const frozen = lines(materializeKeyedSnapshot(v));
  t.same(frozen, expected, 'the frozen version is the state at the freeze');
  b.setCurrentKey(4);
  t.same(b.getState(list).get(), [4, 1004], 'the live state has both writes');
  t.equal(b.getState(acc).get(), 1008);
  b.setCurrentKey(3);
  t.equal(b.getState(value).value(), undefined, 'the live state has the clear');
  t.equal(b.numKeys(), 80);
});

t.test('two versions in flight, released out of order', async (t) => {
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 10, end: 70 } });
  const keyIn = (k: number) => {
    try {
      b.setCurrentKey(k);
      return true;
    } catch {
      return false;
    }
  };
  const keys = [...Array(300).keys()].filter(keyIn);
  const write = (base: number) => {
    for (const k of keys) {
      b.setCurrentKey(k);
      b.getState(value).update(base + k);
      b.getState(list).add(base);
    }
  };
  write(0);
  const at1 = lines(b.snapshot());
  const v1 = b.freezeSnapshot();
  write(100);
  const at2 = lines(b.snapshot());
  const v2 = b.freezeSnapshot();
  write(200);
  const now = lines(b.snapshot());
  t.same(lines(materializeKeyedSnapshot(v2)), at2, 'the second version');
  write(300);
  t.same(lines(materializeKeyedSnapshot(v1)), at1, 'the first version, built after the second was released');
  t.not(at1.join(), at2.join());
  t.not(at2.join(), now.join());
  b.setCurrentKey(keys[0]!);
  t.same(b.getState(list).get(), [0, 100, 200, 300]);
});

t.test('timers: registered or deleted after the freeze do not change the snapshot', async (t) => {
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full });
  const pts: ProcessingTimeService = { currentProcessingTime: () => 0, registerTimer: () => () => {} };
  const mgr = createTimerServiceManager({ backend: b, processingTimeService: pts });
  const target: Triggerable = { onEventTime() {}, onProcessingTime() {} };
  const ts = mgr.getTimerService('w', target);
  for (let k = 0; k < 20; k++) {
    b.setCurrentKey(k);
    ts.registerEventTimeTimer('', 100 + k);
  }
  const expected = lines(b.snapshot());
  const v = b.freezeSnapshot();
  for (let k = 0; k < 20; k++) {
    b.setCurrentKey(k);
    if (k % 2) ts.deleteEventTimeTimer('', 100 + k);
    ts.registerEventTimeTimer('', 500 + k);
  }
  mgr.advanceWatermark(110); // fires and removes some of the frozen timers
  t.same(lines(materializeKeyedSnapshot(v)), expected);
  t.equal(expected.length, 20);
});

t.test('TTL: a frozen version keeps expired entries out without mutating, and reads refresh copies', async (t) => {
  const clock = { now: 1000, nowMs: () => clock.now };
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full, clock });
  const d = new ValueStateDescriptor<number>('r').enableTimeToLive({ ttlMs: 100, updateType: 'OnReadAndWrite' });
  b.setCurrentKey('a');
  b.getState(d).update(1);
  clock.now += 50;
  const v = b.freezeSnapshot();
  clock.now += 40; // at 1090 a read refreshes 'a' in the live table only
  t.equal(b.getState(d).value(), 1);
  const snap = materializeKeyedSnapshot(v);
  const entries = Object.values(snap.keyGroups)[0]!.states.r!.entries;
  t.same(entries, [['a', '', 1, 1000]], 'last access as of the freeze');
  clock.now += 60;
  t.equal(b.getState(d).value(), 1, 'the live refresh at 1090 kept it alive at 1150');
  clock.now += 100;
  t.equal(b.getState(d).value(), undefined, 'and it expires in the live table');
});

t.test('restore from a version built while writing equals the state at the freeze', async (t) => {
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full });
  fill(b, 200, 0);
  const atBarrier = lines(b.snapshot());
  const v = b.freezeSnapshot();
  let now = 0;
  let yields = 0;
  const clock = {
    monotonicMs: () => (now += 1),
    setImmediate: (fn: () => void) => {
      yields++;
      fill(b, 250, yields * 1000); // the task goes on processing between slices
      fn();
    },
  } as unknown as Clock;
  const [op] = await completeSnapshots([{ uid: 'count', keyed: v }], { clock, sliceMs: 3, encodeKeyGroup });
  t.ok(yields > 10, `yielded between slices (${yields})`);
  const keyed = decodeKeyGroups(op!.keyed) as KeyedStateSnapshot;
  t.same(lines(keyed), atBarrier, 'encoded in slices, decoded: the state at the freeze');
  const restored = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 63 } });
  const other = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 64, end: 127 } });
  restored.restore(keyed);
  other.restore(keyed);
  t.same([...lines(restored.snapshot()), ...lines(other.snapshot())].sort(), atBarrier, 'restored at parallelism 2');
  t.equal(restored.numKeys() + other.numKeys(), 200);
});

t.test('an abandoned asynchronous part rejects and releases its version', async (t) => {
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full });
  fill(b, 100, 0);
  const v = b.freezeSnapshot();
  let now = 0;
  const clock = { monotonicMs: () => (now += 5), setImmediate: (fn: () => void) => fn() } as unknown as Clock;
  await t.rejects(
    completeSnapshots([{ uid: 'x', keyed: v }], { clock, sliceMs: 1, abandoned: () => 'task closing' }),
    /abandoned: task closing/,
  );
  t.throws(() => v.keyGroup(0), /after release/, 'released');
  b.setCurrentKey(1);
  b.getState(list).add(7);
  t.same(b.getState(list).get(), [1, 7], 'writes go on');
});

t.test('copyStateValue: deep, keeps prototypes, shared and cyclic references', async (t) => {
  const inner = { n: 1 };
  const cyc: { self?: unknown; xs: unknown[] } = { xs: [inner, inner] };
  cyc.self = cyc;
  const c = copyStateValue(cyc);
  t.not(c, cyc);
  t.equal(c.self, c, 'cycle kept');
  t.equal(c.xs[0], c.xs[1], 'sharing kept');
  t.not(c.xs[0], inner);
  const tup = copyStateValue(Tuple2.of('k', new Map([['a', [1]]])));
  t.ok(tup instanceof Tuple2, 'tuple class kept');
  (tup.f1.get('a') as number[]).push(2);
  t.same(copyStateValue(Buffer.from('ab')), Buffer.from('ab'));
  t.equal(copyStateValue(5), 5);
});

// Property: random writes interleaved with freezes and with builds that read one key group at a time (as the
// asynchronous part does, the task writing between key groups), several versions in flight at different
// progress, some abandoned; each version read whole equals a model taken at its freeze, and writes after a
// version has read a key group (in place, no copy) never change what another version still has to read.
type Op =
  | { op: 'put'; key: number; v: number }
  | { op: 'add'; key: number; v: number }
  | { op: 'mput'; key: number; v: number }
  | { op: 'acc'; key: number; v: number }
  | { op: 'clear'; key: number }
  | { op: 'freeze' }
  | { op: 'step'; which: number; groups: number }
  | { op: 'abandon'; which: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), key: fc.nat(40), v: fc.integer() }),
  fc.record({ op: fc.constant('add' as const), key: fc.nat(40), v: fc.integer() }),
  fc.record({ op: fc.constant('mput' as const), key: fc.nat(40), v: fc.integer() }),
  fc.record({ op: fc.constant('acc' as const), key: fc.nat(40), v: fc.integer({ min: -9, max: 9 }) }),
  fc.record({ op: fc.constant('clear' as const), key: fc.nat(40) }),
  { arbitrary: fc.record({ op: fc.constant('freeze' as const) }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('step' as const),
      which: fc.nat(5),
      groups: fc.integer({ min: 1, max: 6 }),
    }),
    weight: 3,
  },
  fc.record({ op: fc.constant('abandon' as const), which: fc.nat(5) }),
);

t.test('property: every frozen version equals the state at its freeze', async (t) => {
  let versionsChecked = 0;
  fc.assert(
    fc.property(fc.array(opArb, { minLength: 20, maxLength: 160 }), (ops) => {
      const groups = 16;
      const skeleton = { version: 1, maxParallelism: groups, keyGroupRange: { start: 0, end: groups - 1 } };
      const b = createKeyedStateBackend({ maxParallelism: groups, keyGroupRange: { start: 0, end: groups - 1 } });
      type Building = { v: ReturnType<typeof b.freezeSnapshot>; expected: string[]; next: number; got: string[] };
      const inFlight: Building[] = [];
      const step = (f: Building, n: number) => {
        for (; n > 0 && f.next < groups; n--, f.next++) {
          const c = f.v.keyGroupColumns!(f.next);
          if (!c) continue;
          const one = { ...skeleton, keyGroups: { [f.next]: columnsToKeyGroup(c) } } as KeyedStateSnapshot;
          f.got.push(...lines(one));
        }
        if (f.next < groups) return;
        f.v.release();
        inFlight.splice(inFlight.indexOf(f), 1);
        if (f.got.sort().join('\n') !== f.expected.join('\n')) throw new Error('a version differs from its freeze');
        versionsChecked++;
      };
      for (const o of ops) {
        if (o.op === 'freeze') {
          inFlight.push({ expected: lines(b.snapshot()), v: b.freezeSnapshot(), next: 0, got: [] });
          continue;
        }
        if (o.op === 'step' || o.op === 'abandon') {
          const f = inFlight[o.which % Math.max(1, inFlight.length)];
          if (f && o.op === 'step') step(f, o.groups);
          else if (f) {
            f.v.release();
            inFlight.splice(inFlight.indexOf(f), 1);
          }
          continue;
        }
        b.setCurrentKey(o.key);
        if (o.op === 'put') b.getState(value).update(o.v);
        else if (o.op === 'add') b.getState(list).add(o.v);
        else if (o.op === 'mput') b.getState(map).put(`k${o.v % 3}`, o.v);
        else if (o.op === 'acc') b.getState(acc).add(o.v);
        else {
          b.getState(value).clear();
          b.getState(list).clear();
          b.getState(map).clear();
          b.getState(acc).clear();
        }
      }
      while (inFlight.length) step(inFlight[0]!, groups);
    }),
    { numRuns: 200 },
  );
  t.ok(versionsChecked > 200, `${versionsChecked} versions read key group by key group, each equal to its freeze`);
});
