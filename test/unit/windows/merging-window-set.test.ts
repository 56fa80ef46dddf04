/**
 * MergingWindowSet (scenarios in the spirit of Flink's MergingWindowSetTest): state windows survive
 * merges, merge callbacks only for real merges, containment without a merge, retire, persistence in
 * keyed state.
 */
import t from 'tap';
import { EventTimeSessionWindows, MergingWindowSet, TimeWindow } from '../../../operators/windows/index.js';
import { createKeyedStateBackend } from '../../../runtime/state/index.js';

const w = (s: number, e: number) => new TimeWindow(s, e);
const str = (ws: TimeWindow[]) => ws.map((x) => x.toString()).sort();

t.test('add, merge, contain, retire, persist', async (t) => {
  const backend = createKeyedStateBackend({ maxParallelism: 128, keyGroupRange: { start: 0, end: 127 } });
  backend.setCurrentKey('k');
  const assigner = EventTimeSessionWindows.withGap(1) as never;
  const set = new MergingWindowSet(assigner, backend);
  const calls: string[] = [];
  const fn = (r: TimeWindow, merged: TimeWindow[], stateResult: TimeWindow, mergedState: TimeWindow[]) =>
    void calls.push(
      `${r.toString()} from ${str(merged).join(',')} state ${stateResult.toString()} merging ${str(mergedState).join(',')}`,
    );

  t.ok(set.addWindow(w(1, 2), fn).equals(w(1, 2)));
  t.ok(set.getStateWindow(w(1, 2))!.equals(w(1, 2)));
  t.ok(set.addWindow(w(3, 5), fn).equals(w(3, 5)));
  t.same(calls, [], 'no merge for disjoint windows');
  t.ok(set.addWindow(w(2, 3), fn).equals(w(1, 5)), 'the bridging window merges all three');
  t.same(
    calls.splice(0),
    ['1:5 from 1:2,3:5 state 1:2 merging 3:5'],
    'the new window is not among the merged; one state window is kept',
  );
  t.ok(set.getStateWindow(w(1, 5))!.equals(w(1, 2)), 'the merge result keeps the earliest state window');
  t.ok(set.addWindow(w(2, 4), fn).equals(w(1, 5)));
  t.same(calls, [], 'a window inside an in-flight window merges without a callback');
  set.persist();

  const reloaded = new MergingWindowSet(assigner, backend);
  t.same(str(reloaded.windows()), ['1:5']);
  t.ok(reloaded.getStateWindow(w(1, 5))!.equals(w(1, 2)), 'mapping read back from keyed state');
  reloaded.retireWindow(w(1, 5));
  t.throws(() => reloaded.retireWindow(w(1, 5)), { code: 'WINDOW_STATE_INCONSISTENT' });
  reloaded.persist();
  t.same(new MergingWindowSet(assigner, backend).windows(), [], 'retired and persisted');
  backend.setCurrentKey('other');
  t.same(new MergingWindowSet(assigner, backend).windows(), [], 'per key');
});
