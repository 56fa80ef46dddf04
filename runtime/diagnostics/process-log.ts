/**
 * The log of one cluster process (job manager or task worker), as Flink keeps one per process: structured
 * JSON lines through pino in `<env.log.dir>/<role>-<pid>.log` (rotated by size, `sluice.log.max-file-size`,
 * keeping `env.log.max` old files), and the process's standard output — where `print()` sinks write — copied
 * into `<role>-<pid>.out` (rotated the same way). The human-readable line still goes to stderr, as before.
 *
 * Invariants: every file this process writes starts with `prefix` and lies in `dir`; the log endpoints list
 * and serve only those (log-files.ts). Logging failures never stop the process.
 */
import pino, { type Logger } from 'pino';
import type { Configuration } from '../config/configuration.js';
import { platform } from '../platform/index.js';
import { RotatingFile } from './rotating-file.js';

export interface ProcessLogOptions {
  dir: string;
  role: 'jobmanager' | 'taskworker';
  maxFileBytes: number;
  maxFiles: number;
  /** Copy process.stdout into `<prefix>.out` (off in tests that run several "processes" in one). */
  captureStdout?: boolean;
}

export interface ProcessLog {
  readonly dir: string;
  /** Every file of this process is named `<prefix>.…`. */
  readonly prefix: string;
  /** The main log file name (`/jobmanager/log`, `/taskmanagers/:id/log`). */
  readonly logFile: string;
  /** The standard output file name (`…/stdout`). */
  readonly stdoutFile: string;
  info(msg: string): void;
  error(msg: string): void;
  close(): void;
}

/** Flink's config keys for the log directory and retained files, plus the rotation size. */
export function processLogOptions(config: Configuration, role: ProcessLogOptions['role']): ProcessLogOptions {
  return {
    dir: config.getString('env.log.dir'),
    role,
    maxFileBytes: config.getMemoryBytes('sluice.log.max-file-size'),
    maxFiles: config.getInt('env.log.max'),
    captureStdout: true,
  };
}

export function createProcessLog(o: ProcessLogOptions): ProcessLog {
  const prefix = `${o.role}-${process.pid}`;
  const reportOnce = (() => {
    let told = false;
    return (e: Error) => {
      if (!told) process.stderr.write(`${new Date(platform.clock.nowMs()).toISOString()} log file: ${e.message}\n`);
      told = true;
    };
  })();
  const file = (name: string) =>
    new RotatingFile({ dir: o.dir, name, maxFileBytes: o.maxFileBytes, maxFiles: o.maxFiles, onError: reportOnce });
  const logFile = file(`${prefix}.log`);
  const logger: Logger = pino({ base: { pid: process.pid, role: o.role } }, logFile);
  const human = (level: string, msg: string) =>
    process.stderr.write(
      `${new Date(platform.clock.nowMs()).toISOString()} ${level === 'info' ? '' : `${level.toUpperCase()} `}${msg}\n`,
    );

  let stdoutFile: RotatingFile | undefined;
  let restoreStdout: (() => void) | undefined;
  if (o.captureStdout) {
    const out = file(`${prefix}.out`);
    stdoutFile = out;
    const original = process.stdout.write;
    process.stdout.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      out.write(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array));
      return (original as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    } as typeof process.stdout.write;
    restoreStdout = () => {
      process.stdout.write = original;
    };
  }

  return {
    dir: o.dir,
    prefix,
    logFile: `${prefix}.log`,
    stdoutFile: `${prefix}.out`,
    info(msg) {
      human('info', msg);
      logger.info(msg);
    },
    error(msg) {
      human('error', msg);
      logger.error(msg);
    },
    close() {
      restoreStdout?.();
      stdoutFile?.close();
      logFile.close();
    },
  };
}
