/**
 * OperatorChain: instantiates the operators of one task (a job vertex's chain) for one subtask, wires
 * their outputs (chained calls, then record writers at the tail), and owns per-operator state: keyed
 * backend + timer manager for keyed operators, an operator state store for all.
 *
 * Watermark contract (see operators/windows/README.md): for each operator the driver combines input
 * watermarks (min over the two inputs), advances the operator's timers, calls `processWatermark` if the
 * operator has it, then forwards — unless the operator declares `ownsWatermarks` (it emits its own).
 *
 * Batches: an operator with processBatch (processBatch1/2) gets runs of records of one input buffer in one
 * call (record-runs.ts); the task calls processRecord per record for the others.
 *
 * Asynchronous operators (model scoring): processElement, processElement1/2 and processWatermark may return a Promise. The
 * driver keeps it as `pending`, defers the watermarks and statuses it would forward until it settles,
 * and the task settles every driver's pending work before it takes the next element or barrier — so
 * results always precede later watermarks, barriers and end of input (Flink's mailbox yield).
 */
import { ElementKind, type StreamRecord } from '../api/elements.js';
import type { OperatorContext, StreamOperator, Triggerable } from '../api/operator.js';
import type { StreamRecordBatch } from '../api/record-batch.js';
import type { QueryableStateRegistry } from '../api/queryable-state.js';
import { LONG_MIN } from '../api/time.js';
import { computeKeyGroupRangeForOperatorIndex } from '../keygroups/index.js';
import {
  createKeyedStateBackend,
  createOperatorStateStore,
  createTimerServiceManager,
  openKeyedStateBackend,
  type FreezeContext,
  type RuntimeKeyedStateBackend,
  type StateBackendSpec,
} from '../state/index.js';
import { type JobGraph, type JobVertex, operatorUid } from '../graph/job-graph.js';
import type { StreamNode } from '../graph/stream-graph.js';
import type { MailboxProcessingTimeService } from './processing-time.js';
import type { RecordWriter } from './record-writer.js';
import { MetricRegistry } from './task-metrics.js';
import type { PendingOperatorSnapshot } from './async-snapshot.js';

export interface OperatorSnapshot {
  uid: string;
  keyed?: unknown;
  keyGroupRange?: { start: number; end: number };
  operator?: unknown;
}

export interface OperatorRestore {
  keyed?: unknown[];
  operator?: unknown;
}

type KeyedBackend = RuntimeKeyedStateBackend;
type TimerManager = ReturnType<typeof createTimerServiceManager>;
type OpStore = ReturnType<typeof createOperatorStateStore>;

export class OperatorDriver {
  private readonly inputWm: number[];
  private readonly inputIdle: boolean[];
  private currentWm = LONG_MIN;
  private idle = false;
  private pending: Promise<void> | undefined;
  constructor(
    readonly node: StreamNode,
    readonly uid: string,
    readonly operator: StreamOperator,
    readonly output: OperatorContext['output'],
    readonly keyed: KeyedBackend | undefined,
    readonly timers: TimerManager | undefined,
    readonly opStore: OpStore,
    readonly keySelectors: Array<((v: unknown) => unknown) | undefined>,
  ) {
    this.inputWm = node.numInputs === 2 ? [LONG_MIN, LONG_MIN] : [LONG_MIN];
    this.inputIdle = this.inputWm.map(() => false);
  }

  processRecord(input: number, r: StreamRecord): void {
    if (this.keyed) this.keyed.setCurrentKey(this.keySelectors[input]!(r.value));
    const op = this.operator;
    const res = input === 0 ? (op.processElement ?? op.processElement1)!.call(op, r) : op.processElement2!.call(op, r);
    if (res !== undefined) this.track(res);
  }

  /** True when the operator takes records of `input` in batches (processBatch, processBatch1/2). */
  takesBatches(input: number): boolean {
    const op = this.operator;
    return input === 0 ? (op.processBatch ?? op.processBatch1) !== undefined : op.processBatch2 !== undefined;
  }

  /** A run of records of one input, to an operator that takesBatches(input); keys are the operator's to set. */
  processBatch(input: number, batch: StreamRecordBatch): void {
    const op = this.operator;
    const res =
      input === 0 ? (op.processBatch ?? op.processBatch1)!.call(op, batch) : op.processBatch2!.call(op, batch);
    if (res !== undefined) this.track(res);
  }

  /** The task's inputs have nothing more queued (StreamOperator.inputDrained). */
  inputDrained(): void {
    const res = this.operator.inputDrained?.();
    if (res !== undefined) this.track(res);
  }

  /** Async work returned by the operator since the last call; the task awaits it before the next element. */
  takePending(): Promise<void> | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }

  private track(res: unknown): void {
    if (!res || typeof (res as Promise<void>).then !== 'function') return;
    const p = res as Promise<void>;
    this.pending = this.pending ? Promise.all([this.pending, p]).then(() => undefined) : p;
  }

  /** Runs `emit` now, or after the pending async work when there is some (keeps output order). */
  private afterPending(emit: () => void): void {
    if (this.pending) this.pending = this.pending.then(emit);
    else emit();
  }

  processWatermark(input: number, ts: number): void {
    const op = this.operator as StreamOperator & { ownsWatermarks?: boolean };
    if (op.ownsWatermarks) {
      this.track(op.processWatermark?.(ts));
      return;
    }
    this.inputWm[input] = Math.max(this.inputWm[input]!, ts);
    if (this.inputIdle[input]) this.processWatermarkStatus(input, false);
    else this.advance();
  }

  /**
   * Watermark status of one input (Flink's processWatermarkStatus1/2): an idle input is left out of the
   * combined watermark, so a quiet model stream does not hold back event time of the data stream; the
   * operator's output is idle only when all its inputs are.
   */
  processWatermarkStatus(input: number, idle: boolean): void {
    this.inputIdle[input] = idle;
    const allIdle = this.inputIdle.every(Boolean);
    if (!allIdle) this.advance();
    if (allIdle !== this.idle) {
      this.idle = allIdle;
      this.afterPending(() => this.output.emitWatermarkStatus(allIdle));
    }
  }

  private advance(): void {
    const op = this.operator;
    let combined = Infinity;
    for (let i = 0; i < this.inputWm.length; i++)
      if (!this.inputIdle[i] && this.inputWm[i]! < combined) combined = this.inputWm[i]!;
    if (combined === Infinity || combined <= this.currentWm) return;
    this.currentWm = combined;
    this.timers?.advanceWatermark(combined);
    this.track(op.processWatermark?.(combined));
    this.afterPending(() => this.output.emitWatermark(combined));
  }

  currentWatermark(): number {
    return this.currentWm;
  }

  /** The synchronous part of this operator's snapshot: operator state copied, keyed state frozen. */
  freezeSnapshot(ctx?: FreezeContext): PendingOperatorSnapshot {
    const s: PendingOperatorSnapshot = { uid: this.uid, operator: this.opStore.snapshot() };
    if (this.keyed) {
      s.keyed = this.keyed.freezeSnapshot(ctx);
      s.keyGroupRange = { ...this.keyed.keyGroupRange };
    }
    return s;
  }

  snapshot(): OperatorSnapshot {
    const s: OperatorSnapshot = { uid: this.uid, operator: this.opStore.snapshot() };
    if (this.keyed) {
      s.keyed = this.keyed.snapshot();
      s.keyGroupRange = { ...this.keyed.keyGroupRange };
    }
    return s;
  }
}

export interface ChainContext {
  jobGraph: JobGraph;
  vertex: JobVertex;
  subtaskIndex: number;
  attemptNumber: number;
  jobConfig: Record<string, string>;
  /** Periodic checkpoints are on (OperatorContext.checkpointingEnabled). */
  checkpointingEnabled?: boolean;
  processingTime: MailboxProcessingTimeService;
  writers: RecordWriter[];
  restore: Map<string, OperatorRestore> | undefined;
  metrics: MetricRegistry;
  /** Records the chain's tail emitted (the task's numRecordsOut). */
  recordsOut: { count: number };
  /** The subtask's queryable states, handed to every operator of the chain. */
  queryableStates?: QueryableStateRegistry;
  /** Keyed backends opened ahead by openKeyedBackends (per stream node id); absent: heap backends. */
  keyedBackends?: Map<number, KeyedBackend>;
}

/** The key-group range a keyed node's subtask owns. */
function keyGroupRangeOf(node: StreamNode, subtaskIndex: number) {
  return computeKeyGroupRangeForOperatorIndex(node.maxParallelism, node.parallelism, subtaskIndex);
}

/**
 * Opens the keyed state backend of every keyed operator in the chain (RocksDB opens asynchronously, so this
 * runs before buildChain). On a failure, those already opened are disposed.
 */
export async function openKeyedBackends(
  spec: StateBackendSpec,
  cc: Pick<ChainContext, 'jobGraph' | 'vertex' | 'subtaskIndex' | 'attemptNumber' | 'jobConfig'>,
): Promise<Map<number, KeyedBackend>> {
  const out = new Map<number, KeyedBackend>();
  if (spec.type === 'hashmap') return out;
  const sg = cc.jobGraph.streamGraph;
  try {
    for (const id of cc.vertex.chain) {
      const node = sg.node(id);
      if (!node.keyed || node.kind === 'source') continue;
      const b = await openKeyedStateBackend(spec, {
        maxParallelism: node.maxParallelism,
        keyGroupRange: keyGroupRangeOf(node, cc.subtaskIndex),
        operatorUid: operatorUid(node),
        scope: `job_${cc.jobConfig['$jobId'] ?? 'local'}_${cc.vertex.id}_${cc.subtaskIndex}_attempt_${cc.attemptNumber}`,
      });
      out.set(id, b);
    }
  } catch (err) {
    for (const b of out.values()) await b.dispose?.().catch(() => undefined);
    throw err;
  }
  return out;
}

/** The output of the chain's tail: records and events go to the record writers (side outputs by tag). */
function tailOutput(
  writers: RecordWriter[],
  recordsOut: { count: number },
  tailNodeId: number,
): OperatorContext['output'] {
  const main = writers.filter((w) => w.edge.sideOutputTag === undefined);
  const bySide = new Map<string, RecordWriter[]>();
  for (const w of writers)
    if (w.edge.sideOutputTag !== undefined && w.edge.sourceNodeId === tailNodeId)
      bySide.set(w.edge.sideOutputTag, [...(bySide.get(w.edge.sideOutputTag) ?? []), w]);
  return {
    collect(r) {
      recordsOut.count++;
      for (let i = 0; i < main.length; i++) main[i]!.emitRecord(r);
    },
    collectSide(tag, r) {
      const ws = bySide.get(tag.id);
      if (!ws) return;
      recordsOut.count++;
      for (const w of ws) w.emitRecord(r);
    },
    emitWatermark(ts) {
      for (const w of writers) w.broadcastEvent({ kind: ElementKind.Watermark, timestamp: ts });
    },
    emitWatermarkStatus(idle) {
      for (const w of writers) w.broadcastEvent({ kind: ElementKind.WatermarkStatus, idle });
    },
  };
}

function chainedOutput(next: () => OperatorDriver): OperatorContext['output'] {
  return {
    collect: (r) => next().processRecord(0, r),
    collectSide: () => {},
    emitWatermark: (ts) => next().processWatermark(0, ts),
    emitWatermarkStatus: (idle) => next().processWatermarkStatus(0, idle),
  };
}

export function buildChain(cc: ChainContext): OperatorDriver[] {
  const sg = cc.jobGraph.streamGraph;
  const nodes = cc.vertex.chain.map((id) => sg.node(id)).filter((n) => n.kind !== 'source');
  const drivers: OperatorDriver[] = [];
  nodes.forEach((node, i) => {
    const uid = operatorUid(node);
    const isTail = i === nodes.length - 1;
    const output = isTail ? tailOutput(cc.writers, cc.recordsOut, node.id) : chainedOutput(() => drivers[i + 1]!);
    const operator = node.operatorFactory!();
    const restore = cc.restore?.get(uid);
    let keyed: KeyedBackend | undefined;
    let timers: TimerManager | undefined;
    if (node.keyed) {
      keyed =
        cc.keyedBackends?.get(node.id) ??
        createKeyedStateBackend({
          maxParallelism: node.maxParallelism,
          keyGroupRange: keyGroupRangeOf(node, cc.subtaskIndex),
        });
      timers = createTimerServiceManager({ backend: keyed, processingTimeService: cc.processingTime });
    }
    const opStore = createOperatorStateStore();
    const keySelectors: Array<((v: unknown) => unknown) | undefined> = [];
    for (const e of node.inputs) keySelectors[e.inputIndex] ??= e.keySelector;
    const driver = new OperatorDriver(node, uid, operator, output, keyed, timers, opStore, keySelectors);
    const group = cc.metrics.group(`${cc.vertex.id}.${cc.subtaskIndex}.${uid}`);
    const ctx: OperatorContext = {
      operatorUid: uid,
      operatorName: node.name,
      subtaskIndex: cc.subtaskIndex,
      parallelism: node.parallelism,
      maxParallelism: node.maxParallelism,
      attemptNumber: cc.attemptNumber,
      output,
      keyedStateBackend: keyed,
      operatorStateStore: opStore,
      processingTimeService: cc.processingTime,
      getInternalTimerService: (name: string, target: Triggerable) => {
        if (!timers) throw new Error(`timers need a keyed operator (operator "${node.name}")`);
        return timers.getTimerService(name, target);
      },
      metrics: group,
      jobConfig: cc.jobConfig,
      checkpointingEnabled: cc.checkpointingEnabled ?? false,
      keySelectors,
      currentWatermark: () => driver.currentWatermark(),
      queryableStates: cc.queryableStates,
    };
    operator.setup?.(ctx);
    if (restore) {
      if (restore.keyed && keyed) keyed.restore(restore.keyed as never);
      if (restore.operator) opStore.restore(restore.operator as never);
    }
    drivers.push(driver);
  });
  return drivers;
}
