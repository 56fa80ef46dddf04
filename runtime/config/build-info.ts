/**
 * What build of sluice is running: the package version and the git commit, injected by scripts/build.mjs
 * through esbuild's `define` (`__SLUICE_BUILD__`) into dist/. Model lineage (`training.codeVersion`) and
 * diagnostics read it from here. Invariant: never a hand-kept constant — code run from the TypeScript sources
 * without a build (tsx, tests) reports `unbuilt`, and a build outside a git clone reports the commit `unknown`.
 */
declare const __SLUICE_BUILD__: { version: string; commit: string; dirty: boolean } | undefined;

export interface BuildInfo {
  /** package.json version at build time, or 'unbuilt'. */
  version: string;
  /** Short git commit of the build, 'unknown' outside a git clone, 'unbuilt' without a build. */
  commit: string;
  /** The working tree had uncommitted changes when it was built. */
  dirty: boolean;
}

export function buildInfo(): BuildInfo {
  if (typeof __SLUICE_BUILD__ !== 'undefined' && __SLUICE_BUILD__) return { ...__SLUICE_BUILD__ };
  return { version: 'unbuilt', commit: 'unbuilt', dirty: false };
}

/** `sluice@<version>+<commit>[.dirty]`, the code version a published model's lineage records. */
export function codeVersion(): string {
  const b = buildInfo();
  return `sluice@${b.version}+${b.commit}${b.dirty ? '.dirty' : ''}`;
}
