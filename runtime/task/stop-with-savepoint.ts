/**
 * Stop-with-savepoint as seen by one task: the phases it goes through and the one table of allowed
 * transitions (as `jobmanager/job-status.ts` does for job statuses). The task acknowledges the synchronous
 * savepoint (a source emits no record after its barrier), and ends only once that savepoint completed, so
 * its sinks commit exactly what the savepoint holds; if the savepoint is aborted the task keeps running,
 * as Flink's does.
 *
 *   RUNNING ──ack──▶ SAVEPOINT_ACKNOWLEDGED ──input ends──▶ END_DEFERRED ──completed──▶ ENDED
 *      │                 │      ▲ aborted                       │ aborted ▲
 *      │                 │      └───────── RUNNING ◀────────────┘         │
 *      │                 └──completed──▶ SAVEPOINT_COMPLETED ──input ends──┘
 *      └──input ends (no stop in progress)──▶ ENDED
 *
 * Invariants: a transition not in the table throws TASK_INVALID_TRANSITION (an internal error: the task
 * fails, or declines the checkpoint, rather than end twice or end before its savepoint completed); ENDED is
 * final; notifications of other checkpoints than the stop's savepoint change nothing.
 */
import { SluiceError } from '../errors/catalogue.js';

export const STOP_PHASES = [
  'RUNNING',
  'SAVEPOINT_ACKNOWLEDGED',
  'END_DEFERRED',
  'SAVEPOINT_COMPLETED',
  'ENDED',
] as const;
export type StopPhase = (typeof STOP_PHASES)[number];

const ALLOWED: Record<StopPhase, readonly StopPhase[]> = {
  RUNNING: ['SAVEPOINT_ACKNOWLEDGED', 'ENDED'],
  SAVEPOINT_ACKNOWLEDGED: ['END_DEFERRED', 'SAVEPOINT_COMPLETED', 'RUNNING'],
  END_DEFERRED: ['ENDED', 'RUNNING'],
  SAVEPOINT_COMPLETED: ['ENDED'],
  ENDED: [],
};

/** What the task does after an event. */
export type StopAction = 'continue' | 'end' | 'defer' | 'resume';

export class StopWithSavepoint {
  private current: StopPhase = 'RUNNING';
  /** The savepoint of the stop in progress, -1 when none. */
  private savepointId = -1;

  constructor(
    private readonly taskName: string,
    private readonly onChange: (from: StopPhase, to: StopPhase) => void = () => {},
  ) {}

  get phase(): StopPhase {
    return this.current;
  }

  /** True once a stop's savepoint was acknowledged: a source emits nothing more (unless it is aborted). */
  get stopping(): boolean {
    return this.current !== 'RUNNING' && this.current !== 'ENDED';
  }

  canTransition(to: StopPhase): boolean {
    return ALLOWED[this.current].includes(to);
  }

  transition(to: StopPhase): void {
    if (!this.canTransition(to))
      throw new SluiceError(
        'TASK_INVALID_TRANSITION',
        `task ${this.taskName}: stop-with-savepoint cannot go from ${this.current} to ${to} (savepoint ${this.savepointId})`,
      );
    const from = this.current;
    this.current = to;
    if (to === 'RUNNING') this.savepointId = -1;
    this.onChange(from, to);
  }

  /** The task acknowledged synchronous savepoint `checkpointId`. */
  savepointAcknowledged(checkpointId: number): void {
    this.transition('SAVEPOINT_ACKNOWLEDGED');
    this.savepointId = checkpointId;
  }

  /** Checkpoint `checkpointId` completed: 'end' when the task was only waiting for it. */
  checkpointCompleted(checkpointId: number): StopAction {
    if (this.savepointId < 0 || checkpointId < this.savepointId) return 'continue';
    if (this.current === 'SAVEPOINT_ACKNOWLEDGED') this.transition('SAVEPOINT_COMPLETED');
    else if (this.current === 'END_DEFERRED') {
      this.transition('ENDED');
      return 'end';
    }
    return 'continue';
  }

  /** Checkpoint `checkpointId` was aborted: 'resume' when it was the stop's savepoint (the task runs on). */
  checkpointAborted(checkpointId: number): StopAction {
    if (checkpointId !== this.savepointId) return 'continue';
    if (this.current !== 'SAVEPOINT_ACKNOWLEDGED' && this.current !== 'END_DEFERRED') return 'continue';
    this.transition('RUNNING');
    return 'resume';
  }

  /** The task's input ended (or its source stopped): 'end' now, or 'defer' until the savepoint completes. */
  inputEnded(): StopAction {
    if (this.current === 'SAVEPOINT_ACKNOWLEDGED') {
      this.transition('END_DEFERRED');
      return 'defer';
    }
    this.transition('ENDED');
    return 'end';
  }
}
