import t from 'tap';
import type { OperatorContext } from '../../../runtime/api/operator.js';
import { createRuntimeContext } from '../../../runtime/api/runtime-context.js';
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../runtime/api/state.js';
import { assignToKeyGroup, computeKeyGroupRangeForOperatorIndex } from '../../../runtime/keygroups/index.js';
import { createKeyedStateBackend, SubtaskQueryableStates } from '../../../runtime/state/index.js';

const full = { start: 0, end: 127 };

t.test('every state kind reads by key; absent keys are empty; the current key is kept', async (t) => {
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full });
  const q = new SubtaskQueryableStates();
  const value = new ValueStateDescriptor<number>('v').setQueryable('value');
  const list = new ListStateDescriptor<string>('l').setQueryable('list');
  const map = new MapStateDescriptor<string, number>('m').setQueryable('map');
  const reducing = new ReducingStateDescriptor<number>('r', (a, c) => a + c).setQueryable('sum');
  const aggregating = new AggregatingStateDescriptor<number, [number, number], number>('a', {
    createAccumulator: () => [0, 0],
    add: (x, acc) => [acc[0] + x, acc[1] + 1],
    getResult: (acc) => acc[0] / acc[1],
  }).setQueryable('mean');
  for (const d of [value, list, map, reducing, aggregating]) q.registerKeyed(d, b, 'op');
  t.same(q.names(), ['list', 'map', 'mean', 'sum', 'value']);
  b.setCurrentKey('alice');
  b.getState(value).update(3);
  b.getState(list).addAll(['x', 'y']);
  b.getState(map).put('k', 1);
  b.getState(reducing).add(4);
  b.getState(reducing).add(5);
  b.getState(aggregating).add(2);
  b.getState(aggregating).add(4);
  b.setCurrentKey('bob');
  b.getState(value).update(9);

  const kg = assignToKeyGroup('alice', 128);
  t.same(q.query('value', 'alice'), { status: 'ok', kind: 'value', operatorName: 'op', keyGroup: kg, value: 3 });
  t.same((q.query('list', 'alice') as { value: unknown }).value, ['x', 'y']);
  t.same((q.query('map', 'alice') as { value: unknown }).value, [['k', 1]]);
  t.equal((q.query('sum', 'alice') as { value: unknown }).value, 9);
  t.equal((q.query('mean', 'alice') as { value: unknown }).value, 3);
  t.equal(b.getCurrentKey(), 'bob', 'the current key is restored after a query');
  t.equal(b.getState(value).value(), 9);
  for (const name of ['value', 'list', 'map', 'sum', 'mean'])
    t.equal(q.query(name, 'carol').status, 'empty', `${name}: a key without state is empty`);
  t.same(b.getKeys('l', ''), ['alice'], 'queries create no state');
  t.same(q.query('nothing', 'alice'), { status: 'unknown' });
});

t.test('a key of another subtask is not-owner, never read', async (t) => {
  const range = computeKeyGroupRangeForOperatorIndex(128, 2, 0);
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: range });
  const q = new SubtaskQueryableStates();
  q.registerKeyed(new ValueStateDescriptor<number>('v').setQueryable('value'), b, 'op');
  let foreign = 0;
  while (assignToKeyGroup(`k${foreign}`, 128) <= range.end) foreign++;
  const answer = q.query('value', `k${foreign}`);
  t.same(answer, { status: 'not-owner', keyGroup: assignToKeyGroup(`k${foreign}`, 128), keyGroupRange: range });
});

t.test('views by key and duplicate names', async (t) => {
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full });
  const q = new SubtaskQueryableStates();
  q.registerView('model-stats', b, 'serve', (k) => (k === 'm' ? { usage: 5 } : undefined));
  t.match(q.query('model-stats', 'm'), { status: 'ok', kind: 'view', value: { usage: 5 } });
  t.equal(q.query('model-stats', 'x').status, 'empty');
  const d = new ValueStateDescriptor<number>('v').setQueryable('value');
  q.registerKeyed(d, b, 'op');
  q.registerKeyed(d, b, 'op');
  t.pass('registering the same state twice (every getState call) is a no-op');
  t.throws(() => q.registerKeyed(new ValueStateDescriptor<number>('w').setQueryable('value'), b, 'op'), {
    code: 'STATE_QUERYABLE_DUPLICATE',
  });
  t.throws(() => new ValueStateDescriptor('v').setQueryable(''), TypeError);
});

t.test('a rich function registers queryable state when it obtains the handle', async (t) => {
  const b = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: full });
  const q = new SubtaskQueryableStates();
  const ctx = { operatorName: 'count', keyedStateBackend: b, queryableStates: q } as unknown as OperatorContext;
  const rc = createRuntimeContext(ctx);
  const plain = rc.getState(new ValueStateDescriptor<number>('plain'));
  const count = rc.getState(new ValueStateDescriptor<number>('count').setQueryable('counts'));
  b.setCurrentKey('a');
  plain.update(1);
  count.update(2);
  t.same(q.names(), ['counts'], 'only descriptors declared queryable are exposed');
  t.match(q.query('counts', 'a'), { status: 'ok', value: 2, operatorName: 'count' });
});
