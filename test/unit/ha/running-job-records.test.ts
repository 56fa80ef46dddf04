/**
 * Without HA, a job manager records its running jobs beside the checkpoints so a restarted one can name the
 * jobs it lost: in `<execution.checkpointing.dir>/_running-jobs/`, on whichever storage that directory is —
 * a local path, or S3 for an `s3://` directory (objects in the bucket, never a local `s3:` folder).
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfiguration } from '../../../runtime/config/index.js';
import { createHaServices } from '../../../runtime/ha/create-ha-services.js';
import type { SubmittedJob } from '../../../runtime/ha/ha-services.js';
import { platform } from '../../../runtime/platform/index.js';
import { startS3Server } from '../../../bench/stand-ins/s3-server.js';
import { tempDirs } from '../../support/cluster-harness.js';

const BUCKET = 'sluice-records';
const job = (jobId: string): SubmittedJob => ({ jobId, jobName: 'j', args: [], submittedAtMs: 1 });
const ID = 'a'.repeat(32);

t.test('records under a local checkpoint directory', async (t) => {
  const [dir] = tempDirs(t, 'records');
  const config = loadConfiguration({ file: false, overrides: { 'execution.checkpointing.dir': dir! } }).typed;
  const ha = await createHaServices(config, { contenderId: 'jm', log: () => {}, recordRunningJobs: true });
  await ha.jobStore.put(job(ID), '');
  t.ok(existsSync(join(dir!, '_running-jobs', `${ID}.json`)));
  t.same(await ha.jobStore.jobIds(), [ID]);
  await ha.jobStore.remove(ID);
  t.same(await ha.jobStore.jobIds(), []);
});

t.test('records under an s3:// checkpoint directory go to the bucket', async (t) => {
  const s3 = await startS3Server([BUCKET]);
  t.teardown(() => s3.close());
  const [cwd] = tempDirs(t, 'records-cwd');
  const before = process.cwd();
  process.chdir(cwd!); // a stray relative `s3:/…` folder would appear here
  t.teardown(() => process.chdir(before));
  const config = loadConfiguration({
    file: false,
    overrides: { ...s3.config, 'execution.checkpointing.dir': `s3://${BUCKET}/chk/` },
  }).typed;
  const ha = await createHaServices(config, { contenderId: 'jm', log: () => {}, recordRunningJobs: true });
  await ha.jobStore.put(job(ID), '');
  t.same(await ha.jobStore.jobIds(), [ID]);
  t.equal((await ha.jobStore.get(ID))?.job.jobId, ID);
  const keys = (await platform.s3.client(s3.settings).list(BUCKET, '')).objects.map((o) => o.key);
  t.same(keys, [`chk/_running-jobs/${ID}.json`], 'one object in the bucket');
  t.notOk(existsSync(join(cwd!, 's3:')), 'no local s3: folder');
  await ha.jobStore.remove(ID);
  t.same(await ha.jobStore.jobIds(), []);
});
