/**
 * The log files of one process, for Flink's log endpoints: the list (`LogListInfo` rows `{name, size,
 * mtime}`) and one file's bytes by name.
 *
 * Invariants (the path-traversal guard): a name is served only if it is a plain file name (no `/`, `\`, `..`,
 * NUL, not absolute), starts with this process's prefix, and is a regular file directly in the log
 * directory; anything else is a 400 (malformed) or 404 (no such log) — never a read outside the directory.
 */
import { isAbsolute, join } from 'node:path';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';

export interface LogInfo {
  name: string;
  size: number;
  mtime: number;
}

/** Largest log file served in one reply (files rotate well below this by default). */
export const MAX_SERVED_LOG_BYTES = 64 * 1024 * 1024;

export function listLogFiles(dir: string, prefix: string): LogInfo[] {
  let names: string[];
  try {
    names = platform.files.list(dir);
  } catch {
    return [];
  }
  const out: LogInfo[] = [];
  for (const name of names.filter((n) => n.startsWith(`${prefix}.`)).sort()) {
    try {
      const st = platform.files.stat(join(dir, name));
      if (st.isFile) out.push({ name, size: st.sizeBytes, mtime: Math.round(st.mtimeMs) });
    } catch {
      /* rotated away meanwhile */
    }
  }
  return out;
}

/** Refuses names that are not plain file names (REST_BAD_REQUEST). */
export function checkLogFileName(name: string): void {
  if (
    name === '' ||
    name.includes('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    name.includes('..') ||
    name === '.' ||
    isAbsolute(name)
  )
    throw new SluiceError(
      'REST_BAD_REQUEST',
      `Bad request: "${name}" is not a log file name; use a name from the log list (no paths, no "..").`,
    );
}

/** The file's bytes, or undefined when this process has no log file of that name. */
export function readLogFile(dir: string, prefix: string, name: string): Buffer | undefined {
  checkLogFileName(name);
  const info = listLogFiles(dir, prefix).find((l) => l.name === name);
  if (!info) return undefined;
  const fd = platform.files.openForRead(join(dir, name));
  try {
    const size = Math.min(platform.files.sizeOf(fd), MAX_SERVED_LOG_BYTES);
    const start = Math.max(0, platform.files.sizeOf(fd) - size); // the newest bytes when capped
    const buf = Buffer.alloc(size);
    const n = platform.files.readAt(fd, buf, size, start);
    return buf.subarray(0, n);
  } finally {
    platform.files.close(fd);
  }
}
