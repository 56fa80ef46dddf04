/**
 * The exception history of a job for `/jobs/:id/exceptions`: one entry per failure, in Flink's shape (the
 * exception's name — a sluice error by its code —, its message as the stack trace, the failing task and the
 * task manager it ran on, when known).
 *
 * Invariants: entries are appended in the order the failures were seen; the endpoint is the data-plane
 * `host:port` of the worker the failure names, null when that worker is not known.
 */
import type { SluiceError } from '../errors/catalogue.js';
import type { RegisteredWorker } from './worker-registry.js';

export interface ExceptionEntry {
  exceptionName: string;
  stacktrace: string;
  timestamp: number;
  taskName: string | null;
  endpoint: string | null;
  taskManagerId: string | null;
  failureLabels: Record<string, string>;
}

/** The entry for `err` at `timestampMs`: in `taskName` (null: the job as a whole) on `worker` (`workerId`), if known. */
export function exceptionEntry(
  err: Error,
  taskName: string | null,
  timestampMs: number,
  workerId?: string,
  worker?: RegisteredWorker,
): ExceptionEntry {
  return {
    exceptionName: (err as SluiceError).code ? `SluiceError(${(err as SluiceError).code})` : err.name,
    stacktrace: `${err.name}: ${err.message}`,
    timestamp: timestampMs,
    taskName,
    endpoint: worker ? `${worker.host}:${worker.dataPort}` : null,
    taskManagerId: workerId ?? null,
    failureLabels: {},
  };
}
