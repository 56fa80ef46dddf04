/**
 * IntervalJoinOperator (Flink's): keyed two-input join of left element l and right element r with the same
 * key when  l.ts + lowerBound ≤ r.ts ≤ l.ts + upperBound  (bounds inclusive unless declared exclusive, which
 * moves them by 1 ms). Both sides are buffered in keyed MapState by timestamp (LEFT_BUFFER / RIGHT_BUFFER);
 * each arriving element is matched against the other side's buffer and then buffered itself.
 *
 * Invariants: an element with ts < current watermark is late: it goes to the side's late-data tag if one is
 * set, otherwise it is dropped (counted in numLateRecordsDropped). Every buffered element gets a cleanup
 * event-time timer (namespace CLEANUP_LEFT / CLEANUP_RIGHT) after which no future element of the other side
 * can match it. A joined pair is emitted with timestamp max(l.ts, r.ts). The runtime advances the timers
 * and forwards watermarks (min of both inputs); the operator never does.
 */
import { openFunction } from '../../runtime/api/rich-functions.js';
import { copyUserFunction } from '../../runtime/api/abstract-operator.js';
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import { fnOf, type Collector, type RichFunction, type RuntimeContext } from '../../runtime/api/functions.js';
import type {
  InternalTimer,
  InternalTimerService,
  KeyedStateBackend,
  OperatorContext,
  StreamOperator,
  Triggerable,
} from '../../runtime/api/operator.js';
import type { OutputTag } from '../../runtime/api/output-tag.js';
import { MapStateDescriptor, type MapState } from '../../runtime/api/state.js';
import { LONG_MIN } from '../../runtime/api/time.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';

export const CLEANUP_NAMESPACE_LEFT = 'CLEANUP_LEFT';
export const CLEANUP_NAMESPACE_RIGHT = 'CLEANUP_RIGHT';
export const INTERVAL_JOIN_TIMER_SERVICE = 'interval-join-timers';

export interface ProcessJoinContext {
  getLeftTimestamp(): number;
  getRightTimestamp(): number;
  /** Timestamp of the joined output: max of both. */
  getTimestamp(): number;
  output<X>(tag: OutputTag<X>, value: X): void;
}

export type ProcessJoinFunction<L, R, O> =
  | ((left: L, right: R, ctx: ProcessJoinContext, out: Collector<O>) => void)
  | (RichFunction & { processElement(left: L, right: R, ctx: ProcessJoinContext, out: Collector<O>): void });

export interface IntervalJoinOptions<L, R, O> {
  lowerBoundMs: number;
  upperBoundMs: number;
  lowerBoundExclusive?: boolean;
  upperBoundExclusive?: boolean;
  leftLateDataOutputTag?: OutputTag<L>;
  rightLateDataOutputTag?: OutputTag<R>;
  function: ProcessJoinFunction<L, R, O>;
}

/** Buffered element and whether it was joined (Flink's BufferEntry). */
type BufferEntry<T> = [element: T, hasBeenJoined: boolean];

export class IntervalJoinOperator<L, R, O> implements StreamOperator<O>, Triggerable {
  readonly lowerBoundMs: number;
  readonly upperBoundMs: number;
  private readonly userFunction: ProcessJoinFunction<L, R, O>;
  private readonly join: (left: L, right: R, ctx: ProcessJoinContext, out: Collector<O>) => void;
  private readonly leftDesc = new MapStateDescriptor<number, BufferEntry<L>[]>('LEFT_BUFFER');
  private readonly rightDesc = new MapStateDescriptor<number, BufferEntry<R>[]>('RIGHT_BUFFER');
  private ctx!: OperatorContext;
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService;
  private lateDropped!: { inc(n?: number): void };
  private leftTs = LONG_MIN;
  private rightTs = LONG_MIN;
  private resultTs = LONG_MIN;
  private readonly collector: Collector<O> = {
    collect: (value) => this.ctx.output.collect({ kind: ElementKind.Record, value, timestamp: this.resultTs }),
  };
  private readonly joinCtx: ProcessJoinContext = {
    getLeftTimestamp: () => this.leftTs,
    getRightTimestamp: () => this.rightTs,
    getTimestamp: () => this.resultTs,
    output: (tag, value) =>
      this.ctx.output.collectSide(tag, { kind: ElementKind.Record, value, timestamp: this.resultTs }),
  };

  constructor(private readonly o: IntervalJoinOptions<L, R, O>) {
    if (!(o.lowerBoundMs <= o.upperBoundMs)) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `lowerBound <= upperBound must be fulfilled (lower ${o.lowerBoundMs} ms, upper ${o.upperBoundMs} ms)`,
      );
    }
    // move exclusive bounds by 1 ms so that matching only needs inclusive comparisons
    this.lowerBoundMs = o.lowerBoundExclusive ? o.lowerBoundMs + 1 : o.lowerBoundMs;
    this.upperBoundMs = o.upperBoundExclusive ? o.upperBoundMs - 1 : o.upperBoundMs;
    this.userFunction = copyUserFunction(o.function);
    this.join = fnOf(this.userFunction as never, 'processElement');
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  async open(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx.keyedStateBackend)
      throw new SluiceError(
        'API_NOT_KEYED',
        `interval join "${ctx.operatorName}" needs two keyed inputs (a.keyBy(...).intervalJoin(b.keyBy(...)))`,
      );
    this.backend = ctx.keyedStateBackend;
    this.timers = ctx.getInternalTimerService(INTERVAL_JOIN_TIMER_SERVICE, this);
    this.lateDropped = ctx.metrics.counter('numLateRecordsDropped');
    await openFunction(this.userFunction, this.runtimeContext());
  }

  async close(): Promise<void> {
    const f = this.userFunction;
    if (f && typeof f === 'object') await f.close?.();
  }

  processElement1(record: StreamRecord): void {
    this.processSide(record, true, this.lowerBoundMs, this.upperBoundMs);
  }

  processElement2(record: StreamRecord): void {
    this.processSide(record, false, -this.upperBoundMs, -this.lowerBoundMs);
  }

  onEventTime(timer: InternalTimer): void {
    const t = timer.timestamp;
    if (timer.namespace === CLEANUP_NAMESPACE_LEFT) {
      this.buffer(true).remove(this.upperBoundMs <= 0 ? t : t - this.upperBoundMs);
    } else if (timer.namespace === CLEANUP_NAMESPACE_RIGHT) {
      this.buffer(false).remove(this.lowerBoundMs <= 0 ? t + this.lowerBoundMs : t);
    } else {
      throw new SluiceError('STATE_CORRUPT_NAMESPACE', `Invalid interval join timer namespace "${timer.namespace}"`);
    }
  }

  onProcessingTime(): void {
    throw new SluiceError('TASK_FAILED', 'IntervalJoinOperator does not use processing-time timers');
  }

  private processSide(record: StreamRecord, isLeft: boolean, relativeLower: number, relativeUpper: number): void {
    const ourValue = record.value;
    const ourTs = record.timestamp;
    if (!(ourTs > LONG_MIN)) {
      throw new SluiceError(
        'EVENT_TIME_NO_TIMESTAMP',
        'Elements used in interval stream joins need meaningful timestamps (the record has none): assign timestamps with a WatermarkStrategy',
      );
    }
    if (ourTs < this.timers.currentWatermark()) {
      const tag = isLeft ? this.o.leftLateDataOutputTag : this.o.rightLateDataOutputTag;
      if (tag)
        this.ctx.output.collectSide(tag as OutputTag<unknown>, {
          kind: ElementKind.Record,
          value: ourValue,
          timestamp: ourTs,
        });
      else this.lateDropped.inc();
      return;
    }
    const ours = this.buffer(isLeft) as MapState<number, BufferEntry<unknown>[]>;
    const bucket = ours.get(ourTs) ?? [];
    bucket.push([ourValue, false]);
    ours.put(ourTs, bucket);

    const other = this.buffer(!isLeft) as MapState<number, BufferEntry<unknown>[]>;
    for (const [ts, entries] of other.entries()) {
      if (ts < ourTs + relativeLower || ts > ourTs + relativeUpper) continue;
      for (const [element] of entries) {
        if (isLeft) this.emit(ourValue as L, element as R, ourTs, ts);
        else this.emit(element as L, ourValue as R, ts, ourTs);
      }
    }
    const cleanupTime = relativeUpper > 0 ? ourTs + relativeUpper : ourTs;
    this.timers.registerEventTimeTimer(isLeft ? CLEANUP_NAMESPACE_LEFT : CLEANUP_NAMESPACE_RIGHT, cleanupTime);
  }

  private emit(left: L, right: R, leftTs: number, rightTs: number): void {
    this.leftTs = leftTs;
    this.rightTs = rightTs;
    this.resultTs = Math.max(leftTs, rightTs);
    this.join(left, right, this.joinCtx, this.collector);
  }

  private buffer(left: boolean): MapState<number, BufferEntry<unknown>[]> {
    return this.backend.getState(left ? this.leftDesc : this.rightDesc) as MapState<number, BufferEntry<unknown>[]>;
  }

  private runtimeContext(): RuntimeContext {
    const ctx = this.ctx;
    return {
      getIndexOfThisSubtask: () => ctx.subtaskIndex,
      getNumberOfParallelSubtasks: () => ctx.parallelism,
      getMaxNumberOfParallelSubtasks: () => ctx.maxParallelism,
      getTaskName: () => ctx.operatorName,
      getAttemptNumber: () => ctx.attemptNumber,
      getState: (d) => this.backend.getState(d),
      getListState: (d) => this.backend.getState(d),
      getMapState: (d) => this.backend.getState(d),
      getJobParameter: (k, dflt) => ctx.jobConfig[k] ?? dflt,
      getMetricGroup: () => ({ counter: (n: string) => ctx.metrics.userCounter(n) }),
    };
  }
}
