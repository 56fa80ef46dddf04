/**
 * AttemptFence: which job attempts a task worker may still deploy. The job manager's deploy and cancel
 * messages race with the worker's asynchronous deployment (the bundle is evaluated, each task restores its
 * state): a cancel of the attempt being deployed, or the deployment of a newer attempt, can arrive in
 * between. The fence remembers both, and a deployment asks it after every step whether to go on.
 *
 * Invariants: an attempt the job manager cancelled is never deployed afterwards, and an older attempt never
 * goes on once a newer one began; attempt numbers belong to one job manager, so `reset()` (the job manager
 * was lost) forgets them all and stops every deployment begun before it.
 */

export class AttemptFence {
  private readonly cancelled = new Map<string, number>();
  private readonly newest = new Map<string, number>();
  private epoch = 0;

  /** A deployment of `attempt` begins; the returned check says why it must stop, or undefined to go on. */
  begin(jobId: string, attempt: number): () => 'cancelled' | 'superseded' | undefined {
    this.newest.set(jobId, Math.max(attempt, this.newest.get(jobId) ?? -1));
    const epoch = this.epoch;
    return () => {
      if (epoch !== this.epoch || (this.cancelled.get(jobId) ?? -1) >= attempt) return 'cancelled';
      if ((this.newest.get(jobId) ?? -1) > attempt) return 'superseded';
      return undefined;
    };
  }

  /** The job manager cancelled `attempt` of the job (and so every older one). */
  cancel(jobId: string, attempt: number): void {
    this.cancelled.set(jobId, Math.max(attempt, this.cancelled.get(jobId) ?? -1));
  }

  /** The job manager was lost: its attempt numbers mean nothing to the next one. */
  reset(): void {
    this.epoch++;
    this.cancelled.clear();
    this.newest.clear();
  }
}
