import t from 'tap';
import { STOP_PHASES, type StopPhase, StopWithSavepoint } from '../../../runtime/task/stop-with-savepoint.js';

/** A machine driven into `phase` through its events (savepoint 5). */
function at(phase: StopPhase, seen: string[] = []): StopWithSavepoint {
  const m = new StopWithSavepoint('Sink (1/2)', (from, to) => seen.push(`${from}->${to}`));
  if (phase === 'RUNNING') return m;
  if (phase === 'ENDED') {
    m.inputEnded();
    return m;
  }
  m.savepointAcknowledged(5);
  if (phase === 'END_DEFERRED') m.inputEnded();
  if (phase === 'SAVEPOINT_COMPLETED') m.checkpointCompleted(5);
  return m;
}

t.test('the transition table: every allowed pair and every refused one', async (t) => {
  const allowed = new Set([
    'RUNNING->SAVEPOINT_ACKNOWLEDGED',
    'RUNNING->ENDED',
    'SAVEPOINT_ACKNOWLEDGED->END_DEFERRED',
    'SAVEPOINT_ACKNOWLEDGED->SAVEPOINT_COMPLETED',
    'SAVEPOINT_ACKNOWLEDGED->RUNNING',
    'END_DEFERRED->ENDED',
    'END_DEFERRED->RUNNING',
    'SAVEPOINT_COMPLETED->ENDED',
  ]);
  for (const from of STOP_PHASES)
    for (const to of STOP_PHASES) {
      const m = at(from);
      t.equal(m.phase, from);
      const pair = `${from}->${to}`;
      t.equal(m.canTransition(to), allowed.has(pair), pair);
      if (allowed.has(pair)) {
        m.transition(to);
        t.equal(m.phase, to, pair);
      } else
        t.throws(() => m.transition(to), {
          name: 'SluiceError',
          code: 'TASK_INVALID_TRANSITION',
          message: new RegExp(`task Sink \\(1/2\\): stop-with-savepoint cannot go from ${from} to ${to}`),
        });
    }
});

t.test('stop with savepoint: acknowledged, input ends, savepoint completes, task ends', async (t) => {
  const seen: string[] = [];
  const m = at('RUNNING', seen);
  t.notOk(m.stopping);
  m.savepointAcknowledged(5);
  t.ok(m.stopping, 'a source emits nothing after the barrier');
  t.equal(m.checkpointCompleted(4), 'continue', 'an earlier checkpoint does not complete the stop');
  t.equal(m.checkpointAborted(6), 'continue', 'another checkpoint aborted does not cancel the stop');
  t.equal(m.inputEnded(), 'defer', 'the end waits for the savepoint');
  t.equal(m.checkpointCompleted(5), 'end', 'the deferred end happens on completion');
  t.notOk(m.stopping);
  t.same(seen, ['RUNNING->SAVEPOINT_ACKNOWLEDGED', 'SAVEPOINT_ACKNOWLEDGED->END_DEFERRED', 'END_DEFERRED->ENDED']);
  t.throws(() => m.inputEnded(), { code: 'TASK_INVALID_TRANSITION' }, 'a task ends once');
});

t.test('savepoint completes before the input ends (a downstream task)', async (t) => {
  const seen: string[] = [];
  const m = at('RUNNING', seen);
  m.savepointAcknowledged(5);
  t.equal(m.checkpointCompleted(5), 'continue');
  t.equal(m.phase, 'SAVEPOINT_COMPLETED');
  t.equal(m.checkpointCompleted(6), 'continue', 'later completions change nothing');
  t.equal(m.checkpointAborted(5), 'continue', 'an abort after completion changes nothing');
  t.equal(m.inputEnded(), 'end');
  t.same(seen, [
    'RUNNING->SAVEPOINT_ACKNOWLEDGED',
    'SAVEPOINT_ACKNOWLEDGED->SAVEPOINT_COMPLETED',
    'SAVEPOINT_COMPLETED->ENDED',
  ]);
});

t.test('an aborted stop savepoint lets the task run on and stop again later', async (t) => {
  for (const phase of ['SAVEPOINT_ACKNOWLEDGED', 'END_DEFERRED'] as const) {
    const m = at(phase);
    t.equal(m.checkpointAborted(5), 'resume', `aborted in ${phase}`);
    t.equal(m.phase, 'RUNNING');
    t.notOk(m.stopping);
    t.equal(m.checkpointCompleted(5), 'continue', 'the aborted savepoint no longer ends anything');
    m.savepointAcknowledged(9);
    t.equal(m.checkpointCompleted(9), 'continue');
    t.equal(m.inputEnded(), 'end');
  }
});

t.test('without a stop: checkpoints change nothing and the input end ends the task', async (t) => {
  const m = at('RUNNING');
  t.equal(m.checkpointCompleted(1), 'continue');
  t.equal(m.checkpointAborted(2), 'continue');
  t.equal(m.phase, 'RUNNING');
  t.equal(m.inputEnded(), 'end');
  t.equal(m.phase, 'ENDED');
});

t.test('a second stop savepoint while one is in progress is an internal error', async (t) => {
  for (const phase of ['SAVEPOINT_ACKNOWLEDGED', 'END_DEFERRED', 'SAVEPOINT_COMPLETED', 'ENDED'] as const)
    t.throws(() => at(phase).savepointAcknowledged(7), { code: 'TASK_INVALID_TRANSITION' }, phase);
});
