/**
 * A size-rotated append-only file, written synchronously (a line written before a crash is on disk):
 * `name` is the current file; when it would exceed `maxFileBytes` it becomes `name.1`, `name.1` becomes
 * `name.2`, … and the oldest beyond `maxFiles` rotated files is deleted (log4j's rolling-file naming, which
 * Flink's log list shows).
 *
 * Invariants: at most `maxFiles + 1` files exist for `name`; a line is never split across two files; a write
 * error is reported once to `onError` and the file is dropped (logging never takes the process down).
 */
import { join } from 'node:path';
import { platform } from '../platform/index.js';

export interface RotatingFileOptions {
  dir: string;
  name: string;
  maxFileBytes: number;
  maxFiles: number;
  onError?: (e: Error) => void;
}

export class RotatingFile {
  private fd: number | undefined;
  private sizeBytes = 0;
  readonly path: string;

  constructor(private readonly o: RotatingFileOptions) {
    this.path = join(o.dir, o.name);
    try {
      platform.files.mkdirs(o.dir);
      this.open();
    } catch (e) {
      this.failed(e as Error);
    }
  }

  /** Appends `chunk` (a line or lines); rotates first when it would not fit. Also a pino destination. */
  write(chunk: string | Uint8Array): boolean {
    if (this.fd === undefined) return true;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    try {
      if (this.sizeBytes > 0 && this.sizeBytes + bytes.length > this.o.maxFileBytes) this.rotate();
      platform.files.writeTo(this.fd, bytes);
      this.sizeBytes += bytes.length;
    } catch (e) {
      this.failed(e as Error);
    }
    return true;
  }

  close(): void {
    if (this.fd !== undefined) platform.files.close(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    this.fd = platform.files.openForAppend(this.path);
    this.sizeBytes = platform.files.sizeOf(this.fd);
  }

  private rotate(): void {
    this.close();
    const fs = platform.files;
    const rotated = (i: number) => `${this.path}.${i}`;
    if (this.o.maxFiles < 1) fs.remove(this.path);
    else {
      fs.remove(rotated(this.o.maxFiles));
      for (let i = this.o.maxFiles - 1; i >= 1; i--) if (fs.exists(rotated(i))) fs.rename(rotated(i), rotated(i + 1));
      fs.rename(this.path, rotated(1));
    }
    this.open();
  }

  private failed(e: Error): void {
    this.close();
    this.o.onError?.(e);
  }
}
