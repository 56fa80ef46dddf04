/** Test helpers for checkpoint tests: temp directories removed on teardown, failure-injecting fs. */
import * as path from 'node:path';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { CheckpointFs } from '../../../checkpoints/storage-fs.js';

export async function tempDir(t: { teardown(fn: () => unknown): void }, prefix = 'sluice-ckpt-'): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(tmpdir(), prefix));
  t.teardown(() => fsp.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An fs whose writes fail with `code` once `armed()` returns true (reads keep working). */
export function failingFs(code: string, armed: () => boolean = () => true): CheckpointFs {
  const fail = (op: string, p: unknown) => {
    const e = new Error(`${code}: simulated failure, ${op} '${String(p)}'`) as NodeJS.ErrnoException;
    e.code = code;
    return Promise.reject(e);
  };
  return {
    ...fsp,
    mkdir: ((p: string, o: unknown) =>
      armed() ? fail('mkdir', p) : fsp.mkdir(p, o as never)) as CheckpointFs['mkdir'],
    open: ((p: string, flag?: string) =>
      armed() && flag !== 'r' && flag !== undefined ? fail('open', p) : fsp.open(p, flag)) as CheckpointFs['open'],
    rename: ((a: string, b: string) => (armed() ? fail('rename', a) : fsp.rename(a, b))) as CheckpointFs['rename'],
  };
}
