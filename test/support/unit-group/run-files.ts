/**
 * Runs a group of unit test files in this process: one tap subtest per file, named by its source path
 * (`test/unit/api/tuple.test.ts`), which imports the file's compiled module with the file's subtest as its
 * `t` (file-scope.ts). A failure therefore reads `<file> > <test> > <assertion>`, as it would in the file's own
 * process. Invariants: files run one at a time in the given order, each is imported only when its turn comes
 * (a file's module-level code runs while its own subtest is current), and each has the per-file timeout a
 * file has in its own process.
 */
import tap from 'tap';
import { enterFile } from './file-scope.js';

export interface GroupFile {
  /** The test file's path in the repository, as `npx tap` would name it. */
  name: string;
  load: () => Promise<unknown>;
}

export function runFiles(files: readonly GroupFile[], fileTimeoutMs: number): void {
  for (const file of files)
    tap.test(file.name, { timeout: fileTimeoutMs }, async (t) => {
      enterFile(t);
      await file.load();
    });
}
