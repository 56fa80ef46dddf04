/**
 * Processing-time service of a task: timers are scheduled on the platform clock and run as mails in the
 * task's mailbox, never concurrently with element processing.
 */
import type { ProcessingTimeService } from '../api/operator.js';
import type { Clock, TimerHandle } from '../platform/clock.js';

export class MailboxProcessingTimeService implements ProcessingTimeService {
  private readonly pending = new Set<TimerHandle>();
  private quiesced = false;
  constructor(
    private readonly clock: Clock,
    private readonly enqueueMail: (fn: () => void) => void,
  ) {}

  currentProcessingTime(): number {
    return this.clock.nowMs();
  }

  registerTimer(timeMs: number, fn: (timeMs: number) => void): () => void {
    if (this.quiesced) return () => {};
    const h = this.clock.setTimeout(() => {
      this.pending.delete(h);
      if (!this.quiesced) this.enqueueMail(() => fn(timeMs));
    }, timeMs - this.clock.nowMs());
    this.pending.add(h);
    return () => {
      this.clock.clear(h);
      this.pending.delete(h);
    };
  }

  /** Cancels every pending timer; later registrations are ignored (task shutting down). */
  quiesce(): void {
    this.quiesced = true;
    for (const h of this.pending) this.clock.clear(h);
    this.pending.clear();
  }
}
