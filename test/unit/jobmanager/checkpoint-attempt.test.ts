/**
 * A checkpoint belongs to the execution attempt whose tasks took it: its completion notice carries that
 * attempt, and a task worker delivers a notice only to the tasks of the same attempt. A checkpoint of a
 * failed attempt whose write finishes after the restart began must not make the new attempt's sinks commit
 * (their transactions are not covered by it). Likewise a failed attempt's final state that arrives between
 * the failure and the restart must not stand in for the next attempt's task in its checkpoints.
 */
import t, { type Test } from 'tap';
import { taskKey } from '../../../runtime/api/task-key.js';
import { loadConfiguration } from '../../../runtime/config/index.js';
import { JobCheckpointing } from '../../../runtime/jobmanager/job-checkpointing.js';
import type { JobMaster } from '../../../runtime/jobmanager/job-master.js';
import { TaskWorker } from '../../../runtime/taskworker/task-worker.js';

const TASK = taskKey('v', 0);

interface Sent {
  kind: string;
  body: { attempt: number; checkpointId: number; completed?: boolean };
}

/** The parts of a JobMaster that JobCheckpointing uses: one vertex of one subtask, messages recorded. */
function fakeJob(sent: Sent[]) {
  return {
    jobId: 'a'.repeat(32),
    attempt: 1,
    status: { status: 'RUNNING' as string },
    sub: { jobGraph: { vertices: [{ id: 'v', parallelism: 1, chain: [] }] } },
    taskKeys: () => [TASK],
    broadcastToWorkers: (m: Sent) => void sent.push(m),
    fail: () => {},
  };
}

function checkpointing(t: Test, job: ReturnType<typeof fakeJob>): JobCheckpointing {
  const cp = new JobCheckpointing(
    {
      checkpointsDir: t.testdir(),
      intervalMs: 0,
      timeoutMs: 60_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      tolerableFailures: 0,
      numRetained: 1,
      retention: 'DELETE_ON_CANCELLATION',
      mode: 'EXACTLY_ONCE',
      allowNonRestoredState: false,
    },
    () => job as unknown as JobMaster,
    () => {},
  );
  t.teardown(() => cp.stop());
  return cp;
}

t.test('a checkpoint written after a restart began is announced for its own attempt', async (t) => {
  const sent: Sent[] = [];
  const job = fakeJob(sent);
  const cp = checkpointing(t, job);
  cp.startAttempt();
  const completed = cp.checkpointNow();
  cp.acknowledge(TASK, 1, []); // every task acknowledged: the checkpoint is being written
  // the attempt fails and the next one starts before the write finished
  cp.stop();
  job.attempt = 2;
  cp.startAttempt();
  const info = await completed;
  t.equal(info.id, 1, 'checkpoint 1 completed');
  const notices = sent.filter((m) => m.kind === 'notifyCheckpoint' && m.body.checkpointId === 1);
  t.same(
    notices.map((m) => m.body),
    [{ jobId: job.jobId, attempt: 1, checkpointId: 1, completed: true }],
    'announced once, for attempt 1 (whose tasks took it), not for attempt 2',
  );
});

t.test(
  "a failed attempt's final state arriving before the restart does not stand in for the next attempt",
  async (t) => {
    const job = fakeJob([]);
    const cp = checkpointing(t, job);
    cp.startAttempt();
    // attempt 1 fails: checkpointing stops, the job waits out the restart delay (the attempt is still 1)
    job.status.status = 'RESTARTING';
    cp.stop();
    cp.taskFinished(TASK, [], 1); // attempt 1's end-of-input state, late: it passes the attempt filter
    job.attempt = 2;
    job.status.status = 'RUNNING';
    cp.startAttempt();
    const completed = cp.checkpointNow();
    const early = await Promise.race([
      completed.then(() => 'completed'),
      new Promise((r) => setTimeout(() => r('pending'), 300)),
    ]);
    t.equal(early, 'pending', "checkpoint 1 waits for attempt 2's task (the stale final state is not its part)");
    cp.acknowledge(TASK, 1, []);
    t.equal((await completed).id, 1, "checkpoint 1 completes with attempt 2's acknowledgement");
  },
);

t.test("a task worker delivers a checkpoint notice only to the same attempt's tasks", async (t) => {
  const worker = new TaskWorker({
    jobManagerHost: '127.0.0.1',
    jobManagerPort: 0,
    dataPort: 0,
    secret: 'attempt',
    config: loadConfiguration({ file: false }).typed,
    log: () => {},
  }); // not started: only its message handlers are used
  const delivered: string[] = [];
  const task = {
    notifyCheckpointComplete: (id: number) => void delivered.push(`complete ${id}`),
    notifyCheckpointAborted: (id: number) => void delivered.push(`aborted ${id}`),
  };
  const internals = worker as unknown as {
    jobs: Map<string, unknown>;
    handlers(): { notifyCheckpoint(b: Sent['body'] & { jobId: string }): boolean };
  };
  internals.jobs.set('job', { jobId: 'job', attempt: 2, tasks: new Map([[TASK, task]]), graph: { vertices: [] } });
  const notify = internals.handlers().notifyCheckpoint;
  t.equal(notify({ jobId: 'job', attempt: 1, checkpointId: 4, completed: true }), false, 'attempt 1: refused');
  t.same(delivered, [], "nothing reaches attempt 2's tasks");
  t.equal(notify({ jobId: 'job', attempt: 2, checkpointId: 5, completed: true }), true, 'attempt 2: delivered');
  t.equal(notify({ jobId: 'job', attempt: 2, checkpointId: 6, completed: false }), true, 'an abort too');
  t.same(delivered, ['complete 5', 'aborted 6'], "attempt 2's notices reach its task");
});
