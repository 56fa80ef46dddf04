/**
 * In-process checkpoint coordinator for local execution: triggers barriers at the source tasks on an
 * interval, collects acknowledgements from every task, and notifies completion. Snapshots stay in memory
 * (`completed`), which is what tests of the barrier protocol inspect. Cluster jobs use the job manager's
 * coordinator with checkpoint storage instead.
 */
import { ElementKind } from '../api/elements.js';
import { platform } from '../platform/index.js';
import type { TimerHandle } from '../platform/clock.js';
import type { OperatorSnapshot } from '../task/operator-chain.js';
import type { StreamTask } from '../task/stream-task.js';

export interface CompletedLocalCheckpoint {
  checkpointId: number;
  snapshots: Map<number, OperatorSnapshot[]>;
}

export class LocalCheckpointCoordinator {
  readonly completed: CompletedLocalCheckpoint[] = [];
  readonly failed: Array<{ checkpointId: number; reason: string }> = [];
  private nextId = 1;
  private pending: { id: number; acks: Map<number, OperatorSnapshot[]>; expected: number } | undefined;
  private timer: TimerHandle | undefined;
  private readonly ended = new Set<number>();

  constructor(
    private readonly intervalMs: number,
    private readonly sources: () => StreamTask[],
    private readonly all: () => StreamTask[],
  ) {}

  start(): void {
    if (this.intervalMs > 0) this.timer = platform.clock.setInterval(() => this.trigger(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) platform.clock.clear(this.timer);
  }

  taskEnded(index: number): void {
    this.ended.add(index);
  }

  /** Triggers a checkpoint now; returns its id, or -1 when one is pending or a task already finished. */
  trigger(): number {
    if (this.pending || this.ended.size > 0) return -1;
    const id = this.nextId++;
    this.pending = { id, acks: new Map(), expected: this.all().length };
    for (const s of this.sources()) s.triggerCheckpoint({ kind: ElementKind.Barrier, checkpointId: id, timestampMs: platform.clock.nowMs(), checkpointKind: 'CHECKPOINT' });
    return id;
  }

  acknowledge(taskIndex: number, checkpointId: number, snaps: OperatorSnapshot[]): void {
    const p = this.pending;
    if (!p || p.id !== checkpointId) return;
    p.acks.set(taskIndex, snaps);
    if (p.acks.size === p.expected) {
      this.pending = undefined;
      this.completed.push({ checkpointId, snapshots: p.acks });
      for (const t of this.all()) t.notifyCheckpointComplete(checkpointId);
    }
  }

  decline(_taskIndex: number, checkpointId: number, reason: Error): void {
    if (this.pending?.id !== checkpointId) return;
    this.pending = undefined;
    this.failed.push({ checkpointId, reason: reason.message });
    for (const t of this.all()) t.notifyCheckpointAborted(checkpointId);
  }
}
