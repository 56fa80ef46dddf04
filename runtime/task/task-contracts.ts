/**
 * What a StreamTask needs from its surroundings: the listener it reports state changes, checkpoint
 * acknowledgements/declines and its final state to (the local executor or the task worker), its inputs, and
 * the driver of a source task's reader (source-input.ts). Types only; re-exported by stream-task.ts.
 *
 * Invariants: a listener's methods are called from the task's mailbox (or its asynchronous snapshot parts)
 * on the event loop, never concurrently; each checkpoint is either acknowledged or declined, once.
 */
import type { TaskState } from '../api/task-state.js';
import type { KeyGroupColumns } from '../state/key-group-columns.js';
import type { KeyGroupSnapshot } from '../state/snapshot-types.js';
import type { SnapshotTiming } from './async-snapshot.js';
import type { TaskInputChannel } from './channel.js';
import type { OperatorSnapshot } from './operator-chain.js';

export interface TaskListener {
  onStateChange(state: TaskState, error?: Error): void;
  acknowledgeCheckpoint(checkpointId: number, snapshots: OperatorSnapshot[], timing?: SnapshotTiming): void;
  /**
   * How the listener wants keyed state's key groups (the worker's RPC path: bytes, encoded in the
   * asynchronous part's slices); undefined: as objects.
   */
  encodeKeyGroup?(g: KeyGroupSnapshot | KeyGroupColumns): unknown;
  /**
   * The task's state after its end of input; it stands in for its acknowledgements of checkpoints from
   * `firstCheckpointId` on (the one after the last checkpoint the task took itself).
   */
  reportFinalState?(snapshots: OperatorSnapshot[], firstCheckpointId: number): void;
  declineCheckpoint(checkpointId: number, reason: Error): void;
}

export interface InputSpec {
  channel: TaskInputChannel;
  logicalInput: 0 | 1;
}

/** Input driver for source tasks (see source-input.ts). */
export interface SourceDriver {
  /** Emits a bounded batch into the chain; returns false at end of input. */
  pollBatch(): 'MORE' | 'WAIT' | 'END';
  availability(): Promise<void>;
  /** Emits MAX_WATERMARK now (stop --drain). */
  drain(): void;
  snapshot(checkpointId: number): OperatorSnapshot;
  notifyCheckpointComplete?(checkpointId: number): Promise<void> | void;
  close(): Promise<void>;
}
