import t from 'tap';
import * as path from 'node:path';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import {
  createManifest,
  manifestHandles,
  readManifest,
  validateManifest,
  verifyManifestFiles,
  writeManifest,
  type CheckpointManifest,
} from '../../../checkpoints/manifest.js';
import { writeStateFile } from '../../../checkpoints/state-file.js';
import { LocalStore } from '../../../checkpoints/store-local.js';
import { failingFs, tempDir } from './helpers.js';

const JOB = 'cca7bc1061d61cf15238e92312c2fc20';

async function sampleManifest(
  dir: string,
  kind: 'CHECKPOINT' | 'SAVEPOINT' = 'CHECKPOINT',
): Promise<CheckpointManifest> {
  const k0 = await writeStateFile(path.join(dir, 'k0.state'), { kg: 1 });
  const o0 = await writeStateFile(path.join(dir, 'o0.state'), { offsets: { mode: 'split', items: [1, 2] } });
  const enumr = await writeStateFile(path.join(dir, 'enum.state'), ['split-a']);
  return createManifest({
    checkpointId: 3,
    jobId: JOB,
    timestampMs: 1_700_000_000_000,
    kind,
    operators: [
      {
        uid: 'counts',
        parallelism: 2,
        maxParallelism: 128,
        subtasks: [
          {
            subtaskIndex: 0,
            keyed: { file: 'k0.state', ...k0, keyGroupRange: { start: 0, end: 63 } },
            operator: { file: 'o0.state', ...o0 },
          },
        ],
        coordinator: { file: 'enum.state', ...enumr },
      },
    ],
    masterStates: [{ name: 'hook', handle: { file: 'enum.state', ...enumr } }],
  });
}

t.test('manifest round trip, written last via temp file and rename', async (t) => {
  const dir = await tempDir(t);
  const m = await sampleManifest(dir);
  const target = await writeManifest(dir, m);
  t.equal(target, path.join(dir, '_metadata'));
  t.notOk(
    (await readdir(dir)).some((n) => n.includes('inprogress')),
    'no temp file left',
  );
  const back = await readManifest(target);
  t.same(back, m);
  t.equal(JSON.parse(await readFile(target, 'utf8')).version, 1);
  t.equal(manifestHandles(back).length, 4);
  const values = await verifyManifestFiles(dir, back);
  t.same(values.get('o0.state'), { offsets: { mode: 'split', items: [1, 2] } });
  await t.rejects(writeManifest(dir, m), { code: 'CHECKPOINT_STORAGE', message: /never overwritten/ });
});

t.test('verification catches a corrupted referenced file', async (t) => {
  const dir = await tempDir(t);
  const m = await sampleManifest(dir);
  await writeManifest(dir, m);
  const bytes = await readFile(path.join(dir, 'k0.state'));
  bytes[bytes.length - 1] ^= 1;
  await writeFile(path.join(dir, 'k0.state'), bytes);
  await t.rejects(verifyManifestFiles(dir, await readManifest(path.join(dir, '_metadata'))), {
    code: 'CHECKPOINT_CORRUPT',
    message: new RegExp(`${path.join(dir, 'k0.state')}.*sha256`),
  });
});

t.test('invalid manifests are CHECKPOINT_CORRUPT naming the file', async (t) => {
  const dir = await tempDir(t);
  const p = path.join(dir, '_metadata');
  await writeFile(p, '{"format":"sluice-checkpoint-metadata","vers');
  await t.rejects(readManifest(p), { code: 'CHECKPOINT_CORRUPT', message: /not valid JSON/ });
  const m = await sampleManifest(dir);
  const bad = (patch: (x: any) => void) => {
    const c = structuredClone(m) as any;
    patch(c);
    return c;
  };
  t.throws(
    () =>
      validateManifest(
        bad((c) => {
          c.version = 99;
        }),
        'X',
      ),
    { code: 'CHECKPOINT_CORRUPT', message: /X.*version 99/ },
  );
  t.throws(
    () =>
      validateManifest(
        bad((c) => {
          c.operators[0].subtasks[0].subtaskIndex = 5;
        }),
        'X',
      ),
    { message: /subtaskIndex/ },
  );
  t.throws(
    () =>
      validateManifest(
        bad((c) => {
          c.operators[0].subtasks[0].keyed.keyGroupRange.end = 128;
        }),
        'X',
      ),
    { message: /keyGroupRange/ },
  );
  t.throws(
    () =>
      validateManifest(
        bad((c) => {
          c.operators.push(c.operators[0]);
        }),
        'X',
      ),
    { message: /appears twice/ },
  );
  t.throws(
    () =>
      validateManifest(
        bad((c) => {
          c.operators[0].parallelism = 200;
        }),
        'X',
      ),
    { message: /parallelism/ },
  );
  t.throws(
    () =>
      validateManifest(
        bad((c) => {
          c.kind = 'SAVEPOINT';
          c.operators[0].coordinator.file = '../x.state';
        }),
        'X',
      ),
    { message: /relocatable/ },
  );
  t.doesNotThrow(
    () =>
      validateManifest(
        bad((c) => {
          // the job's own shared/ directory, one level up from chk-N (not a folder outside the job)
          c.operators[0].coordinator.file = ['..', 'shared', 'x.state'].join('/');
        }),
        'X',
      ),
    'checkpoints may reference shared/',
  );
});

t.test('a metadata write failure (disk full) is CHECKPOINT_STORAGE and leaves no _metadata', async (t) => {
  const dir = await tempDir(t);
  const m = await sampleManifest(dir);
  await t.rejects(writeManifest(dir, m, new LocalStore(failingFs('ENOSPC'))), {
    code: 'CHECKPOINT_STORAGE',
    message: /no space left on device \(ENOSPC\)/,
  });
  t.notOk((await readdir(dir)).includes('_metadata'));
  const failRename = {
    ...failingFs('EROFS', () => false),
    rename: (() => Promise.reject(Object.assign(new Error('ro'), { code: 'EROFS' }))) as never,
  };
  await t.rejects(writeManifest(dir, m, new LocalStore(failRename)), {
    code: 'CHECKPOINT_STORAGE',
    message: /read-only file system \(EROFS\)/,
  });
  t.same(
    (await readdir(dir)).filter((n) => n.startsWith('_metadata')),
    [],
    'temp file removed after a failed rename',
  );
});
