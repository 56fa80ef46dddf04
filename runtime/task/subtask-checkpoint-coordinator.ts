/**
 * The checkpoint side of one task once its barriers are aligned (Flink's SubtaskCheckpointCoordinator):
 * operators' prepareSnapshotPreBarrier, the barrier forwarded downstream, the synchronous part (operators'
 * snapshotState, operator state copied, keyed state frozen copy-on-write), then the asynchronous part
 * (async-snapshot.ts: key groups built in slices between mailbox turns) and the acknowledgement with both
 * durations — or the decline if either part fails. Also passes checkpoint completion/abortion on to the
 * source and the operators, and takes the final state at the end of input (with the first checkpoint it
 * stands in for).
 *
 * Invariants: called from the task's mailbox only, so no operator method runs concurrently with another; a
 * checkpoint's state is taken after every operator's prepareSnapshotPreBarrier and after the barrier was
 * forwarded; every checkpoint is acknowledged or declined exactly once and every frozen version released
 * once. A stop-with-savepoint (SYNC_SAVEPOINT) is built at once and acknowledged only after the stop moved
 * to SAVEPOINT_ACKNOWLEDGED; `awaitInFlight` returns once every checkpoint still being built was settled.
 */
import type { CheckpointBarrier } from '../api/elements.js';
import type { Clock } from '../platform/clock.js';
import { completeSnapshots, releasePending, type PendingOperatorSnapshot } from './async-snapshot.js';
import type { OperatorDriver, OperatorSnapshot } from './operator-chain.js';
import type { RecordWriter } from './record-writer.js';
import type { StopWithSavepoint } from './stop-with-savepoint.js';
import type { SourceDriver, TaskListener } from './task-contracts.js';

/** Work of the asynchronous snapshot part between two pauses, and the pause (the mailbox runs meanwhile). */
const SNAPSHOT_SLICE_MS = 2;
const SNAPSHOT_PAUSE_MS = 4;

/** What the coordinator needs from its task besides its parts. */
export interface CheckpointHost {
  /** True once the task closes its operators: the asynchronous parts still building give up. */
  isClosed(): boolean;
  /** A stop-with-savepoint without drain was acknowledged by a source task: it ends suspended. */
  suspend(): void;
}

export class SubtaskCheckpointCoordinator {
  /** Asynchronous parts of checkpoints still being built. */
  private readonly inFlight = new Set<Promise<boolean>>();
  /** The newest checkpoint this task took (or declined); 0 before the first. */
  private lastCheckpointId = 0;

  constructor(
    private readonly name: string,
    private readonly drivers: OperatorDriver[],
    private readonly writers: RecordWriter[],
    private readonly source: SourceDriver | undefined,
    private readonly clock: Clock,
    private readonly listener: TaskListener,
    private readonly stop: StopWithSavepoint,
    private readonly host: CheckpointHost,
  ) {}

  async performCheckpoint(b: CheckpointBarrier): Promise<void> {
    const sync = b.checkpointKind === 'SYNC_SAVEPOINT';
    this.lastCheckpointId = Math.max(this.lastCheckpointId, b.checkpointId);
    if (this.source && sync && b.drain) this.source.drain();
    let pending: PendingOperatorSnapshot[] | undefined;
    try {
      for (const d of this.drivers) await d.operator.prepareSnapshotPreBarrier?.(b.checkpointId);
      for (const w of this.writers) w.broadcastEvent(b);
      const syncStart = this.clock.monotonicMs();
      pending = await this.freezeAll(b.checkpointId, b.timestampMs, b.checkpointKind !== 'CHECKPOINT', true);
      const syncDurationMs = this.clock.monotonicMs() - syncStart;
      const beforeAck = sync ? () => this.stop.savepointAcknowledged(b.checkpointId) : undefined;
      const part = this.asyncPart(b.checkpointId, pending, syncDurationMs, beforeAck);
      pending = undefined; // owned by the asynchronous part now
      if (sync) {
        if ((await part) && this.source && !b.drain) this.host.suspend();
      } else {
        this.inFlight.add(part);
        void part.finally(() => this.inFlight.delete(part));
      }
    } catch (e) {
      if (pending) releasePending(pending);
      this.listener.declineCheckpoint(b.checkpointId, e as Error);
    }
  }

  /** Checkpoint `checkpointId` completed: the source, then the operators head to tail. */
  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    await this.source?.notifyCheckpointComplete?.(checkpointId);
    for (const d of this.drivers) {
      await d.operator.notifyCheckpointComplete?.(checkpointId);
      d.keyed?.notifyCheckpointComplete?.(checkpointId);
    }
  }

  /** Checkpoint `checkpointId` was aborted: the operators head to tail. */
  async notifyCheckpointAborted(checkpointId: number): Promise<void> {
    for (const d of this.drivers) {
      await d.operator.notifyCheckpointAborted?.(checkpointId);
      d.keyed?.notifyCheckpointAborted?.(checkpointId);
    }
  }

  /** Waits until every checkpoint still being built was acknowledged or declined. */
  async awaitInFlight(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /**
   * The task's state at its end of input and the first checkpoint it stands in for: the one after the newest
   * this task took (it acknowledges none after its end, so a completed checkpoint of that id or later holds
   * this state). Frozen at once, built in slices that yield one event-loop turn each (the task reads no more
   * input; the worker's heartbeats, RPC and other tasks run between slices), encoded as for checkpoints.
   */
  async finalState(timestampMs: number): Promise<{ snapshots: OperatorSnapshot[]; firstCheckpointId: number }> {
    const firstCheckpointId = this.lastCheckpointId + 1;
    const pending = await this.freezeAll(firstCheckpointId, timestampMs, false);
    const snapshots = await completeSnapshots(pending, {
      clock: this.clock,
      sliceMs: SNAPSHOT_SLICE_MS,
      pauseMs: 0,
      abandoned: () => (this.host.isClosed() ? `task ${this.name} is closing` : undefined),
      encodeKeyGroup: this.listener.encodeKeyGroup?.bind(this.listener),
    });
    return { snapshots, firstCheckpointId };
  }

  /**
   * Builds the snapshots, then acknowledges (true); declines on failure (false). A stop-with-savepoint
   * (`beforeAck` given) builds at once, since the task does not go on processing.
   */
  private async asyncPart(
    checkpointId: number,
    pending: PendingOperatorSnapshot[],
    syncDurationMs: number,
    beforeAck?: () => void,
  ): Promise<boolean> {
    const asyncStart = this.clock.monotonicMs();
    try {
      const snapshots = await completeSnapshots(pending, {
        clock: this.clock,
        sliceMs: beforeAck ? 0 : SNAPSHOT_SLICE_MS,
        pauseMs: SNAPSHOT_PAUSE_MS,
        abandoned: () => (this.host.isClosed() ? `task ${this.name} is closing` : undefined),
        encodeKeyGroup: this.listener.encodeKeyGroup?.bind(this.listener),
      });
      const asyncDurationMs = this.clock.monotonicMs() - asyncStart;
      beforeAck?.();
      this.listener.acknowledgeCheckpoint(checkpointId, snapshots, { syncDurationMs, asyncDurationMs });
      return true;
    } catch (e) {
      this.listener.declineCheckpoint(checkpointId, e as Error);
      return false;
    }
  }

  /** The synchronous part: operators' snapshotState, operator state copied, keyed state frozen. */
  private async freezeAll(
    checkpointId: number,
    timestampMs: number,
    isSavepoint: boolean,
    /** A checkpoint barrier (not the final state): incremental keyed backends may take a delta. */
    atBarrier = false,
  ): Promise<PendingOperatorSnapshot[]> {
    const pending: PendingOperatorSnapshot[] = [];
    try {
      if (this.source) {
        const s = this.source.snapshot(checkpointId);
        pending.push({ uid: s.uid, operator: s.operator, keyGroupRange: s.keyGroupRange, keyedBuilt: s.keyed });
      }
      for (const d of this.drivers) {
        await d.operator.snapshotState?.({ checkpointId, timestampMs, isSavepoint });
        pending.push(d.freezeSnapshot(atBarrier ? { checkpointId, isSavepoint } : undefined));
      }
    } catch (e) {
      releasePending(pending);
      throw e;
    }
    return pending;
  }
}
