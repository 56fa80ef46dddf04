/**
 * JarStore: the job manager's uploaded job bundles ("jars"), kept as files in `sluice.rest.upload-dir`
 * with only their metadata in memory. The code is read from disk when a jar runs. Past
 * `sluice.rest.upload-retained-count` jars or `sluice.rest.upload-retained-size` bytes the oldest uploads
 * are evicted (Flink's web upload directory grows until the cluster stops; sluice keeps it bounded).
 *
 * Invariants: memory per jar is its metadata whatever its size; the newest upload is never evicted by its
 * own arrival; a jar's file is removed when it is deleted, evicted or the store is closed.
 */
import { join, resolve } from 'node:path';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';

export interface StoredJar {
  id: string;
  name: string;
  uploaded: number;
  path: string;
  sizeBytes: number;
}

export interface JarStoreOptions {
  dir: string;
  maxCount: number;
  maxBytes: number;
  log: (msg: string) => void;
}

const SAFE_ID = /^[0-9a-f]{32}_[A-Za-z0-9._-]{1,128}$/;

export class JarStore {
  private readonly jars = new Map<string, StoredJar>();
  readonly dir: string;

  constructor(private readonly o: JarStoreOptions) {
    this.dir = resolve(o.dir);
  }

  /** Takes over `file` (moved into the store; copied when it lies on another device) as jar `id`. */
  add(id: string, name: string, file: string, sizeBytes: number): StoredJar {
    if (!SAFE_ID.test(id)) throw new SluiceError('REST_BAD_REQUEST', `invalid jar id ${id}`);
    platform.files.mkdirs(this.dir);
    const path = join(this.dir, id);
    try {
      platform.files.rename(file, path);
    } catch {
      platform.files.writeText(path, platform.files.readBytes(file)); // another device: copy
    }
    const jar: StoredJar = { id, name, uploaded: platform.clock.nowMs(), path, sizeBytes };
    this.jars.set(id, jar);
    this.evict();
    return jar;
  }

  get(id: string): StoredJar | undefined {
    return this.jars.get(id);
  }

  /** The bundle's code, read from its file. */
  code(jar: StoredJar): string {
    try {
      return platform.files.readText(jar.path);
    } catch (e) {
      throw new SluiceError('REST_NOT_FOUND', `jar ${jar.id}: its file ${jar.path} is gone (${(e as Error).message})`);
    }
  }

  list(): StoredJar[] {
    return [...this.jars.values()];
  }

  totalBytes(): number {
    let n = 0;
    for (const j of this.jars.values()) n += j.sizeBytes;
    return n;
  }

  delete(id: string): boolean {
    const jar = this.jars.get(id);
    if (!jar) return false;
    this.jars.delete(id);
    platform.files.remove(jar.path);
    return true;
  }

  /** Removes every stored jar's file (job manager shutdown). */
  close(): void {
    for (const id of [...this.jars.keys()]) this.delete(id);
  }

  private evict(): void {
    while (this.jars.size > 1 && (this.jars.size > this.o.maxCount || this.totalBytes() > this.o.maxBytes)) {
      const oldest = this.jars.keys().next().value as string;
      this.o.log(
        `Evicting uploaded jar ${oldest}: the store keeps ${this.o.maxCount} jars and ${this.o.maxBytes} bytes (sluice.rest.upload-retained-count/-size).`,
      );
      this.delete(oldest);
    }
  }
}
