/**
 * The file-system surface the checkpoint modules use, and how its failures become SluiceErrors.
 *
 * Every checkpoint module takes a `CheckpointFs` (default: `platform.files.async`) so tests can inject failures
 * such as ENOSPC — tests run as root, and root ignores chmod, so "unwritable directory" cannot be produced
 * with permissions alone. Invariant: a failed write surfaces as CHECKPOINT_STORAGE naming the path and the
 * system error code; it never escapes as a raw Node error.
 */
import { SluiceError, isSluiceError } from '../runtime/errors/index.js';
import { platform, type AsyncFiles } from '../runtime/platform/index.js';

/** The subset of node:fs/promises checkpoint storage needs (the platform's async file surface). */
export type CheckpointFs = AsyncFiles;

export function defaultFs(): CheckpointFs {
  const marker = process.env.SLUICE_FAULT_CHECKPOINT_ENOSPC;
  return marker ? diskFullWhile(platform.files.async, marker) : platform.files.async;
}

/**
 * Fault injection for tests (no root tricks, no tmpfs): while the file `marker` exists, every write through
 * the returned fs (mkdir, open for writing, rename) fails with ENOSPC as a full disk would; reads work.
 * Enabled in the job manager by the environment variable SLUICE_FAULT_CHECKPOINT_ENOSPC=<marker path>.
 */
export function diskFullWhile(fs: CheckpointFs, marker: string): CheckpointFs {
  const full = () => {
    if (!platform.files.exists(marker)) return;
    throw Object.assign(new Error(`ENOSPC: no space left on device (fault injected while ${marker} exists)`), {
      code: 'ENOSPC',
    });
  };
  return {
    ...fs,
    mkdir: (async (...a: Parameters<CheckpointFs['mkdir']>) => {
      full();
      return fs.mkdir(...a);
    }) as CheckpointFs['mkdir'],
    open: (async (...a: Parameters<CheckpointFs['open']>) => {
      if (/[wa+]/.test(String(a[1] ?? 'r'))) full();
      return fs.open(...a);
    }) as CheckpointFs['open'],
    rename: async (...a: Parameters<CheckpointFs['rename']>) => {
      full();
      return fs.rename(...a);
    },
  };
}

const DESCRIPTIONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a path component is not a directory',
  EEXIST: 'file already exists',
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
};

/** The errno-style code of a Node fs error, if any. */
export function errnoCode(err: unknown): string | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}

/** Describes a Node fs error as "<description> (<CODE>)". */
export function describeFsError(err: unknown): string {
  const code = errnoCode(err);
  if (code) return `${DESCRIPTIONS[code] ?? (err as Error).message} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Wraps a failure of `action` on `path` as CHECKPOINT_STORAGE (SluiceErrors pass through unchanged), so a
 * coordinator can decline the checkpoint with a readable reason.
 */
export function storageError(action: string, path: string, err: unknown): SluiceError {
  if (isSluiceError(err)) return err;
  return new SluiceError('CHECKPOINT_STORAGE', `${action} ${path} failed: ${describeFsError(err)}`, { cause: err });
}

/** Runs `fn`, converting any fs failure into CHECKPOINT_STORAGE. */
export async function guardWrite<T>(action: string, path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw storageError(action, path, err);
  }
}

/**
 * fsyncs a directory so a rename inside it is durable. Some platforms refuse to open or fsync
 * directories (EISDIR/EPERM/EINVAL on Windows and some network file systems); those are ignored.
 */
export async function fsyncDir(fs: CheckpointFs, dir: string): Promise<void> {
  let handle: Awaited<ReturnType<CheckpointFs['open']>> | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (err) {
    const code = errnoCode(err);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
