/**
 * The one place that decides whether a path from a request — a savepoint target, a restore path — may be
 * used: it must lie, after resolving `..` and symlinks, inside one of the configured roots
 * (execution.checkpointing.dir, execution.checkpointing.savepoint-dir, sluice.security.path-roots — which
 * defaults to the system temp directory). Percent-encodings (of dots, separators or anything) and NUL are refused, not
 * decoded; `file:` URIs are accepted. An `s3://bucket/key` path must lie under an `s3://` root (its `..` segments
 * resolved within the bucket).
 *
 * Invariant: the returned path is absolute, symlink-free where it exists, and under a root.
 */
import { dirname, posix, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../errors/catalogue.js';
import { parseS3Uri, platform } from '../platform/index.js';
import type { SluiceConfig } from './sluice-config.js';

export function pathRoots(config: SluiceConfig): string[] {
  const extra = config['sluice.security.path-roots'];
  const roots = [
    config['execution.checkpointing.dir'],
    config['execution.checkpointing.savepoint-dir'],
    ...(extra === undefined
      ? [platform.host.tmpDir()]
      : extra
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)),
  ];
  return roots.map((r) => (parseS3Uri(r) ? normalS3(r, 'root') : realExistingPrefix(resolve(stripScheme(r)))));
}

export function confinePath(raw: unknown, roots: string[], what: string): string {
  if (typeof raw !== 'string' || raw === '')
    throw new SluiceError('REST_BAD_REQUEST', `${what} must be a non-empty path`);
  if (raw.includes('\0') || /%[0-9a-f]{2}/i.test(raw))
    throw new SluiceError(
      'REST_PATH_OUTSIDE_ROOT',
      `${what} ${JSON.stringify(raw)} contains encoded path characters; give a plain path`,
    );
  const s3 = parseS3Uri(raw) !== undefined;
  const real = s3 ? normalS3(raw, what) : realExistingPrefix(resolve(stripScheme(raw)));
  const separator = s3 ? '/' : sep;
  const inside = (r: string) => real === r || real.startsWith(r.endsWith(separator) ? r : r + separator);
  if (!roots.some((r) => (parseS3Uri(r) !== undefined) === s3 && inside(r))) {
    throw new SluiceError(
      'REST_PATH_OUTSIDE_ROOT',
      `${what} ${JSON.stringify(raw)} is outside the configured roots (${roots.join(', ')}); roots come from execution.checkpointing.dir, execution.checkpointing.savepoint-dir and sluice.security.path-roots`,
    );
  }
  return real;
}

/** `s3://bucket/key` with `.`/`..` segments resolved; refused when it names no bucket or leaves it. */
function normalS3(raw: string, what: string): string {
  const { bucket, key } = parseS3Uri(raw)!;
  const k = posix.normalize(`/${key}`).replace(/\/+$/, '');
  if (!bucket) throw new SluiceError('REST_BAD_REQUEST', `${what} ${JSON.stringify(raw)} names no bucket`);
  return `s3://${bucket}${k}`;
}

function stripScheme(p: string): string {
  if (p.startsWith('file://')) return fileURLToPath(p);
  return p.startsWith('file:') ? p.slice('file:'.length) : p;
}

/** realpath of the longest existing prefix, with the rest appended (a savepoint target may not exist yet). */
function realExistingPrefix(abs: string): string {
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = platform.files.realpath(head);
      return tail.length ? resolve(real, ...tail.reverse()) : real;
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      tail.push(head.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      head = parent;
    }
  }
}
