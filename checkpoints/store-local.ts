/**
 * The local file-system SnapshotStore (a plain path or a `file:` URI) over the checkpoint fs surface: every
 * object is a file written with `wx` or `w` and fsynced before close; `publish` writes a temporary file beside
 * the target, fsyncs it, renames it into place and fsyncs the directory.
 *
 * Invariant: a published object is never partial; a failure leaves no temporary file behind.
 */
import * as path from 'node:path';
import { platform } from '../runtime/platform/index.js';
import { errnoCode, fsyncDir, type CheckpointFs } from './storage-fs.js';
import type { SnapshotStore, StoredObjectInfo } from './store.js';

/** Accepts `file:///x`, `file:/x` or a plain path; returns the plain path. */
export function stripFileScheme(p: string): string {
  if (p.startsWith('file://')) return p.slice('file://'.length) || '/';
  if (p.startsWith('file:')) return p.slice('file:'.length);
  return p;
}

export class LocalStore implements SnapshotStore {
  readonly scheme = 'file' as const;
  constructor(readonly fs: CheckpointFs) {}

  resolve(location: string): string {
    return path.resolve(stripFileScheme(location));
  }
  join(dir: string, ...names: string[]): string {
    return path.join(dir, ...names);
  }
  parent(location: string): string {
    return path.dirname(location);
  }
  basename(location: string): string {
    return path.basename(location);
  }
  externalPath(location: string): string {
    return `file:${path.resolve(location)}`;
  }

  async put(location: string, bytes: Uint8Array, opts: { exclusive?: boolean } = {}): Promise<void> {
    const handle = await this.fs.open(location, opts.exclusive ? 'wx' : 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async publish(location: string, bytes: Uint8Array): Promise<void> {
    if (await this.exists(location))
      throw Object.assign(new Error(`EEXIST: ${location} already exists`), { code: 'EEXIST' });
    const dir = path.dirname(location);
    const temp = path.join(dir, `${path.basename(location)}.inprogress-${platform.random.hex(8)}`);
    await this.put(temp, bytes, { exclusive: true });
    try {
      await this.fs.rename(temp, location);
    } catch (err) {
      await this.fs.unlink(temp).catch(() => undefined);
      throw err;
    }
    await fsyncDir(this.fs, dir);
  }

  async get(location: string): Promise<Buffer> {
    return this.fs.readFile(location);
  }

  async stat(location: string): Promise<StoredObjectInfo | undefined> {
    try {
      const st = await this.fs.stat(location);
      return { sizeBytes: st.size, mtimeMs: st.mtimeMs, isDirectory: st.isDirectory() };
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  async exists(location: string): Promise<boolean> {
    return (await this.stat(location)) !== undefined;
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await this.fs.readdir(dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return [];
      throw err;
    }
  }

  async delete(location: string): Promise<void> {
    await this.fs.unlink(location).catch((err: unknown) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
  }

  async deleteTree(dir: string): Promise<void> {
    await this.fs.rm(dir, { recursive: true, force: true });
  }

  async ensureDir(dir: string): Promise<void> {
    await this.fs.mkdir(dir, { recursive: true });
  }
}
