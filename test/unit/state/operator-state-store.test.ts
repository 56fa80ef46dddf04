import t from 'tap';
import { pack, unpack } from 'msgpackr';
import { ListStateDescriptor, MapStateDescriptor } from '../../../runtime/api/state.js';
import { createOperatorStateStore, type OperatorStateSnapshot } from '../../../runtime/state/index.js';

t.test('list, union and broadcast state snapshot and restore', async (t) => {
  const s = createOperatorStateStore();
  const offsets = s.getListState(new ListStateDescriptor<number>('offsets'));
  offsets.addAll([1, 2]);
  offsets.add(3);
  const u = s.getUnionListState(new ListStateDescriptor<string>('u'));
  u.update(['x']);
  const model = s.getBroadcastState(new MapStateDescriptor<string, { v: number }>('model'));
  model.put('m1', { v: 1 });
  model.putAll([['m2', { v: 2 }]]);
  model.remove('m1');
  t.equal(s.getListState(new ListStateDescriptor<number>('offsets')), offsets, 'same handle');
  t.throws(() => s.getUnionListState(new ListStateDescriptor('offsets')), {
    code: 'API_INVALID_ARGUMENT',
    message: /list state/,
  });

  const snap = unpack(pack(s.snapshot())) as OperatorStateSnapshot;
  t.same(snap, {
    offsets: { mode: 'split', items: [1, 2, 3] },
    u: { mode: 'union', items: ['x'] },
    model: { mode: 'broadcast', entries: [['m2', { v: 2 }]] },
  });
  offsets.add(4); // snapshot is a copy
  t.same((snap.offsets as { items: unknown[] }).items, [1, 2, 3]);

  const r = createOperatorStateStore();
  r.restore(snap);
  t.same(r.getListState(new ListStateDescriptor<number>('offsets')).get(), [1, 2, 3]);
  t.same(r.getUnionListState(new ListStateDescriptor<string>('u')).get(), ['x']);
  const b = r.getBroadcastState(new MapStateDescriptor<string, { v: number }>('model'));
  t.same(b.get('m2'), { v: 2 });
  t.ok(b.contains('m2'));
  t.notOk(b.contains('m1'));
  t.same([...b.immutableEntries()], [['m2', { v: 2 }]]);
  b.clear();
  t.same([...b.entries()], []);
  const l = r.getListState(new ListStateDescriptor<number>('offsets'));
  l.clear();
  t.same(l.get(), []);
  t.same(r.stateNames().sort(), ['model', 'offsets', 'u']);
});
