import t from 'tap';
import { JOB_STATUSES, JobStatusMachine, isGloballyTerminal } from '../../../runtime/jobmanager/job-status.js';

t.test('the checked transition table', async (t) => {
  let now = 1000;
  const seen: string[] = [];
  const m = new JobStatusMachine(
    () => now++,
    (a, b) => seen.push(`${a}->${b}`),
  );
  t.equal(m.status, 'INITIALIZING');
  t.throws(() => m.transition('FINISHED'), {
    code: 'JOB_INVALID_TRANSITION',
    message: /from INITIALIZING to FINISHED/,
  });
  m.transition('CREATED');
  m.transition('RUNNING');
  m.transition('FAILING');
  m.transition('RESTARTING');
  m.transition('CREATED');
  m.transition('RUNNING');
  m.transition('CANCELLING');
  m.transition('CANCELED');
  t.throws(() => m.transition('RUNNING'), { code: 'JOB_INVALID_TRANSITION' });
  t.same(seen, [
    'INITIALIZING->CREATED',
    'CREATED->RUNNING',
    'RUNNING->FAILING',
    'FAILING->RESTARTING',
    'RESTARTING->CREATED',
    'CREATED->RUNNING',
    'RUNNING->CANCELLING',
    'CANCELLING->CANCELED',
  ]);
  t.same(Object.keys(m.timestamps), [...JOB_STATUSES]);
  t.equal(m.timestamps.FINISHED, 0, 'unreached statuses stay 0');
  t.ok(isGloballyTerminal('CANCELED') && !isGloballyTerminal('RESTARTING'));
});
