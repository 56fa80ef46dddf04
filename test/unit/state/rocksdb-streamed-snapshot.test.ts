/**
 * RocksDB snapshots streamed in parts: the asynchronous part reads a key group from the point-in-time
 * iterator in parts of at most N stored rows, each encoded before the next is read, so the decoded entries
 * held at once are bounded by N however large a key group is, and the task gets turns between parts of one
 * key group. The parts decode and merge into the same canonical snapshot (a map entry split over two parts
 * included), which restores on either backend at another parallelism.
 */
import t from 'tap';
import { MapStateDescriptor, ValueStateDescriptor } from '../../../runtime/api/state.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../runtime/keygroups/index.js';
import type { Clock } from '../../../runtime/platform/clock.js';
import {
  decodeKeyGroups,
  encodeKeyGroup,
  openKeyedStateBackend,
  type KeyGroupSnapshot,
  type KeyedStateSnapshot,
  type StateBackendSpec,
} from '../../../runtime/state/index.js';
import { completeSnapshots } from '../../../runtime/task/async-snapshot.js';
import { rocksFixture } from '../../support/rocks-fixture.js';

const { rocks, opened } = rocksFixture(t, 'sluice-rocks-stream-');
let scopes = 0;
async function open(spec: StateBackendSpec, maxParallelism: number, parallelism: number, index: number) {
  const b = await openKeyedStateBackend(spec, {
    maxParallelism,
    keyGroupRange: computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, index),
    operatorUid: 'counter',
    scope: `s${scopes++}`,
  });
  opened.push(b);
  return b;
}

const count = new ValueStateDescriptor<number>('count');
const seen = new MapStateDescriptor<number, string>('seen');
const KEYS = 3000;
const HOT = 'hot'; // one key whose map holds many user keys, so a part boundary falls inside its entry
const HOT_ENTRIES = 700;

async function filled(maxParallelism: number) {
  const b = await open(rocks, maxParallelism, 1, 0);
  for (let k = 0; k < KEYS; k++) {
    b.setCurrentKey(k);
    b.getState(count).update(k * 2);
  }
  b.setCurrentKey(HOT);
  for (let i = 0; i < HOT_ENTRIES; i++) b.getState(seen).put(i, `v${i}`);
  return b;
}

/** Stored rows in a part: one per entry, one per user key of a map entry. */
function rowsOf(part: KeyGroupSnapshot): number {
  let n = 0;
  for (const st of Object.values(part.states))
    for (const e of st.entries) n += st.kind === 'map' ? (e[2] as unknown[]).length : 1;
  return n;
}

const stepClock = (onYield: () => void): Clock => {
  let now = 0;
  return {
    monotonicMs: () => (now += 1),
    setImmediate: (fn: () => void) => {
      onYield();
      fn();
    },
  } as unknown as Clock;
};

t.test('a large key group is read in parts of at most N rows, each encoded before the next is read', async (t) => {
  // max parallelism 4: ~750 keys per key group, far more than a part
  const b = await filled(4);
  const N = 64;
  const parts: Array<{ kg: number; rows: number }> = [];
  let encodedBeforeNextRead = true;
  let pendingEncode = 0;
  const [op] = await completeSnapshots([{ uid: 'count', keyed: b.freezeSnapshot() }], {
    clock: stepClock(() => {}),
    sliceMs: 0,
    partRows: N,
    onPart: (kg, part) => {
      if (pendingEncode !== 0) encodedBeforeNextRead = false;
      pendingEncode++;
      parts.push({ kg, rows: rowsOf(part) });
    },
    encodeKeyGroup: (g) => {
      pendingEncode--;
      return encodeKeyGroup(g);
    },
  });
  t.ok(encodedBeforeNextRead, 'each part encoded before the next was read');
  const maxRows = Math.max(...parts.map((p) => p.rows));
  t.ok(maxRows <= N, `no part holds more than ${N} rows (largest ${maxRows})`);
  const total = parts.reduce((n, p) => n + p.rows, 0);
  t.equal(total, KEYS + HOT_ENTRIES, 'every stored row is in exactly one part');
  t.ok(parts.length >= Math.ceil(total / N), `${parts.length} parts for ${total} rows`);
  const groups = new Set(parts.map((p) => p.kg));
  t.ok(parts.length > groups.size * 5, 'key groups were split into many parts');

  const keyed = decodeKeyGroups(op!.keyed) as KeyedStateSnapshot;
  const whole = b.snapshot();
  t.same(keyed.keyGroups, whole.keyGroups, 'parts decoded and merged = the snapshot built whole');
  const hotGroup = keyed.keyGroups[assignToKeyGroup(HOT, 4)]!;
  const hotEntries = hotGroup.states.seen!.entries;
  t.equal(hotEntries.length, 1, 'the map entry split over parts is one entry again');
  t.equal((hotEntries[0]![2] as unknown[]).length, HOT_ENTRIES, 'with all its user keys');
});

t.test('the task gets turns between the parts of one key group', async (t) => {
  // max parallelism 1: the whole state is one key group
  const b = await filled(1);
  let turns = 0;
  const turnsAtPart: number[] = [];
  await completeSnapshots([{ uid: 'count', keyed: b.freezeSnapshot() }], {
    clock: stepClock(() => turns++),
    sliceMs: 1, // the step clock moves 1 ms per reading: every slice check yields
    pauseMs: 0,
    partRows: 100,
    onPart: () => turnsAtPart.push(turns),
    encodeKeyGroup,
  });
  t.ok(turnsAtPart.length >= (KEYS + HOT_ENTRIES) / 100, `${turnsAtPart.length} parts`);
  t.ok(turns >= turnsAtPart.length - 2, `the task had ${turns} turns while its single key group was read`);
  t.ok(turnsAtPart[turnsAtPart.length - 1]! > turnsAtPart[0]!, 'turns came between parts, not only after');
});

for (const to of ['rocksdb', 'hashmap'] as const) {
  t.test(`a snapshot streamed in parts at parallelism 1 restores on ${to} at parallelism 3`, async (t) => {
    const b = await filled(128);
    const [op] = await completeSnapshots([{ uid: 'count', keyed: b.freezeSnapshot() }], {
      clock: stepClock(() => {}),
      sliceMs: 0,
      partRows: 7,
      encodeKeyGroup,
    });
    const keyed = decodeKeyGroups(op!.keyed) as KeyedStateSnapshot;
    const dst = await Promise.all(
      [0, 1, 2].map((i) => open(to === 'rocksdb' ? rocks : { type: 'hashmap' }, 128, 3, i)),
    );
    for (const d of dst) d.restore(keyed);
    const owner = (k: unknown) => {
      const kg = assignToKeyGroup(k, 128);
      return dst.find((x) => kg >= x.keyGroupRange.start && kg <= x.keyGroupRange.end)!;
    };
    let right = 0;
    for (let k = 0; k < KEYS; k++) {
      const d = owner(k);
      d.setCurrentKey(k);
      if (d.getState(count).value() === k * 2) right++;
    }
    t.equal(right, KEYS, 'every value restored');
    const d = owner(HOT);
    d.setCurrentKey(HOT);
    t.equal([...d.getState(seen).keys()].length, HOT_ENTRIES, 'the map restored whole');
    t.equal(d.getState(seen).get(HOT_ENTRIES - 1), `v${HOT_ENTRIES - 1}`);
  });
}
