import t from 'tap';
import {
  assignRestoreState,
  checkStateMapping,
  unmatchedStateMessage,
  type ProgramOperator,
} from '../../../checkpoints/restore-assignment.js';
import { redistributeOperatorState } from '../../../checkpoints/operator-state-redistribution.js';
import type { RestoredOperatorState } from '../../../checkpoints/restored-snapshot.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../runtime/keygroups/index.js';

const MAXP = 128;
const KEYS = Array.from({ length: 200 }, (_, i) => `user-${i}`);

/** A toy keyed backend snapshot: key → value per key group, restricted to a range. */
type Blob = { keyGroups: Record<number, Record<string, number>> };

function initialSnapshots(parallelism: number): RestoredOperatorState {
  const subtasks = Array.from({ length: parallelism }, (_, i) => {
    const range = computeKeyGroupRangeForOperatorIndex(MAXP, parallelism, i);
    const blob: Blob = { keyGroups: {} };
    for (const [n, k] of KEYS.entries()) {
      const kg = assignToKeyGroup(k, MAXP);
      if (kg >= range.start && kg <= range.end) (blob.keyGroups[kg] ??= {})[k] = n;
    }
    return { subtaskIndex: i, keyed: { keyGroupRange: range, state: blob } };
  });
  return { uid: 'counts', parallelism, maxParallelism: MAXP, subtasks };
}

/** What a keyed backend does on restore: keep only the key groups of its own range, then snapshot again. */
function restoreAndSnapshot(op: RestoredOperatorState, newP: number): RestoredOperatorState {
  const a = assignRestoreState({ operators: [op] }, [{ uid: 'counts', parallelism: newP, maxParallelism: MAXP }], {
    allowNonRestoredState: false,
  });
  const assigned = a.operators.get('counts')!;
  return {
    uid: 'counts',
    parallelism: newP,
    maxParallelism: MAXP,
    subtasks: assigned.subtasks.map((s) => {
      const blob: Blob = { keyGroups: {} };
      for (const b of s.keyed as Blob[]) {
        for (const [kg, entries] of Object.entries(b.keyGroups)) {
          if (Number(kg) >= s.keyGroupRange.start && Number(kg) <= s.keyGroupRange.end)
            blob.keyGroups[Number(kg)] = entries;
        }
      }
      return { subtaskIndex: s.subtaskIndex, keyed: { keyGroupRange: s.keyGroupRange, state: blob } };
    }),
  };
}

function keysBySubtask(op: RestoredOperatorState): Map<string, number> {
  const owner = new Map<string, number>();
  for (const s of op.subtasks) {
    for (const entries of Object.values((s.keyed!.state as Blob).keyGroups)) {
      for (const k of Object.keys(entries)) {
        if (owner.has(k)) throw new Error(`key ${k} restored twice`);
        owner.set(k, s.subtaskIndex);
      }
    }
  }
  return owner;
}

t.test('keyed state rescales 2 → 3 → 1 by key-group ranges', async (t) => {
  const p2 = initialSnapshots(2);
  const first = assignRestoreState({ operators: [p2] }, [{ uid: 'counts', parallelism: 3, maxParallelism: MAXP }], {
    allowNonRestoredState: false,
  });
  const subs = first.operators.get('counts')!.subtasks;
  t.same(
    subs.map((s) => s.keyGroupRange),
    [
      { start: 0, end: 42 },
      { start: 43, end: 85 },
      { start: 86, end: 127 },
    ],
  );
  t.same(
    subs.map((s) => s.keyedSourceRanges),
    [
      [{ start: 0, end: 63 }],
      [
        { start: 0, end: 63 },
        { start: 64, end: 127 },
      ],
      [{ start: 64, end: 127 }],
    ],
    'the middle subtask reads both old snapshots',
  );
  const p3 = restoreAndSnapshot(p2, 3);
  const owners3 = keysBySubtask(p3);
  t.equal(owners3.size, KEYS.length, 'every key restored exactly once at p=3');
  for (const k of KEYS) {
    const kg = assignToKeyGroup(k, MAXP);
    t.equal(owners3.get(k), Math.floor((kg * 3) / MAXP), `${k} on its Flink subtask`);
  }
  const p1 = restoreAndSnapshot(p3, 1);
  t.same(p1.subtasks[0]!.keyed!.keyGroupRange, { start: 0, end: 127 });
  const owners1 = keysBySubtask(p1);
  t.equal(owners1.size, KEYS.length, 'every key restored exactly once at p=1');
  t.same(new Set(owners1.values()), new Set([0]));
});

t.test('operator list, union and broadcast state redistribution', async (t) => {
  const old = [
    {
      splits: { mode: 'split', items: ['a', 'b', 'c'] },
      seen: { mode: 'union', items: [1] },
      rules: { mode: 'broadcast', entries: [['r', 1]] },
    },
    {
      splits: { mode: 'split', items: ['d', 'e'] },
      seen: { mode: 'union', items: [2, 3] },
      rules: { mode: 'broadcast', entries: [['r', 1]] },
    },
  ];
  const to3 = redistributeOperatorState('src', old, 3);
  t.same(
    to3.map((s) => s!.splits!.items),
    [['a', 'd'], ['b', 'e'], ['c']],
    'split: union re-split round-robin',
  );
  t.same(
    to3.map((s) => s!.seen!.items),
    [
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ],
    'union: everything everywhere',
  );
  t.same(
    to3.map((s) => s!.rules!.entries),
    [[['r', 1]], [['r', 1]], [['r', 1]]],
    'broadcast: one copy each',
  );
  const to1 = redistributeOperatorState('src', old, 1);
  t.same(to1[0]!.splits!.items, ['a', 'b', 'c', 'd', 'e']);
  const same = redistributeOperatorState('src', old, 2);
  t.same(
    same.map((s) => s!.splits!.items),
    [
      ['a', 'b', 'c'],
      ['d', 'e'],
    ],
    'same parallelism keeps splits in place',
  );
  const to4 = redistributeOperatorState('src', [{ s: { mode: 'split', items: [1] } }, undefined], 4);
  t.same(
    to4.map((s) => s!.s!.items),
    [[1], [], [], []],
    'every subtask learns the state name',
  );
  t.same(redistributeOperatorState('x', [undefined, undefined], 3), [undefined, undefined, undefined]);
  t.throws(
    () =>
      redistributeOperatorState('src', [{ s: { mode: 'split', items: [] } }, { s: { mode: 'union', items: [] } }], 2),
    { code: 'CHECKPOINT_CORRUPT', message: /src.*"s"/ },
  );
  t.throws(() => redistributeOperatorState('src', [{ s: { mode: 'weird' } }], 2), { code: 'CHECKPOINT_CORRUPT' });
  const a = assignRestoreState(
    {
      operators: [
        {
          uid: 'src',
          parallelism: 2,
          maxParallelism: MAXP,
          subtasks: old.map((operator, subtaskIndex) => ({ subtaskIndex, operator })),
          coordinator: { pending: ['p9'] },
        },
      ],
    },
    [{ uid: 'src', parallelism: 3, maxParallelism: MAXP }],
    { allowNonRestoredState: false },
  );
  const src = a.operators.get('src')!;
  t.same(src.subtasks[2]!.operator, to3[2]);
  t.same(src.subtasks[0]!.keyed, []);
  t.same(src.coordinator, { pending: ['p9'] });
  t.equal(src.previousParallelism, 2);
});

t.test('uid mapping: unmatched state, -n, empty and new operators', async (t) => {
  const snap = {
    operators: [
      initialSnapshots(2),
      {
        uid: 'old-filter',
        parallelism: 1,
        maxParallelism: MAXP,
        subtasks: [{ subtaskIndex: 0, operator: { x: { mode: 'split' as const, items: [1] } } }],
      },
      { uid: 'stateless', parallelism: 1, maxParallelism: MAXP, subtasks: [{ subtaskIndex: 0 }] },
      {
        uid: 'empty-stores',
        parallelism: 1,
        maxParallelism: MAXP,
        subtasks: [
          {
            subtaskIndex: 0,
            operator: {},
            keyed: {
              keyGroupRange: { start: 0, end: 127 },
              state: { version: 1, keyGroupRange: { start: 0, end: 127 }, keyGroups: {} },
            },
          },
        ],
      },
    ],
    masterStates: new Map([['hook', 1]]),
  };
  const program: ProgramOperator[] = [
    { uid: 'counts', parallelism: 2, maxParallelism: MAXP },
    { uid: 'new-op', parallelism: 1, maxParallelism: MAXP },
  ];
  const err = (() => {
    try {
      assignRestoreState(snap, program, { allowNonRestoredState: false });
    } catch (e) {
      return e as Error & { code: string };
    }
    return undefined;
  })();
  t.equal(err?.code, 'RESTORE_UNMATCHED_STATE');
  t.equal(
    err?.message,
    'Cannot map checkpoint/savepoint state for operator old-filter to the new program, because the operator is not available in the new program. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI.',
  );
  t.equal(err?.message, unmatchedStateMessage('old-filter'));
  const a = assignRestoreState(snap, program, { allowNonRestoredState: true });
  t.same(a.skippedUids, ['old-filter']);
  t.same(a.emptyUids, ['stateless', 'empty-stores']);
  t.same(
    assignRestoreState({ operators: snap.operators.slice(2) }, [], { allowNonRestoredState: false }).emptyUids,
    ['stateless', 'empty-stores'],
    'stateless operators never block a restore',
  );
  t.same(a.newUids, ['new-op']);
  t.same([...a.operators.keys()], ['counts']);
  t.same([...a.masterStates], [['hook', 1]]);
});

t.test('max parallelism changes are rejected unless unconfigured', async (t) => {
  const snap = { operators: [initialSnapshots(2)] };
  t.throws(
    () =>
      assignRestoreState(snap, [{ uid: 'counts', parallelism: 2, maxParallelism: 256 }], {
        allowNonRestoredState: false,
      }),
    {
      code: 'RESTORE_MAX_PARALLELISM_CHANGED',
      message: /max parallelism 128.*max parallelism 256/,
    },
  );
  const a = assignRestoreState(
    snap,
    [{ uid: 'counts', parallelism: 4, maxParallelism: 256, maxParallelismConfigured: false }],
    { allowNonRestoredState: false },
  );
  t.same(a.adoptedMaxParallelism, [{ uid: 'counts', maxParallelism: 128 }]);
  t.same(a.operators.get('counts')!.subtasks[3]!.keyGroupRange, { start: 96, end: 127 });
  t.throws(
    () =>
      checkStateMapping(
        snap.operators,
        [{ uid: 'counts', parallelism: 200, maxParallelism: 256, maxParallelismConfigured: false }],
        { allowNonRestoredState: false },
      ),
    {
      code: 'RESTORE_MAX_PARALLELISM_CHANGED',
      message: /lower than the configured parallelism \(200\)/,
    },
  );
});
