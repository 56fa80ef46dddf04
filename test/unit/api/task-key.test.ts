import t from 'tap';
import { isTaskKey, parseTaskKey, taskKey, taskKeyParts } from '../../../runtime/api/task-key.js';

t.test('taskKey formats "vertexId#subtaskIndex" and taskKeyParts reads it back', async (t) => {
  const vid = 'bc764cd8ddf7a0cff126f51c16239658';
  const k = taskKey(vid, 3);
  t.equal(k, `${vid}#3`);
  t.same(taskKeyParts(k), { vertexId: vid, subtaskIndex: 3 });
  t.same(taskKeyParts(taskKey('v', 0)), { vertexId: 'v', subtaskIndex: 0 });
  for (const [v, s] of [
    ['a', 0],
    ['source-1', 17],
    ['x.y/z', 127],
  ] as const) {
    const parts = taskKeyParts(taskKey(v, s));
    t.equal(taskKey(parts.vertexId, parts.subtaskIndex), taskKey(v, s), `round trip of ${v}/${s}`);
  }
});

t.test('taskKey refuses parts that would not parse back', async (t) => {
  t.throws(() => taskKey('', 0), { code: 'TASK_KEY_INVALID', message: /vertex id/ });
  t.throws(() => taskKey('a#b', 0), { code: 'TASK_KEY_INVALID', message: /no '#'/ });
  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])
    t.throws(() => taskKey('v', bad), { code: 'TASK_KEY_INVALID', message: /subtask index/ }, String(bad));
});

t.test('parseTaskKey accepts exactly what taskKey makes', async (t) => {
  t.equal(parseTaskKey('v#0'), taskKey('v', 0));
  t.equal(parseTaskKey('abc#12'), taskKey('abc', 12));
  for (const bad of ['', '#1', 'v#', 'v', 'v#01', 'v#-1', 'v#1.0', 'v#1e3', 'a#b#1', 'v# 1', 'v#99999999999999999'])
    t.throws(() => parseTaskKey(bad), { code: 'TASK_KEY_INVALID', message: /is not a task key/ }, bad);
  t.ok(isTaskKey('v#7'));
  t.notOk(isTaskKey('v#07'));
  t.notOk(isTaskKey('a#b#7'));
});
