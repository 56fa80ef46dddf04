import t from 'tap';
import { mergeTrees, profileToTree, selectThreadStates } from '../../../runtime/diagnostics/cpu-profile.js';
import { backPressureLevel } from '../../../runtime/jobmanager/vertex-views.js';
import { ioMetrics, stats, statusDuration, sumIoMetrics } from '../../../runtime/jobmanager/subtask-views.js';
import type { SubtaskInfo } from '../../../runtime/jobmanager/job-master.js';

t.test("back-pressure levels are Flink's thresholds", async (t) => {
  t.same([0, 0.1, 0.1001, 0.5, 0.5001, 1].map(backPressureLevel), ['ok', 'ok', 'low', 'low', 'high', 'high']);
});

t.test('status durations: time until the next state reached, -1 for states never entered', async (t) => {
  const st = {
    timestamps: { CREATED: 1000, SCHEDULED: 1000, DEPLOYING: 1010, INITIALIZING: 1500, RUNNING: 1600, CANCELED: 2600 },
  } as unknown as SubtaskInfo;
  t.same(statusDuration(st, 9999), { CREATED: 0, SCHEDULED: 10, DEPLOYING: 490, INITIALIZING: 100, RUNNING: 1000 });
  const running = { timestamps: { CREATED: 1000, DEPLOYING: 1000, RUNNING: 1200 } } as unknown as SubtaskInfo;
  t.same(statusDuration(running, 1700), { CREATED: 0, SCHEDULED: -1, DEPLOYING: 200, INITIALIZING: -1, RUNNING: 500 });
});

t.test('IO metrics: unreported figures are 0 and incomplete; sums are complete only when every part is', async (t) => {
  const a = ioMetrics({ numBytesIn: 10, numBytesOut: 5, numRecordsIn: 2, numRecordsOut: 1, accumulatedBusyTime: 7 });
  const b = ioMetrics({ numRecordsIn: 3 });
  t.equal(a['read-bytes-complete'], true);
  t.equal(b['read-bytes-complete'], false);
  const s = sumIoMetrics([a, b]);
  t.equal(s['read-records'], 5);
  t.equal(s['read-bytes'], 10);
  t.equal(s['read-bytes-complete'], false);
  t.equal(s['accumulated-busy-time'], 7);
  t.same(stats([4, 1, 3, 2]), { min: 1, max: 4, avg: 3, sum: 10, median: 2, p25: 1, p75: 3 });
});

t.test("a V8 profile becomes Flink's flame-graph tree; ON/OFF-CPU views and merging", async (t) => {
  const cf = (functionName: string, url = '') => ({ functionName, url, lineNumber: 9 });
  const tree = profileToTree([
    { id: 1, callFrame: cf('(root)'), hitCount: 0, children: [2, 3, 4] },
    { id: 2, callFrame: cf('(idle)'), hitCount: 6 },
    { id: 3, callFrame: cf('processElement', 'file:///app/op.js'), hitCount: 1, children: [5] },
    { id: 4, callFrame: cf('(program)'), hitCount: 0 },
    { id: 5, callFrame: cf(''), hitCount: 3 },
  ]);
  t.equal(tree.name, 'root');
  t.equal(tree.value, 10, 'all samples');
  t.same(
    tree.children.map((c) => [c.name, c.value]),
    [
      ['(idle)', 6],
      ['processElement (app/op.js:10)', 4],
    ],
    'frames without samples dropped, values include descendants',
  );
  t.equal(tree.children[1]!.children[0]!.name, '(anonymous)');
  t.equal(selectThreadStates(tree, 'ON_CPU').value, 4);
  t.same(
    selectThreadStates(tree, 'OFF_CPU').children.map((c) => c.name),
    ['(idle)'],
  );
  const merged = mergeTrees([tree, tree]);
  t.equal(merged.value, 20);
  t.equal(merged.children.find((c) => c.name === '(idle)')!.value, 12);
});
