/**
 * An action an operator runs in its task's mailbox as soon as the task can run it (a processing-time timer
 * at the current time), such as emitting results that completed off the task thread. Requests made before
 * the action has run coalesce into one run.
 *
 * Invariants: at most one run is pending at a time; nothing is scheduled once `stopped()` holds; the action
 * runs on the task thread, never inside the caller of `schedule()`.
 */
import type { ProcessingTimeService } from './operator.js';

export class MailboxAction {
  private scheduled = false;

  constructor(
    private readonly timers: () => ProcessingTimeService,
    private readonly action: () => void,
    private readonly stopped: () => boolean,
  ) {}

  schedule(): void {
    if (this.scheduled || this.stopped()) return;
    this.scheduled = true;
    const pts = this.timers();
    pts.registerTimer(pts.currentProcessingTime(), () => {
      this.scheduled = false;
      this.action();
    });
  }
}
