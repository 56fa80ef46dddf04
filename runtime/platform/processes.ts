/**
 * Processes, worker threads and the host: the only place sluice starts child processes (mini and local
 * clusters), worker threads (model scoring pools) or asks the machine for its size.
 */
import * as childProcess from 'node:child_process';
import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

export type { ChildProcess, SpawnOptions } from 'node:child_process';
export type { Worker } from 'node:worker_threads';

export interface Processes {
  spawn(command: string, args: string[], options: childProcess.SpawnOptions): childProcess.ChildProcess;
  /** A worker thread running `source` (ESM/CJS code evaluated as a script) with `workerData`. */
  evalWorker(source: string, workerData: unknown): Worker;
}

export interface Host {
  cpuCount(): number;
  totalMemoryBytes(): number;
  freeMemoryBytes(): number;
  tmpDir(): string;
  /** The operating system's name as Node reports it (linux, darwin, …). */
  osName(): string;
}

export const nodeProcesses: Processes = {
  spawn: (command, args, options) => childProcess.spawn(command, args, options),
  evalWorker: (source, workerData) => new Worker(source, { eval: true, workerData }),
};

export const nodeHost: Host = {
  cpuCount: () => os.cpus().length,
  totalMemoryBytes: () => os.totalmem(),
  freeMemoryBytes: () => os.freemem(),
  tmpDir: () => os.tmpdir(),
  osName: () => os.platform(),
};
