/**
 * A cancel while a StreamTask awaits an operator (opening it at startup, finishing it at the end of input)
 * stops the task there: no later operator is opened after the close (it would never be closed: a collect
 * sink's buffer leaks), and a task cancelled during its end reports no final state and never turns FINISHED
 * after CANCELED. The task is built directly from fakes: no input channels, no writers.
 */
import t from 'tap';
import type { TaskState } from '../../../runtime/api/task-state.js';
import { systemClock } from '../../../runtime/platform/clock.js';
import { StreamTask, type SourceDriver, type TaskListener } from '../../../runtime/task/stream-task.js';

interface FakeOperator {
  open?(): Promise<void> | void;
  finish?(): Promise<void> | void;
  close?(): Promise<void> | void;
}

function gate(): { promise: Promise<void>; release(): void } {
  let release!: () => void;
  const promise = new Promise<void>((r) => {
    release = r;
  });
  return { promise, release };
}

/** Waits until `check()` holds, failing after a deadline. */
async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A few event-loop turns: what a released await would still do (to check that it does nothing). */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

function task(operators: FakeOperator[], source?: SourceDriver) {
  const states: TaskState[] = [];
  const finalStates: unknown[] = [];
  const listener: TaskListener = {
    onStateChange: (s) => void states.push(s),
    acknowledgeCheckpoint: () => {},
    declineCheckpoint: () => {},
    reportFinalState: (snapshots) => void finalStates.push(snapshots),
  };
  const drivers = operators.map((operator, i) => ({
    operator,
    opStore: undefined,
    keyed: undefined,
    takePending: () => undefined,
    freezeSnapshot: () => ({ uid: `op${i}` }),
  }));
  const processingTime = { quiesce: () => {} };
  const st = new StreamTask(
    'fake',
    drivers as never,
    [],
    [],
    source,
    processingTime as never,
    systemClock,
    listener,
    'EXACTLY_ONCE',
  );
  return { st, states, finalStates };
}

t.test('a cancel while an operator opens: the operators after it are never opened', async (t) => {
  const opening = gate();
  const calls: string[] = [];
  const { st, states } = task([
    {
      open: async () => {
        calls.push('open 0');
        await opening.promise;
      },
      close: () => void calls.push('close 0'),
    },
    { open: () => void calls.push('open 1'), close: () => void calls.push('close 1') },
  ]);
  const started = st.start(false);
  await until('operator 0 opening', () => calls.includes('open 0'));
  await st.cancel();
  opening.release();
  await started;
  await turns();
  t.same(calls, ['open 0', 'close 0', 'close 1'], 'operator 1 is not opened after the close');
  t.same(states, ['INITIALIZING', 'CANCELING', 'CANCELED']);
});

t.test('a cancel while the end of input finishes an operator: no final state, no FINISHED', async (t) => {
  const finishing = gate();
  let finishCalled = false;
  const source: SourceDriver = {
    pollBatch: () => 'END',
    availability: () => Promise.resolve(),
    drain: () => {},
    snapshot: () => ({ uid: 'src' }),
    close: async () => {},
  };
  const { st, states, finalStates } = task(
    [
      {
        finish: async () => {
          finishCalled = true;
          await finishing.promise;
        },
      },
    ],
    source,
  );
  await st.start(false);
  await until('the end of input reaching finish', () => finishCalled);
  t.ok(finishCalled, 'the end of input reached finish');
  await st.cancel();
  finishing.release();
  await turns();
  t.same(finalStates, [], 'no final state reported after the cancel');
  t.same(states, ['INITIALIZING', 'RUNNING', 'CANCELING', 'CANCELED'], 'CANCELED stays the last state');
});
