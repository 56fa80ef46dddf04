/**
 * Job status and its one checked transition table (Flink's JobStatus). Every status change of a job goes
 * through `transition`, which refuses transitions the table does not allow and records timestamps for
 * `/jobs/:id` (`timestamps` holds every status, 0 when not reached).
 */
import { SluiceError } from '../errors/catalogue.js';

import { JOB_STATUSES, type JobStatus } from '../api/job-status.js';

export { JOB_STATUSES, type JobStatus };

const ALLOWED: Record<JobStatus, JobStatus[]> = {
  INITIALIZING: ['CREATED', 'FAILED', 'CANCELED'],
  CREATED: ['RUNNING', 'FAILING', 'FAILED', 'CANCELLING', 'CANCELED'],
  RUNNING: ['FINISHED', 'FAILING', 'CANCELLING', 'RESTARTING', 'SUSPENDED'],
  FAILING: ['FAILED', 'RESTARTING', 'CANCELLING'],
  RESTARTING: ['CREATED', 'RUNNING', 'FAILED', 'CANCELLING', 'CANCELED'],
  CANCELLING: ['CANCELED'],
  FAILED: [],
  CANCELED: [],
  FINISHED: [],
  SUSPENDED: [],
  RECONCILING: ['RUNNING', 'FAILED'],
};

export function isGloballyTerminal(s: JobStatus): boolean {
  return s === 'FAILED' || s === 'CANCELED' || s === 'FINISHED';
}

/** Flink's `JobStatus.isTerminalState`: globally terminal, or SUSPENDED (this job manager gave the job up). */
export function isTerminal(s: string): boolean {
  return s === 'SUSPENDED' || isGloballyTerminal(s as JobStatus);
}

export class JobStatusMachine {
  private current: JobStatus = 'INITIALIZING';
  readonly timestamps: Record<JobStatus, number>;
  constructor(
    private readonly nowMs: () => number,
    private readonly onChange: (from: JobStatus, to: JobStatus) => void = () => {},
  ) {
    this.timestamps = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
    this.timestamps.INITIALIZING = nowMs();
  }

  get status(): JobStatus {
    return this.current;
  }

  canTransition(to: JobStatus): boolean {
    return ALLOWED[this.current].includes(to);
  }

  transition(to: JobStatus): void {
    if (!this.canTransition(to)) {
      throw new SluiceError('JOB_INVALID_TRANSITION', `job status cannot change from ${this.current} to ${to}`);
    }
    const from = this.current;
    this.current = to;
    this.timestamps[to] = this.nowMs();
    this.onChange(from, to);
  }
}
