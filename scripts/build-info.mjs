// Build info stamped into dist/ by build.mjs (read at run time by runtime/config/build-info.ts): the
// package.json version and the short git commit of `dir`, `dirty` when tracked files have uncommitted
// changes. Outside a git clone (a tarball, no git binary) the commit is 'unknown' — never a guess.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function git(dir, args) {
  try {
    return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function readBuildInfo(dir = '.') {
  const commit = git(dir, ['rev-parse', '--short=12', 'HEAD']);
  return {
    version: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version,
    commit: commit ?? 'unknown',
    dirty: commit !== undefined && (git(dir, ['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
  };
}
