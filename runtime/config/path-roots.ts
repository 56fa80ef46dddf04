/**
 * The one place that decides whether a path from a request — a savepoint target, a restore path — may be
 * used: it must lie, after resolving `..` and symlinks, inside one of the configured roots
 * (execution.checkpointing.dir, execution.checkpointing.savepoint-dir, sluice.security.path-roots — which
 * defaults to the system temp directory). Percent-encodings (of dots, separators or anything) and NUL are refused, not
 * decoded; `file:` URIs are accepted.
 *
 * Invariant: the returned path is absolute, symlink-free where it exists, and under a root.
 */
import { dirname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
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
  return roots.map((r) => realExistingPrefix(resolve(stripScheme(r))));
}

export function confinePath(raw: unknown, roots: string[], what: string): string {
  if (typeof raw !== 'string' || raw === '')
    throw new SluiceError('REST_BAD_REQUEST', `${what} must be a non-empty path`);
  if (raw.includes('\0') || /%[0-9a-f]{2}/i.test(raw))
    throw new SluiceError(
      'REST_PATH_OUTSIDE_ROOT',
      `${what} ${JSON.stringify(raw)} contains encoded path characters; give a plain path`,
    );
  const real = realExistingPrefix(resolve(stripScheme(raw)));
  if (!roots.some((r) => real === r || real.startsWith(r.endsWith(sep) ? r : r + sep))) {
    throw new SluiceError(
      'REST_PATH_OUTSIDE_ROOT',
      `${what} ${JSON.stringify(raw)} is outside the configured roots (${roots.join(', ')}); roots come from execution.checkpointing.dir, execution.checkpointing.savepoint-dir and sluice.security.path-roots`,
    );
  }
  return real;
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
