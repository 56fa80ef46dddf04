/**
 * The one control-plane request through which the job manager asks a task worker for diagnostics
 * (`diagnostics` RPC method), and the answer any process gives about itself: its log list and files, a
 * thread dump, its environment, a CPU profile for a flame graph. The job manager answers the same requests
 * about itself locally, so both sides share this code.
 *
 * Invariants: a log file outside the process's own files is never read (log-files.ts); an unknown kind is
 * refused; a process without a file log answers an empty list and no files.
 */
import { SluiceError } from '../errors/catalogue.js';
import { sampleCpu, type FlameNode } from './cpu-profile.js';
import { listLogFiles, readLogFile, type LogInfo } from './log-files.js';
import type { ProcessLog } from './process-log.js';
import { environmentInfo } from './process-metrics.js';
import { threadDump, type ThreadInfoJson } from './thread-dump.js';

/** Which log file: one from the list by name, or the main log / the standard output. */
export type LogFileRef = { name: string } | { main: 'log' | 'stdout' };

export type DiagnosticsRequest =
  | { kind: 'logList' }
  | { kind: 'logFile'; file: LogFileRef }
  | { kind: 'threadDump' }
  | { kind: 'environment' }
  | { kind: 'cpuProfile'; durationMs: number; intervalMs: number };

export interface DiagnosticsAnswers {
  logList: LogInfo[];
  logFile: Uint8Array | null;
  threadDump: { threadInfos: ThreadInfoJson[] };
  environment: ReturnType<typeof environmentInfo>;
  cpuProfile: FlameNode;
}

export async function answerDiagnostics(
  req: DiagnosticsRequest,
  log: ProcessLog | undefined,
): Promise<DiagnosticsAnswers[DiagnosticsRequest['kind']]> {
  switch (req.kind) {
    case 'logList':
      return log ? listLogFiles(log.dir, log.prefix) : [];
    case 'logFile': {
      if (!log) return null;
      const name = 'name' in req.file ? req.file.name : req.file.main === 'log' ? log.logFile : log.stdoutFile;
      return readLogFile(log.dir, log.prefix, name) ?? null;
    }
    case 'threadDump':
      return threadDump();
    case 'environment':
      return environmentInfo();
    case 'cpuProfile':
      return sampleCpu(req.durationMs, req.intervalMs);
    default:
      throw new SluiceError(
        'REST_BAD_REQUEST',
        `unknown diagnostics request ${JSON.stringify((req as { kind?: unknown }).kind)}`,
      );
  }
}
