/**
 * Barrier alignment of one task's input channels (Flink's CheckpointBarrierHandler). Under EXACTLY_ONCE a
 * channel that delivered checkpoint n's barrier is blocked until every channel delivered it (or ended);
 * under AT_LEAST_ONCE barriers are only counted and no channel is blocked. Once aligned, the checkpoint is
 * triggered (subtask-checkpoint-coordinator.ts) before any post-barrier input is read.
 *
 * Invariants: at most one checkpoint aligns at a time; a newer barrier subsumes an unfinished alignment and
 * a barrier older than the one aligning is stale and ignored; ending an alignment unblocks every channel and
 * reschedules the task. `ended` is the task's own array (a channel that ended counts as aligned).
 */
import type { CheckpointBarrier } from '../api/elements.js';

export class CheckpointBarrierHandler {
  private readonly blocked: boolean[];
  private readonly barrierSeen: boolean[];
  private aligningId = -1;
  private pendingBarrier: CheckpointBarrier | undefined;

  constructor(
    private readonly ended: readonly boolean[],
    private readonly checkpointMode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE',
    /** Takes the checkpoint once every channel delivered its barrier. */
    private readonly triggerCheckpoint: (b: CheckpointBarrier) => Promise<void>,
    /** Input may be read again (channels unblocked). */
    private readonly resume: () => void,
  ) {
    this.blocked = ended.map(() => false);
    this.barrierSeen = ended.map(() => false);
  }

  /** True while channel `ch` delivered the barrier of the checkpoint aligning (EXACTLY_ONCE only). */
  isBlocked(ch: number): boolean {
    return this.blocked[ch]!;
  }

  async onBarrier(ch: number, b: CheckpointBarrier): Promise<void> {
    if (b.checkpointId < this.aligningId) return; // stale barrier of an aborted checkpoint
    if (b.checkpointId > this.aligningId) {
      if (this.aligningId >= 0) this.endAlignment(); // newer checkpoint subsumes the unfinished one
      this.aligningId = b.checkpointId;
      this.pendingBarrier = b;
    }
    this.barrierSeen[ch] = true;
    if (this.checkpointMode === 'EXACTLY_ONCE') this.blocked[ch] = true;
    await this.maybeCompleteAlignment();
  }

  /** A channel ended: it no longer holds back the checkpoint aligning. */
  async onChannelEnded(): Promise<void> {
    if (this.aligningId >= 0) await this.maybeCompleteAlignment();
  }

  /** Checkpoint `checkpointId` was aborted: stop aligning for it. */
  checkpointAborted(checkpointId: number): void {
    if (this.aligningId === checkpointId) this.endAlignment();
  }

  private async maybeCompleteAlignment(): Promise<void> {
    for (let i = 0; i < this.ended.length; i++) if (!this.barrierSeen[i] && !this.ended[i]) return;
    const b = this.pendingBarrier!;
    this.endAlignment();
    await this.triggerCheckpoint(b);
  }

  private endAlignment(): void {
    this.blocked.fill(false);
    this.barrierSeen.fill(false);
    this.aligningId = -1;
    this.pendingBarrier = undefined;
    this.resume();
  }
}
