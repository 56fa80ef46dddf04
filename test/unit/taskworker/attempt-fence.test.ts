/**
 * The task worker's attempt fence (runtime/taskworker/attempt-fence.ts): a deployment in progress learns
 * that the job manager cancelled its attempt, that a newer attempt began, or that the job manager was lost;
 * nothing else stops it.
 */
import t from 'tap';
import { AttemptFence } from '../../../runtime/taskworker/attempt-fence.js';

t.test('a deployment goes on until its attempt is cancelled', async (t) => {
  const f = new AttemptFence();
  const stopped = f.begin('job', 3);
  t.equal(stopped(), undefined, 'nothing happened: go on');
  f.cancel('other-job', 7);
  f.cancel('job', 2);
  t.equal(stopped(), undefined, 'a cancel of another job or of an older attempt does not stop it');
  f.cancel('job', 3);
  t.equal(stopped(), 'cancelled', 'its own attempt cancelled while it deployed');
});

t.test('an attempt cancelled before its deployment arrived is never deployed', async (t) => {
  const f = new AttemptFence();
  f.cancel('job', 4); // the cancel overtook the deploy (sent while the job manager read the restore)
  t.equal(f.begin('job', 4)(), 'cancelled');
  t.equal(f.begin('job', 3)(), 'cancelled', 'nor any older attempt');
  t.equal(f.begin('job', 5)(), undefined, 'the next attempt deploys');
});

t.test('a newer attempt supersedes an older deployment still in progress', async (t) => {
  const f = new AttemptFence();
  const older = f.begin('job', 1);
  const newer = f.begin('job', 2);
  t.equal(older(), 'superseded');
  t.equal(newer(), undefined);
});

t.test('losing the job manager stops every deployment and forgets its attempt numbers', async (t) => {
  const f = new AttemptFence();
  const inProgress = f.begin('job', 6);
  f.cancel('job', 9);
  f.reset();
  t.equal(inProgress(), 'cancelled', 'the lost job manager deployment stops');
  t.equal(f.begin('job', 0)(), undefined, 'a new job manager counts attempts from its own start');
});
