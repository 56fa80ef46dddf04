/**
 * The operator contract: small, every method optional except the element handler of its arity. The task
 * calls, in order: setup → initializeState → open → (processElement* | processWatermark* | snapshotState |
 * notifyCheckpoint*)* → finish (end of input only) → close (always, even after failure).
 *
 * Batches (optional): an operator that declares `processBatch` (two inputs: `processBatch1/2`) gets runs of
 * consecutive records of one input buffer in one call (record-batch.ts); without it the runtime calls
 * `processElement` per record, so no operator has to change. `inputDrained` tells buffering operators that
 * nothing more is queued on the task's inputs (flush now instead of waiting for a timer).
 *
 * Invariants: processElement is synchronous; records arrive in batches per mailbox turn. Operators never
 * see the network, barriers or channels; keyed state and timers are owned by the runtime and reached
 * through the context. Watermarks reach `processWatermark` only when they advance.
 */
import type { StreamRecord } from './elements.js';
import type { StreamRecordBatch } from './record-batch.js';
import type { OutputTag } from './output-tag.js';
import type { QueryableStateRegistry } from './queryable-state.js';
import type { OperatorStateStore, StateDescriptor, StateOf } from './state.js';

export interface Output<T = unknown> {
  collect(record: StreamRecord<T>): void;
  collectSide<X>(tag: OutputTag<X>, record: StreamRecord<X>): void;
  emitWatermark(timestamp: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

export interface KeyGroupRange {
  start: number;
  /** inclusive */
  end: number;
}

/** Keyed state owned by the runtime, partitioned by key group. Namespaces are strings ('' = none). */
export interface KeyedStateBackend<K = unknown> {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  setCurrentKey(key: K): void;
  getCurrentKey(): K;
  getCurrentKeyGroup(): number;
  /** Handle bound to the current key and the given namespace. */
  getPartitionedState<D extends StateDescriptor>(namespace: string, desc: D): StateOf<D>;
  getState<D extends StateDescriptor>(desc: D): StateOf<D>;
  /** Keys that have state `stateName` in `namespace`. */
  getKeys(stateName: string, namespace: string): K[];
  /** Runs fn with the current key set to each key having state for `desc` (KeyedBroadcastProcessFunction). */
  applyToAllKeys<D extends StateDescriptor>(namespace: string, desc: D, fn: (key: K, state: StateOf<D>) => void): void;
}

export interface InternalTimer<K = unknown> {
  key: K;
  namespace: string;
  timestamp: number;
}

export interface Triggerable<K = unknown> {
  onEventTime(timer: InternalTimer<K>): void;
  onProcessingTime(timer: InternalTimer<K>): void;
}

/** Timers scoped to the current key. One timer per (key, namespace, time); firing in timestamp order. */
export interface InternalTimerService {
  currentProcessingTime(): number;
  currentWatermark(): number;
  registerEventTimeTimer(namespace: string, time: number): void;
  deleteEventTimeTimer(namespace: string, time: number): void;
  registerProcessingTimeTimer(namespace: string, time: number): void;
  deleteProcessingTimeTimer(namespace: string, time: number): void;
}

export interface ProcessingTimeService {
  currentProcessingTime(): number;
  /** Runs `fn` in the task mailbox at (or after) `timeMs`; returns a cancel function. */
  registerTimer(timeMs: number, fn: (timeMs: number) => void): () => void;
}

export interface MetricGroup {
  counter(name: string): { inc(n?: number): void; getCount(): number };
  /** A counter the user function registered (`getMetricGroup().counter`): also served as a user accumulator. */
  userCounter(name: string): { inc(n?: number): void; getCount(): number };
  gauge(name: string, read: () => number | string): void;
}

export interface OperatorContext {
  readonly operatorUid: string;
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly attemptNumber: number;
  readonly output: Output;
  /** Present when the operator's input is keyed. */
  readonly keyedStateBackend: KeyedStateBackend | undefined;
  readonly operatorStateStore: OperatorStateStore;
  readonly processingTimeService: ProcessingTimeService;
  /** Keyed timers delivered to `target`; the service is snapshotted with keyed state. */
  getInternalTimerService(name: string, target: Triggerable): InternalTimerService;
  readonly metrics: MetricGroup;
  /**
   * Periodic checkpoints are on: after `finish` the task's final state goes into a final checkpoint and the
   * task waits for its `notifyCheckpointComplete` before it ends, so commits can wait for it (FLIP-147).
   * Absent or false: nothing follows `finish` but `close`.
   */
  readonly checkpointingEnabled?: boolean;
  /** Job-level configuration (flat Flink keys) and program arguments. */
  readonly jobConfig: Readonly<Record<string, string>>;
  /** Key selectors of the keyed inputs (index 0 = input 1). */
  readonly keySelectors: ReadonlyArray<((value: any) => unknown) | undefined>;
  /**
   * The operator's current event time: the combined watermark of its inputs that the runtime has advanced
   * timers to (Long.MIN_VALUE before the first). Owned by the runtime; operators read, never mirror it.
   */
  currentWatermark(): number;
  /** The subtask's queryable states (absent where nothing can query them, e.g. some unit harnesses). */
  readonly queryableStates?: QueryableStateRegistry;
}

export interface StateInitializationContext {
  isRestored(): boolean;
  readonly operatorStateStore: OperatorStateStore;
  readonly keyedStateBackend: KeyedStateBackend | undefined;
}

export interface SnapshotContext {
  readonly checkpointId: number;
  readonly timestampMs: number;
  readonly isSavepoint: boolean;
}

export interface StreamOperator<OUT = unknown> {
  setup?(ctx: OperatorContext): void;
  initializeState?(ctx: StateInitializationContext): void | Promise<void>;
  open?(): void | Promise<void>;
  /**
   * Element processing. May return a Promise (async scoring): the task processes nothing else until it
   * settles, and watermarks the runtime forwards for this operator wait for it.
   */
  processElement?(record: StreamRecord): void | Promise<void>;
  processElement1?(record: StreamRecord): void | Promise<void>;
  processElement2?(record: StreamRecord): void | Promise<void>;
  /**
   * Records of one input in one call, instead of processElement per record (see record-batch.ts). A
   * returned Promise is awaited like processElement's before the next element. Watermarks, statuses,
   * barriers and end of input never fall inside a batch.
   */
  processBatch?(batch: StreamRecordBatch): void | Promise<void>;
  processBatch1?(batch: StreamRecordBatch): void | Promise<void>;
  processBatch2?(batch: StreamRecordBatch): void | Promise<void>;
  /**
   * The task took every element queued on its inputs; more may come later (this is not the end of input).
   * Operators that buffer records for batching flush here, so at low load a record waits for no timer. May
   * return a Promise (awaited as pending work). Not called in source tasks.
   */
  inputDrained?(): void | Promise<void>;
  /** One-input watermark; default (AbstractStreamOperator) advances timers and forwards. May return a Promise. */
  processWatermark?(timestamp: number): void | Promise<void>;
  processWatermark1?(timestamp: number): void;
  processWatermark2?(timestamp: number): void;
  /** Called before the barrier is forwarded: flush buffered output (e.g. scoring batches). */
  prepareSnapshotPreBarrier?(checkpointId: number): void | Promise<void>;
  /** Write operator state into the store; keyed state and timers are snapshotted by the runtime. */
  snapshotState?(ctx: SnapshotContext): void | Promise<void>;
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
  /** End of input: flush. Not called on cancel or failure. */
  finish?(): void | Promise<void>;
  close?(): void | Promise<void>;
  /** Marker for the type checker only. */
  readonly __out?: OUT;
}

/** Builds a fresh operator instance for one subtask. */
export type OperatorFactory = () => StreamOperator;
