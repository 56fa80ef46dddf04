/**
 * Files: the only place sluice touches the file system. Narrow functions for what the engine does (read a
 * config or model file, publish a file atomically, list a directory), plus the small async surface the
 * checkpoint storage uses, so a simulator can replace them with an in-memory file system.
 *
 * Invariant: `writeFileAtomic` never exposes a partial file under `path` (write to a unique temporary name
 * in the same directory, then rename); `remove` of a missing path is no error.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import { randomHex } from './random.js';

/** The async file operations checkpoint storage and the model cache need (a subset of node:fs/promises). */
export type AsyncFiles = Pick<
  typeof fsp,
  'mkdir' | 'open' | 'rename' | 'rm' | 'readdir' | 'stat' | 'readFile' | 'writeFile' | 'unlink'
>;

export interface Files {
  exists(path: string): boolean;
  isDirectory(path: string): boolean;
  readText(path: string): string;
  readBytes(path: string): Buffer;
  /** Names in `dir` (not paths), in the order the file system returns them. */
  list(dir: string): string[];
  /** Creates `dir` and its missing parents. */
  mkdirs(dir: string): void;
  writeText(path: string, data: string | Uint8Array): void;
  /** Creates the parent directory, writes a temporary file beside `path` and renames it over `path`. */
  writeFileAtomic(path: string, data: string | Uint8Array): void;
  /** Appends text (UTF-8) or bytes. */
  appendText(path: string, text: string | Uint8Array): void;
  /** fsyncs an existing file's data. */
  fsync(path: string): void;
  rename(from: string, to: string): void;
  /** Removes a file (or a tree with `recursive`); a missing path is no error. */
  remove(path: string, opts?: { recursive?: boolean }): void;
  realpath(path: string): string;
  /** Opens (creating) a file for appending and returns its descriptor, e.g. for a child process's output. */
  openForAppend(path: string): number;
  /** Size and modification time of a path (follows links). */
  stat(path: string): { sizeBytes: number; mtimeMs: number; isFile: boolean };
  /** Descriptor-level access for logs that rotate and are served in pieces. */
  openForRead(path: string): number;
  sizeOf(fd: number): number;
  readAt(fd: number, buf: Buffer, length: number, position: number): number;
  writeTo(fd: number, data: Uint8Array): void;
  close(fd: number): void;
  async: AsyncFiles;
}

export const nodeFiles: Files = {
  exists: (path) => fs.existsSync(path),
  isDirectory: (path) => fs.statSync(path).isDirectory(),
  readText: (path) => fs.readFileSync(path, 'utf8'),
  readBytes: (path) => fs.readFileSync(path),
  list: (dir) => fs.readdirSync(dir),
  mkdirs: (dir) => {
    fs.mkdirSync(dir, { recursive: true });
  },
  writeText: (path, data) => fs.writeFileSync(path, data),
  writeFileAtomic: (path, data) => {
    fs.mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${randomHex(8)}.tmp`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, path);
  },
  appendText: (path, text) => fs.appendFileSync(path, text),
  fsync: (path) => {
    const fd = fs.openSync(path, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  rename: (from, to) => fs.renameSync(from, to),
  remove: (path, opts) => fs.rmSync(path, { force: true, recursive: opts?.recursive ?? false }),
  realpath: (path) => fs.realpathSync(path),
  openForAppend: (path) => fs.openSync(path, 'a'),
  stat: (path) => {
    const st = fs.statSync(path);
    return { sizeBytes: st.size, mtimeMs: st.mtimeMs, isFile: st.isFile() };
  },
  openForRead: (path) => fs.openSync(path, 'r'),
  sizeOf: (fd) => fs.fstatSync(fd).size,
  readAt: (fd, buf, length, position) => fs.readSync(fd, buf, 0, length, position),
  writeTo: (fd, data) => void fs.writeSync(fd, data),
  close: (fd) => fs.closeSync(fd),
  async: {
    mkdir: fsp.mkdir,
    open: fsp.open,
    rename: fsp.rename,
    rm: fsp.rm,
    readdir: fsp.readdir,
    stat: fsp.stat,
    readFile: fsp.readFile,
    writeFile: fsp.writeFile,
    unlink: fsp.unlink,
  },
};
