/**
 * SinkWriterOperator: drives a Sink (runtime/api/source.ts) with Sink V2's two-phase protocol —
 * flush + prepareCommit at the barrier (committables stored in operator state), commit in
 * notifyCheckpointComplete, and commit of restored committables on recovery (committers are idempotent).
 * A writer's `write` may return a promise (back-pressure); the operator returns it, and the task takes no
 * more input until it settles.
 *
 * End of input (Flink's final checkpoint, FLIP-147): with checkpointing, `finish` only prepares the last
 * transaction, tagged with the checkpoint after the last one this sink took (a checkpoint the task's final
 * state stands in for), and keeps it pending; it is committed by the notification of the final checkpoint,
 * which the task waits for. A failure before that checkpoint completes restores an earlier one whose
 * replay writes the same records again, and nothing of the first run was committed. Without checkpointing,
 * `finish` commits everything at once (there is no exactly-once without checkpoints).
 *
 * Every snapshot also records its checkpoint id (union state), so a restored subtask knows which checkpoint
 * it resumes from and lets the committer withdraw what commits of later checkpoints made visible before it
 * commits anything: after a fallback past a newer checkpoint (a corrupt one, an older savepoint) the input
 * after the restored checkpoint is replayed, and its earlier commits would otherwise be duplicates.
 */
import type { StreamRecord } from '../../runtime/api/elements.js';
import type {
  OperatorContext,
  SnapshotContext,
  StateInitializationContext,
  StreamOperator,
} from '../../runtime/api/operator.js';
import type { Committer, Sink, SinkWriter } from '../../runtime/api/source.js';
import { ListStateDescriptor, type ListState } from '../../runtime/api/state.js';

interface Pending {
  checkpointId: number;
  committables: unknown[];
}

export class SinkWriterOperator implements StreamOperator {
  private ctx!: OperatorContext;
  private writer!: SinkWriter<unknown>;
  private committer?: Committer<unknown>;
  private pending: Pending[] = [];
  private pendingState?: ListState<Pending>;
  private writerState?: ListState<unknown>;
  private restoredWriterState: unknown[] = [];
  private checkpointIdState?: ListState<number>;
  /** The checkpoint this subtask was restored from (undefined on a fresh start or from older state). */
  private restoredCheckpointId: number | undefined;
  /** The newest checkpoint this sink took or was restored from (0: none); the final transaction's tag is one more. */
  private lastCheckpointId = 0;

  constructor(private readonly sink: Sink<unknown>) {}

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  private writerContext() {
    return {
      subtaskIndex: this.ctx.subtaskIndex,
      parallelism: this.ctx.parallelism,
      attemptNumber: this.ctx.attemptNumber,
      jobId: this.ctx.jobConfig['$jobId'] ?? '',
      jobConfig: this.ctx.jobConfig,
    };
  }

  async initializeState(init: StateInitializationContext): Promise<void> {
    this.pendingState = init.operatorStateStore.getListState(
      new ListStateDescriptor<Pending>('sink-pending-committables'),
    );
    this.writerState = init.operatorStateStore.getListState(new ListStateDescriptor<unknown>('sink-writer-state'));
    this.checkpointIdState = init.operatorStateStore.getUnionListState(
      new ListStateDescriptor<number>('sink-checkpoint-id'),
    );
    if (init.isRestored()) {
      this.restoredWriterState = this.writerState.get();
      this.pending = this.pendingState.get();
      const ids = this.checkpointIdState.get();
      if (ids.length) this.restoredCheckpointId = Math.max(...ids);
      this.lastCheckpointId = Math.max(0, this.restoredCheckpointId ?? 0);
    }
  }

  async open(): Promise<void> {
    if (this.sink.createCommitter) this.committer = this.sink.createCommitter(this.writerContext());
    this.writer = await this.sink.createWriter(this.writerContext(), this.restoredWriterState);
    if (this.restoredCheckpointId !== undefined)
      await this.committer?.withdrawCommittedAfter?.(this.restoredCheckpointId);
    if (this.pending.length && this.committer) {
      await this.committer.commit(this.pending.flatMap((p) => p.committables));
      this.pending = [];
    }
  }

  processElement(r: StreamRecord): void | Promise<void> {
    return this.writer.write(r.value, r.timestamp); // a promise holds the task's input (back-pressure)
  }

  async prepareSnapshotPreBarrier(checkpointId: number): Promise<void> {
    this.lastCheckpointId = Math.max(this.lastCheckpointId, checkpointId);
    await this.writer.flush?.(false);
    if (this.writer.prepareCommit) {
      const committables = await this.writer.prepareCommit(checkpointId);
      if (committables.length) this.pending.push({ checkpointId, committables });
    }
  }

  snapshotState(ctx: SnapshotContext): void {
    // the final state (taken after finish) resumes from the final transaction's checkpoint
    const checkpointId = Math.max(ctx.checkpointId, this.lastCheckpointId);
    this.pendingState?.update(this.pending);
    this.writerState?.update(this.writer.snapshotState?.(checkpointId) ?? []);
    this.checkpointIdState?.update([checkpointId]);
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const ready = this.pending.filter((p) => p.checkpointId <= checkpointId);
    if (!ready.length) return;
    this.pending = this.pending.filter((p) => p.checkpointId > checkpointId);
    await this.committer?.commit(ready.flatMap((p) => p.committables));
  }

  /**
   * End of input. With checkpointing: prepares the last transaction and keeps it pending for the final
   * checkpoint (see the header). Without: commits everything — committables of earlier checkpoints whose
   * completion notice has not arrived and the final transaction.
   */
  async finish(): Promise<void> {
    await this.writer.flush?.(true);
    if (!this.writer.prepareCommit) return;
    if (this.ctx.checkpointingEnabled) {
      const checkpointId = ++this.lastCheckpointId;
      const committables = await this.writer.prepareCommit(checkpointId);
      if (committables.length) this.pending.push({ checkpointId, committables });
      return;
    }
    const committables = [
      ...this.pending.flatMap((p) => p.committables),
      ...(await this.writer.prepareCommit(Number.MAX_SAFE_INTEGER)),
    ];
    this.pending = [];
    if (this.committer && committables.length) await this.committer.commit(committables);
  }

  async close(): Promise<void> {
    await this.writer?.close?.();
    await this.committer?.close?.();
  }
}
