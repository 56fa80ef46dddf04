/**
 * A full checkpoint disk: the injectable ENOSPC fault (active while a marker file exists, as a disk that
 * fills and is freed again) declines writes with CHECKPOINT_STORAGE and lets them through once freed; and
 * past the tolerable-failure limit the error says that restarts cannot help and names the setting.
 */
import t from 'tap';
import * as path from 'node:path';
import { rm, writeFile } from 'node:fs/promises';
import { toleranceExceededMessage } from '../../../checkpoints/coordinator.js';
import { CheckpointStorage } from '../../../checkpoints/storage.js';
import { defaultFs, diskFullWhile } from '../../../checkpoints/storage-fs.js';
import { tempDir } from './helpers.js';

const JOB = 'cca7bc1061d61cf15238e92312c2fc20';

t.test('writes fail with ENOSPC while the disk is full, and succeed once it is freed', async (t) => {
  const base = await tempDir(t);
  const marker = path.join(base, 'disk-full');
  const s = new CheckpointStorage({ checkpointsDir: path.join(base, 'ckpt'), fs: diskFullWhile(defaultFs(), marker) });
  await s.writeSubtaskState(JOB, 1, 'counts', 0, { operator: { a: 1 } });
  await writeFile(marker, '');
  await t.rejects(s.writeSubtaskState(JOB, 2, 'counts', 0, { operator: { a: 2 } }), {
    code: 'CHECKPOINT_STORAGE',
    message: /no space left on device \(ENOSPC\)/,
  });
  await t.rejects(s.writeSubtaskState(JOB, 1, 'counts', 1, { operator: { a: 3 } }), { message: /ENOSPC/ });
  await rm(marker);
  const h = await s.writeSubtaskState(JOB, 2, 'counts', 0, { operator: { a: 2 } });
  t.ok(h.operator, 'freed: the write succeeds');
});

t.test('the environment variable enables the fault for the default fs', async (t) => {
  const base = await tempDir(t);
  const marker = path.join(base, 'disk-full');
  await writeFile(marker, '');
  process.env.SLUICE_FAULT_CHECKPOINT_ENOSPC = marker;
  t.teardown(() => delete process.env.SLUICE_FAULT_CHECKPOINT_ENOSPC);
  const s = new CheckpointStorage({ checkpointsDir: path.join(base, 'ckpt') });
  await t.rejects(s.initializeJob(JOB), { code: 'CHECKPOINT_STORAGE', message: /ENOSPC/ });
});

t.test('past the tolerable limit, a storage failure names the setting and says restarts cannot help', async (t) => {
  const full = toleranceExceededMessage(
    0,
    'Checkpoint 7 failed: Writing /x/chk-7/op failed: no space left on device (ENOSPC)',
  );
  t.match(full, /Exceeded checkpoint tolerable failure threshold \(0\)/);
  t.match(full, /every restart will fail the same way/);
  t.match(full, /execution\.checkpointing\.tolerable-failed-checkpoints \(now 0\)/);
  const timeout = toleranceExceededMessage(2, 'Checkpoint 3 expired before completing');
  t.equal(
    timeout,
    'Exceeded checkpoint tolerable failure threshold (2); last failure: Checkpoint 3 expired before completing',
  );
});
