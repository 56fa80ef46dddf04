/**
 * Base class for operators that wrap user functions: keeps the context, builds the RuntimeContext given to
 * rich functions' `open`, the Collector that stamps output records with the input timestamp, and the
 * user-facing TimerService over a keyed InternalTimerService (namespace '').
 *
 * Invariants: every parallel instance gets its own copy of an object/class user function (Flink copies
 * functions by serialization): own data fields are structured-cloned, methods and prototype shared;
 * plain lambdas are shared as they are. `current` is the record being processed (timestamps of outputs follow it, as Flink's
 * TimestampedCollector); user functions are opened once per subtask attempt and closed always.
 */
import { ElementKind } from './elements.js';
import type { Collector, OnTimerContext, RuntimeContext, TimerService } from './functions.js';
import { TimeDomain } from './time.js';
import type { InternalTimer, InternalTimerService, OperatorContext, StreamOperator, Triggerable } from './operator.js';
import type { OutputTag } from './output-tag.js';
import type { StateDescriptor, StateOf } from './state.js';
import { SluiceError } from '../errors/catalogue.js';
import { openFunction } from './rich-functions.js';

export abstract class AbstractUdfOperator<F = unknown> implements StreamOperator {
  protected ctx!: OperatorContext;
  protected currentTimestamp = NaN;
  protected readonly collector: Collector<unknown>;
  private timerServiceImpl?: InternalTimerService;
  private userTimers?: TimerService;
  /** Time domain of the timer being fired (for OnTimerContext.timeDomain). */
  protected timerDomain: TimeDomain = TimeDomain.EVENT_TIME;
  /**
   * The context process functions receive: element timestamp, timer service (timers go to `onEventTime`/
   * `onProcessingTime` of this operator, which must implement Triggerable), side outputs, current key and
   * the time domain of a firing timer.
   */
  protected readonly functionContext: OnTimerContext = {
    timestamp: () => (!Number.isNaN(this.currentTimestamp) ? this.currentTimestamp : null),
    timerService: () => (this.userTimers ??= this.userTimerService(this as unknown as Triggerable)),
    output: <X>(tag: OutputTag<X>, value: X) => this.sideOutput(tag, value),
    getCurrentKey: () => this.ctx.keyedStateBackend?.getCurrentKey(),
    timeDomain: () => this.timerDomain,
  };

  protected readonly userFunction: F;

  constructor(userFunction: F) {
    this.userFunction = copyUserFunction(userFunction);
    this.collector = {
      collect: (value: unknown) => {
        this.ctx.output.collect({ kind: ElementKind.Record, value, timestamp: this.currentTimestamp });
      },
    };
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  async open(): Promise<void> {
    if (this.userFunction && typeof this.userFunction === 'object')
      await openFunction(this.userFunction, this.runtimeContext());
  }

  async close(): Promise<void> {
    const f = this.userFunction as { close?: () => unknown };
    if (f && typeof f === 'object') await f.close?.();
  }

  protected runtimeContext(): RuntimeContext {
    const ctx = this.ctx;
    const keyed = () => {
      if (!ctx.keyedStateBackend)
        throw new SluiceError(
          'API_NOT_KEYED',
          `keyed state is only available on a keyed stream (operator "${ctx.operatorName}"); call keyBy() first`,
        );
      return ctx.keyedStateBackend;
    };
    return {
      getIndexOfThisSubtask: () => ctx.subtaskIndex,
      getNumberOfParallelSubtasks: () => ctx.parallelism,
      getMaxNumberOfParallelSubtasks: () => ctx.maxParallelism,
      getTaskName: () => ctx.operatorName,
      getAttemptNumber: () => ctx.attemptNumber,
      getState: <D extends StateDescriptor>(d: D) => keyed().getState(d) as StateOf<D>,
      getListState: (d) => keyed().getState(d),
      getMapState: (d) => keyed().getState(d),
      getJobParameter: (k, dflt) => ctx.jobConfig[k] ?? dflt,
      getMetricGroup: () => ({ counter: (n: string) => ctx.metrics.userCounter(n) }),
    };
  }

  protected sideOutput<X>(tag: OutputTag<X>, value: X): void {
    this.ctx.output.collectSide(tag, { kind: ElementKind.Record, value, timestamp: this.currentTimestamp });
  }

  /** Lazily creates the keyed timer service; `target` receives fired timers. */
  protected timers(target: Triggerable): InternalTimerService {
    if (!this.timerServiceImpl) {
      if (!this.ctx.keyedStateBackend) {
        throw new SluiceError(
          'API_NOT_KEYED',
          `timers are only available on a keyed stream (operator "${this.ctx.operatorName}"); call keyBy() first`,
        );
      }
      this.timerServiceImpl = this.ctx.getInternalTimerService('user-timers', target);
    }
    return this.timerServiceImpl;
  }

  protected userTimerService(target: Triggerable): TimerService {
    const ts = () => this.timers(target);
    const pts = this.ctx.processingTimeService;
    return {
      currentProcessingTime: () => pts.currentProcessingTime(),
      currentWatermark: () => this.ctx.currentWatermark(),
      registerEventTimeTimer: (t) => ts().registerEventTimeTimer('', t),
      registerProcessingTimeTimer: (t) => ts().registerProcessingTimeTimer('', t),
      deleteEventTimeTimer: (t) => ts().deleteEventTimeTimer('', t),
      deleteProcessingTimeTimer: (t) => ts().deleteProcessingTimeTimer('', t),
    };
  }

  /** Sets the domain and output timestamp of a firing timer (event time: the timer's time; processing: none). */
  protected enterTimer(timer: InternalTimer, domain: TimeDomain): void {
    this.timerDomain = domain;
    this.currentTimestamp = domain === TimeDomain.EVENT_TIME ? timer.timestamp : NaN;
  }
}

/** Per-instance copy of a rich (object/class) user function; lambdas are returned as they are. */
export function copyUserFunction<F>(fn: F): F {
  if (fn === null || typeof fn !== 'object') return fn;
  const copy = Object.create(Object.getPrototypeOf(fn)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(fn as Record<string, unknown>)) {
    if (v === null || typeof v !== 'object') copy[k] = v;
    else {
      try {
        copy[k] = structuredClone(v);
      } catch {
        copy[k] = v; // not cloneable (holds functions or handles): shared, as a transient field would be
      }
    }
  }
  return copy as F;
}
