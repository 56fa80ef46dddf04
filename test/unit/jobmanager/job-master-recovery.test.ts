/**
 * JobMaster failure handling while an attempt deploys: a worker lost while the job is CREATED goes through
 * the restart strategy (it used to end FAILED at once), a deployment waits for free slots instead of failing,
 * and a slot request that times out is a failure like any other (restarted, FAILED only when the strategy
 * gives up). Races of deployment with reports and cancels: subtasks finishing before the last deploy reply
 * finish the job; a cancel during deployment ends CANCELED (workers confirm for tasks they never created);
 * a cancel while the job waits for slots takes none. Workers are fakes on a real WorkerRegistry; no processes.
 */
import t from 'tap';
import { StreamExecutionEnvironment } from '../../../runtime/exports/index.js';
import { buildJobGraph } from '../../../runtime/graph/job-graph.js';
import { JobMaster } from '../../../runtime/jobmanager/job-master.js';
import { createRestartStrategy } from '../../../runtime/jobmanager/restart-strategy.js';
import { loadConfiguration } from '../../../runtime/config/index.js';

/** Restart options as Flink's keys (the typed configuration the job manager reads). */
type RestartKeys = Record<string, string>;
import { WorkerRegistry } from '../../../runtime/jobmanager/worker-registry.js';
import type { ConnectionToTaskWorker } from '../../../runtime/rpc/messages.js';

/** A worker connection whose `deploy` requests stay pending until the test settles them. */
function fakeConn() {
  const deploys: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const closers: Array<() => void> = [];
  const conn = {
    call(m: { kind: string }) {
      if (m.kind === 'cancel') return Promise.resolve(true); // as a worker answers once its tasks are cancelled
      if (m.kind !== 'deploy') return Promise.resolve({});
      return new Promise<void>((resolve, reject) => deploys.push({ resolve, reject }));
    },
    onClose(fn: () => void) {
      closers.push(fn);
    },
    close() {
      for (const d of deploys.splice(0)) d.reject(new Error('connection closed'));
    },
  };
  return { conn: conn as unknown as ConnectionToTaskWorker, deploys };
}

function setup(t: { teardown(fn: () => void): void }, restart: RestartKeys, slotRequestTimeoutMs = 60_000) {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
  env.fromSequence(0, 9).print();
  const jobGraph = buildJobGraph(env.graph, { defaultParallelism: 2 });
  const log: string[] = [];
  let job!: JobMaster;
  const registry = new WorkerRegistry(60_000, (w, reason) => job.onWorkerLost(w, reason));
  const addWorker = (id: string, numSlots = 2) => {
    const f = fakeConn();
    registry.register({
      id,
      host: '127.0.0.1',
      dataPort: 1,
      numSlots,
      conn: f.conn,
      hardware: { cpuCores: 1, physicalMemory: 1, freeMemory: 1 },
      memory: { heapLimitBytes: 0 },
    });
    return f;
  };
  job = new JobMaster(
    {
      jobId: 'a'.repeat(32),
      jobName: 'j',
      bundleCode: '',
      bundleSha256: '',
      args: [],
      defaultParallelism: 2,
      defaultMaxParallelism: 128,
      autoWatermarkIntervalMs: 200,
      jobGraph,
    },
    registry,
    (m) => void log.push(m),
    {
      restartStrategy: createRestartStrategy(loadConfiguration({ file: false, overrides: restart }).typed, true),
      restoreFor: async () => undefined,
      checkpointMode: 'EXACTLY_ONCE',
      slotRequestTimeoutMs,
    },
  );
  t.teardown(() => job.cancel());
  return { job, registry, addWorker, log };
}

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

t.test('a worker lost while the job deploys (CREATED) restarts the job', async (t) => {
  const { job, registry, addWorker } = setup(t, {
    'restart-strategy.type': 'exponential-delay',
    'restart-strategy.exponential-delay.initial-backoff': '10 ms',
    'restart-strategy.exponential-delay.max-backoff': '20 ms',
  });
  const a = addWorker('a');
  const seen: string[] = [];
  const orig = job.status.transition.bind(job.status);
  job.status.transition = (to) => {
    seen.push(to);
    orig(to);
  };
  void job.start();
  await until('the deploy request', () => a.deploys.length === 1);
  t.equal(job.status.status, 'CREATED');
  const b = addWorker('b');
  registry.lose('a', 'killed while deploying');
  t.not(job.status.status, 'FAILED', 'not terminal');
  await until('the next attempt deploys', () => b.deploys.length === 1);
  b.deploys[0]!.resolve();
  await until('RUNNING', () => job.status.status === 'RUNNING');
  t.same(seen, ['CREATED', 'FAILING', 'RESTARTING', 'CREATED', 'RUNNING']);
  t.equal(job.numRestarts, 1);
  t.match(job.exceptions[0]!.stacktrace, /killed while deploying/);
});

t.test('a deployment waits for free slots, then runs when a worker registers', async (t) => {
  const { job, addWorker, log } = setup(t, { 'restart-strategy.type': 'none' });
  const a = addWorker('a', 1);
  void job.start();
  await until('the wait is logged', () => log.some((l) => /waits for 2 free slots \(1 free\)/.test(l)));
  t.equal(job.status.status, 'CREATED', 'waiting, not failed');
  t.equal(a.deploys.length, 0);
  const b = addWorker('b', 1);
  await until('deploy to both workers', () => a.deploys.length === 1 && b.deploys.length === 1);
  a.deploys[0]!.resolve();
  b.deploys[0]!.resolve();
  await until('RUNNING', () => job.status.status === 'RUNNING');
  t.pass('running on the late worker');
});

t.test('a slot request that times out fails over through the restart strategy', async (t) => {
  const { job, addWorker } = setup(
    t,
    {
      'restart-strategy.type': 'fixed-delay',
      'restart-strategy.fixed-delay.attempts': '1',
      'restart-strategy.fixed-delay.delay': '10 ms',
    },
    50,
  );
  addWorker('a', 1);
  void job.start();
  const terminal = await job.whenTerminal();
  t.equal(terminal, 'FAILED');
  t.equal(job.numRestarts, 1, 'restarted once before the strategy gave up');
  t.equal(job.exceptions.length, 2);
  t.match(job.exceptions[1]!.stacktrace, /needs 2 slots .* after waiting 50 ms \(slot.request.timeout\)/);
});

t.test('subtasks that all finish before the last deploy reply still finish the job', async (t) => {
  // A short job (a handful of records) can run to its end on one worker while another worker's deploy reply
  // is still on its way: the job used to stay RUNNING for ever, since FINISHED was only checked on reports.
  const { job, addWorker } = setup(t, { 'restart-strategy.type': 'none' });
  const a = addWorker('a', 1);
  const b = addWorker('b', 1);
  void job.start();
  await until('deploy to both workers', () => a.deploys.length === 1 && b.deploys.length === 1);
  a.deploys[0]!.resolve();
  for (const s of job.subtasks.values()) job.onTaskState(job.attempt, s.vertexId, s.subtaskIndex, 'FINISHED');
  t.equal(job.status.status, 'CREATED', 'every subtask finished, one deploy reply still pending');
  b.deploys[0]!.resolve();
  t.equal(await job.whenTerminal(), 'FINISHED');
});

t.test('a cancel while the job deploys ends CANCELED, also for subtasks a worker never created', async (t) => {
  // The worker's deployment stops at the cancel before creating its tasks, so they never report: the job
  // used to stay CANCELLING for ever, holding its slots. The worker's confirmation of the cancel ends them.
  const { job, registry, addWorker } = setup(t, { 'restart-strategy.type': 'none' });
  const a = addWorker('a', 1);
  const b = addWorker('b', 1);
  void job.start();
  await until('deploy to both workers', () => a.deploys.length === 1 && b.deploys.length === 1);
  a.deploys[0]!.resolve();
  job.cancel();
  t.equal(job.status.status, 'CANCELLING');
  for (const s of job.subtasks.values())
    if (s.workerId === 'a') job.onTaskState(job.attempt, s.vertexId, s.subtaskIndex, 'CANCELED');
  b.deploys[0]!.reject(new Error('JOB_NOT_RUNNING: attempt 0 was cancelled while task worker b deployed it'));
  t.equal(await job.whenTerminal(), 'CANCELED');
  t.equal(registry.freeSlots(), 2, 'the slots are free again');
});

t.test('a cancel while the job waits for slots takes none when they free up', async (t) => {
  const { job, registry, addWorker, log } = setup(t, { 'restart-strategy.type': 'none' });
  addWorker('a', 1);
  const started = job.start();
  await until('the wait is logged', () => log.some((l) => /waits for 2 free slots \(1 free\)/.test(l)));
  job.cancel();
  addWorker('b', 1); // before the next look at the slots: enough are free when the deployment wakes up
  t.equal(await job.whenTerminal(), 'CANCELED');
  await started; // the deployment has given up
  t.equal(job.subtasks.size, 0, 'no subtask was placed');
  t.equal(registry.freeSlots(), 2, 'both slots free');
});
