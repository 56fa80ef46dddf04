/**
 * SnapshotStore: where checkpoint and savepoint bytes live, behind one small interface — a local file system
 * (`store-local.ts`) or S3 (`store-s3.ts`), chosen by a location's URI scheme (`s3://bucket/prefix`, else a
 * path or `file:` URI). Every checkpoint module reads and writes through it, so retention, `_metadata`-last
 * writes, savepoints, restore and the corrupt-checkpoint fallback behave the same on both.
 *
 * Locations are strings in the store's own normal form (an absolute path, or `s3://bucket/key` without a
 * trailing slash); a "directory" is a location under which objects are named. Invariants: `publish` makes a
 * complete object visible at once or not at all (`_metadata`); `put` with `exclusive` never replaces an
 * existing object; a missing object is `undefined` from `stat` and a `notFound` failure from `get`.
 */
import { parseS3Uri, platform, type S3Objects } from '../runtime/platform/index.js';
import { errnoCode, defaultFs, type CheckpointFs } from './storage-fs.js';
import { LocalStore } from './store-local.js';
import { S3Store } from './store-s3.js';

export interface StoredObjectInfo {
  sizeBytes: number;
  mtimeMs: number;
  /** A local directory, or an S3 prefix with objects under it. */
  isDirectory: boolean;
}

export interface SnapshotStore {
  readonly scheme: 'file' | 's3';
  /** The normal form of a location given by a user or the configuration. */
  resolve(location: string): string;
  /** `dir` + relative names (never escaping `dir`'s root). */
  join(dir: string, ...names: string[]): string;
  parent(location: string): string;
  basename(location: string): string;
  /** The external form REST shows (`file:/abs/path`, `s3://bucket/key`). */
  externalPath(location: string): string;
  /** Writes a whole object durably; `exclusive` fails when it already exists. */
  put(location: string, bytes: Uint8Array, opts?: { exclusive?: boolean }): Promise<void>;
  /** Makes a whole object visible atomically (written last: `_metadata`). Refuses to replace one. */
  publish(location: string, bytes: Uint8Array): Promise<void>;
  get(location: string): Promise<Buffer>;
  stat(location: string): Promise<StoredObjectInfo | undefined>;
  exists(location: string): Promise<boolean>;
  /** Names directly under `dir` (objects and sub-directories); [] when there is nothing. */
  list(dir: string): Promise<string[]>;
  /** Deletes one object; a missing one is no error. */
  delete(location: string): Promise<void>;
  /** Deletes everything under `dir`; a missing one is no error. */
  deleteTree(dir: string): Promise<void>;
  /** Prepares `dir` for writes (creates it locally; nothing to do on S3). */
  ensureDir(dir: string): Promise<void>;
}

/** True for a "no such file or object" failure of either store. */
export function isNotFound(err: unknown): boolean {
  return errnoCode(err) === 'ENOENT' || (err as { notFound?: unknown } | null)?.notFound === true;
}

export function isS3Location(location: string): boolean {
  return parseS3Uri(location) !== undefined;
}

/** Picks the store for a location by scheme. */
export interface SnapshotStores {
  forLocation(location: string): SnapshotStore;
}

export interface SnapshotStoresOptions {
  /** The local file-system surface (default `platform.files.async`; tests inject failures through it). */
  fs?: CheckpointFs;
  /** The S3 client (default the process's shared one, from its `s3.*` settings). */
  s3?: S3Objects;
}

export function snapshotStores(o: SnapshotStoresOptions = {}): SnapshotStores {
  const local = new LocalStore(o.fs ?? defaultFs());
  let s3: S3Store | undefined;
  return {
    forLocation: (location) => {
      if (!isS3Location(location)) return local;
      s3 ??= new S3Store(o.s3 ?? platform.s3.shared());
      return s3;
    },
  };
}

/** The store for a location with the default local file system and the process's S3 client. */
export function storeFor(location: string): SnapshotStore {
  return snapshotStores().forLocation(location);
}
