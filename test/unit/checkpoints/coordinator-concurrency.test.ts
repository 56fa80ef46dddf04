/**
 * max-concurrent-checkpoints counts a checkpoint until it is written, not only until every task acknowledged:
 * with slow storage (S3) the periodic trigger must wait for the write instead of piling up completions.
 */
import t from 'tap';
import { CheckpointCoordinator } from '../../../checkpoints/coordinator.js';
import { taskKey } from '../../../runtime/api/task-key.js';
import { installFakeClock } from '../../support/fake-clock.js';

const TASK = taskKey('v', 0);

t.test('a checkpoint being written blocks the next periodic trigger (max-concurrent 1)', async (t) => {
  const clock = installFakeClock(t);
  const triggered: number[] = [];
  const writes: Array<() => void> = [];
  const coordinator = new CheckpointCoordinator(
    { intervalMs: 100, timeoutMs: 60_000, minPauseMs: 0, maxConcurrent: 1, tolerableFailures: 0 },
    {
      persist: (p) =>
        new Promise((resolve) => writes.push(() => resolve({ externalPath: `mem:${p.id}`, sizeBytes: 0 }))),
    },
    {
      expectedTasks: () => [TASK],
      triggerSources: (id) => void triggered.push(id),
      notify: () => {},
      onCompleted: () => {},
      onFailed: () => {},
      onTolerableFailuresExceeded: () => {},
      log: () => {},
    },
  );
  t.teardown(() => coordinator.stop());
  coordinator.start();
  clock.advance(100);
  t.same(triggered, [1], 'checkpoint 1 triggered');
  coordinator.acknowledge(TASK, 1, []);
  t.equal(writes.length, 1, 'acknowledged by every task: its write is in progress');
  clock.advance(1000);
  t.same(triggered, [1], 'no new checkpoint while checkpoint 1 is being written');
  writes[0]!();
  await coordinator.settled();
  clock.advance(100);
  t.same(triggered, [1, 2], 'the next one once the write finished');
});
