/**
 * Finished tasks in the checkpoint coordinator (Flink's checkpoints after tasks finished): a final state
 * stands in for the task's acknowledgement of checkpoints from the one after its last own checkpoint; an
 * older pending checkpoint it never acknowledged cannot complete (aborted, not completed with a state taken
 * after its barrier); once every task finished, the final checkpoint is triggered at once, not an interval
 * later, and only once.
 */
import t, { type Test as Tap } from 'tap';
import { CheckpointCoordinator } from '../../../checkpoints/coordinator.js';
import { taskKey } from '../../../runtime/api/task-key.js';
import { installFakeClock } from '../../support/fake-clock.js';

const A = taskKey('a', 0);
const B = taskKey('b', 0);

function coordinator(t: Tap, intervalMs: number) {
  const triggered: number[] = [];
  const notices: string[] = [];
  const c = new CheckpointCoordinator(
    { intervalMs, timeoutMs: 60_000, minPauseMs: 0, maxConcurrent: 5, tolerableFailures: 10 },
    { persist: async (p) => ({ externalPath: `mem:${p.id}`, sizeBytes: 0 }) },
    {
      expectedTasks: () => [A, B],
      triggerSources: (id) => void triggered.push(id),
      notify: (id, completed) => void notices.push(`${completed ? 'completed' : 'aborted'} ${id}`),
      onCompleted: () => {},
      onFailed: () => {},
      onTolerableFailuresExceeded: () => {},
      log: () => {},
    },
  );
  t.teardown(() => c.stop());
  return { c, triggered, notices };
}

t.test('a final state stands in from the checkpoint after the last own one; older pending ones abort', async (t) => {
  const clock = installFakeClock(t);
  const { c, triggered, notices } = coordinator(t, 1000);
  c.start();
  clock.advance(1000);
  clock.advance(1000);
  t.same(triggered, [1, 2], 'checkpoints 1 and 2 pending');
  c.acknowledge(A, 2, []); // A's barrier 2 overtook 1 (subsumed); then A ends
  c.taskFinished(A, [], 3);
  await c.settled();
  t.same(notices, ['aborted 1'], 'checkpoint 1, which A never acknowledged, is aborted');
  c.acknowledge(B, 2, []);
  await c.settled();
  t.same(notices, ['aborted 1', 'completed 2'], "checkpoint 2 completes with A's own acknowledgement");
  clock.advance(1000);
  t.same(triggered, [1, 2, 3], 'checkpoint 3 triggered while B runs');
  c.acknowledge(B, 3, []);
  await c.settled();
  t.same(notices.at(-1), 'completed 3', "checkpoint 3 completes with A's final state");
});

t.test('the final checkpoint is triggered once every task finished, once', async (t) => {
  installFakeClock(t);
  const { c, triggered, notices } = coordinator(t, 60_000);
  c.start();
  c.taskFinished(A, [], 1);
  t.same(triggered, [], 'not while a task still runs');
  c.taskFinished(B, [], 1);
  await c.settled();
  t.same(triggered, [1], 'triggered at once when the last task finished');
  t.same(notices, ['completed 1'], 'and completed from the final states');
  c.taskFinished(B, [], 1); // a repeated report triggers nothing more
  t.same(triggered, [1], 'still one final checkpoint');
});

t.test('without periodic checkpoints no final checkpoint is triggered', async (t) => {
  installFakeClock(t);
  const { c, triggered } = coordinator(t, 0);
  c.start();
  c.taskFinished(A, [], 1);
  c.taskFinished(B, [], 1);
  t.same(triggered, [], 'nothing: finish commits at once there');
});
