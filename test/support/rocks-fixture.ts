/**
 * A RocksDB state backend spec for unit tests: a fresh local directory with a small block cache and write
 * buffer, and a list where the test registers every backend it opens.
 *
 * Invariants: at the end of the test file every registered backend is disposed before the directory is
 * removed, also when a test failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RuntimeKeyedStateBackend, StateBackendSpec } from '../../runtime/state/index.js';

export interface RocksFixture {
  /** The backend's local directory (removed at teardown). */
  dir: string;
  rocks: Extract<StateBackendSpec, { type: 'rocksdb' }>;
  /** Backends to dispose at teardown. */
  opened: RuntimeKeyedStateBackend[];
}

export function rocksFixture(t: { teardown(fn: () => unknown): void }, prefix: string): RocksFixture {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const opened: RuntimeKeyedStateBackend[] = [];
  t.teardown(async () => {
    for (const b of opened) await b.dispose?.();
    rmSync(dir, { recursive: true, force: true });
  });
  const rocks: RocksFixture['rocks'] = {
    type: 'rocksdb',
    rocksdbLocalDir: dir,
    rocksdbBlockCacheBytes: 1 << 20,
    rocksdbWriteBufferBytes: 4 << 20,
  };
  return { dir, rocks, opened };
}
