/**
 * WindowOperator (Flink's WindowOperator and EvictingWindowOperator in one): keyed one-input operator that
 * assigns each element to windows, keeps window contents in keyed state under the window's namespace,
 * asks the trigger when to fire/purge, runs the window function, and cleans a window up at
 * cleanupTime = maxTimestamp + allowedLateness (event time; saturating) or maxTimestamp (processing time).
 *
 * Rules (Flink's): an element goes to no window that is already late (cleanupTime ≤ watermark); if it went
 * to none and is itself late (timestamp + lateness ≤ watermark) it goes to the late-data side output, or
 * counts in numLateRecordsDropped. Elements arriving within the lateness re-fire their window (the trigger
 * sees a watermark past the window). Merging assigners keep a MergingWindowSet in keyed state; a merge
 * that would make an event-time window late, or a processing-time window end in the past, fails.
 * Output records carry window.maxTimestamp(). Watermarks: the runtime advances this operator's timers
 * (service "window-timers", delivered to onEventTime) and forwards the watermark; the operator never does.
 * windowAll runs this operator keyed by a constant key.
 */
import { openFunction } from '../../runtime/api/rich-functions.js';
import { copyUserFunction } from '../../runtime/api/abstract-operator.js';
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import type { Collector, RuntimeContext } from '../../runtime/api/functions.js';
import type {
  InternalTimer,
  InternalTimerService,
  KeyedStateBackend,
  OperatorContext,
  StreamOperator,
  Triggerable,
} from '../../runtime/api/operator.js';
import type { OutputTag } from '../../runtime/api/output-tag.js';
import { LONG_MAX } from '../../runtime/api/time.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { Evictor, EvictorContext } from './evictors.js';
import { MergingWindowSet } from './merging-window-set.js';
import { createTriggerContext, type WindowTriggerContext } from './trigger-context.js';
import type { Trigger } from './trigger.js';
import { isMergingAssigner, type WindowAssigner } from './window-assigner.js';
import { createWindowContents, type WindowContents } from './window-contents.js';
import {
  toInternal,
  type InternalWindowFunction,
  type ProcessWindowContext,
  type WindowFunctionSpec,
} from './window-functions.js';
import { windowFromNamespace, type TimeWindow, type Window } from './window.js';

export const WINDOW_TIMER_SERVICE = 'window-timers';

export interface WindowOperatorOptions<IN, OUT, K, W extends Window> {
  assigner: WindowAssigner<IN, W>;
  /** Defaults to the assigner's default trigger. */
  trigger?: Trigger<IN, W>;
  evictor?: Evictor<IN, W>;
  allowedLatenessMs?: number;
  lateDataOutputTag?: OutputTag<IN>;
  function: WindowFunctionSpec<IN, OUT, K, W>;
}

export class WindowOperator<IN, OUT, K, W extends Window> implements StreamOperator<OUT>, Triggerable<K> {
  readonly allowedLatenessMs: number;
  private readonly assigner: WindowAssigner<IN, W>;
  private readonly trigger: Trigger<IN, W>;
  private readonly evictor: Evictor<IN, W> | undefined;
  private readonly fn: InternalWindowFunction<K, W>;
  private readonly merging: boolean;
  private ctx!: OperatorContext;
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService;
  private contents!: WindowContents;
  private triggerCtx!: WindowTriggerContext<W>;
  private lateDropped!: { inc(n?: number): void };
  private window!: W;
  private readonly collector: Collector<unknown> = {
    collect: (value) =>
      this.ctx.output.collect({ kind: ElementKind.Record, value, timestamp: this.window.maxTimestamp() }),
  };
  private readonly processCtx: ProcessWindowContext<W> = {
    window: () => this.window,
    currentProcessingTime: () => this.timers.currentProcessingTime(),
    currentWatermark: () => this.timers.currentWatermark(),
    windowState: () => ({ getState: (d) => this.backend.getPartitionedState(this.window.toString(), d) }),
    globalState: () => ({ getState: (d) => this.backend.getState(d) }),
    output: (tag, value) =>
      this.ctx.output.collectSide(tag, { kind: ElementKind.Record, value, timestamp: this.window.maxTimestamp() }),
  };
  private readonly evictorCtx: EvictorContext = {
    getCurrentProcessingTime: () => this.timers.currentProcessingTime(),
    getCurrentWatermark: () => this.timers.currentWatermark(),
  };

  constructor(private readonly o: WindowOperatorOptions<IN, OUT, K, W>) {
    const lateness = o.allowedLatenessMs ?? 0;
    if (!(lateness >= 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `The allowed lateness cannot be negative (got ${lateness} ms)`);
    this.allowedLatenessMs = lateness;
    this.assigner = o.assigner;
    this.trigger = o.trigger ?? o.assigner.getDefaultTrigger();
    this.evictor = o.evictor;
    this.merging = isMergingAssigner(o.assigner);
    if (this.merging && !(this.trigger.canMerge?.() ?? false)) {
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        `A merging window assigner cannot be used with a trigger that does not support merging (${String(this.trigger)})`,
      );
    }
    const f = o.function;
    const spec = { ...f, ...(f.process ? { process: copyUserFunction(f.process) } : {}) } as WindowFunctionSpec<
      IN,
      OUT,
      K,
      W
    >;
    if (spec.kind === 'reduce') spec.reduce = copyUserFunction(spec.reduce);
    if (spec.kind === 'aggregate') spec.aggregate = copyUserFunction(spec.aggregate);
    this.fn = toInternal(spec, this.evictor !== undefined);
  }

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  async open(): Promise<void> {
    const ctx = this.ctx;
    if (!ctx.keyedStateBackend)
      throw new SluiceError(
        'API_NOT_KEYED',
        `window operator "${ctx.operatorName}" needs a keyed input (keyBy(...).window(...), or windowAll)`,
      );
    this.backend = ctx.keyedStateBackend;
    this.timers = ctx.getInternalTimerService(WINDOW_TIMER_SERVICE, this as Triggerable);
    this.contents = createWindowContents(this.backend, this.fn, this.evictor !== undefined);
    this.triggerCtx = createTriggerContext<W>(this.backend, this.timers);
    this.lateDropped = ctx.metrics.counter('numLateRecordsDropped');
    const rc = this.runtimeContext();
    for (const f of this.fn.userFunctions) await openFunction(f, rc);
  }

  async close(): Promise<void> {
    for (const f of this.fn.userFunctions)
      if (f && typeof f === 'object') await (f as { close?: () => unknown }).close?.();
  }

  processElement(record: StreamRecord): void {
    const value = record.value as IN;
    const ts = record.timestamp;
    const windows = this.assigner.assignWindows(value, ts, {
      getCurrentProcessingTime: () => this.timers.currentProcessingTime(),
    });
    let isSkippedElement = true;
    if (this.merging) {
      const set = new MergingWindowSet(this.assigner as never, this.backend);
      for (const window of windows) {
        const actual = set.addWindow(
          window as unknown as TimeWindow,
          (mergeResult, mergedWindows, stateWindowResult, mergedStateWindows) =>
            this.mergeWindows(
              mergeResult as unknown as W,
              mergedWindows as unknown as W[],
              stateWindowResult,
              mergedStateWindows,
            ),
        ) as unknown as W;
        if (this.isWindowLate(actual)) {
          set.retireWindow(actual as unknown as TimeWindow);
          continue;
        }
        isSkippedElement = false;
        const stateWindow = set.getStateWindow(actual as unknown as TimeWindow);
        if (!stateWindow)
          throw new SluiceError(
            'WINDOW_STATE_INCONSISTENT',
            `Window ${window.toString()} is not in in-flight window set.`,
          );
        this.onElementInWindow(value, ts, actual, stateWindow.toString());
      }
      set.persist();
    } else {
      for (const window of windows) {
        if (this.isWindowLate(window)) continue;
        isSkippedElement = false;
        this.onElementInWindow(value, ts, window, window.toString());
      }
    }
    if (isSkippedElement && this.isElementLate(ts)) {
      if (this.o.lateDataOutputTag) this.ctx.output.collectSide(this.o.lateDataOutputTag, record as StreamRecord<IN>);
      else this.lateDropped.inc();
    }
  }

  onEventTime(timer: InternalTimer<K>): void {
    this.onTimer(timer, true);
  }

  onProcessingTime(timer: InternalTimer<K>): void {
    this.onTimer(timer, false);
  }

  private onElementInWindow(value: IN, ts: number, window: W, stateNs: string): void {
    this.contents.add(stateNs, value, ts);
    const result = this.trigger.onElement(value, ts, window, this.triggerCtx.bind(window));
    if (result.isFire()) {
      if (this.contents.get(stateNs) === undefined) return; // Flink: empty window, nothing to emit or clean
      this.emitWindowContents(window, stateNs);
    }
    if (result.isPurge()) this.contents.clear(stateNs);
    this.registerCleanupTimer(window);
  }

  private onTimer(timer: InternalTimer<K>, eventTime: boolean): void {
    const window = windowFromNamespace(timer.namespace) as unknown as W;
    let set: MergingWindowSet | undefined;
    let stateNs = timer.namespace;
    if (this.merging) {
      set = new MergingWindowSet(this.assigner as never, this.backend);
      const stateWindow = set.getStateWindow(window as unknown as TimeWindow);
      // a timer for a window that is gone: a trigger did not clean up its timers; nothing to do
      if (!stateWindow) return;
      stateNs = stateWindow.toString();
    }
    const ctx = this.triggerCtx.bind(window);
    const result = eventTime
      ? this.trigger.onEventTime(timer.timestamp, window, ctx)
      : this.trigger.onProcessingTime(timer.timestamp, window, ctx);
    if (result.isFire() && this.contents.get(stateNs) !== undefined) this.emitWindowContents(window, stateNs);
    if (result.isPurge()) this.contents.clear(stateNs);
    if (this.assigner.isEventTime() === eventTime && timer.timestamp === this.cleanupTime(window))
      this.clearAllState(window, stateNs, set);
    set?.persist();
  }

  private mergeWindows(
    mergeResult: W,
    mergedWindows: W[],
    stateWindowResult: TimeWindow,
    mergedStateWindows: TimeWindow[],
  ): void {
    if (this.assigner.isEventTime()) {
      const wm = this.timers.currentWatermark();
      if (Math.min(mergeResult.maxTimestamp() + this.allowedLatenessMs, LONG_MAX) <= wm) {
        throw new SluiceError(
          'WINDOW_INVALID_MERGE',
          `The end timestamp of an event-time window cannot become earlier than the current watermark by merging. Current watermark: ${wm} window: ${mergeResult.toString()}`,
        );
      }
    } else {
      const now = this.timers.currentProcessingTime();
      if (mergeResult.maxTimestamp() <= now) {
        throw new SluiceError(
          'WINDOW_INVALID_MERGE',
          `The end timestamp of a processing-time window cannot become earlier than the current processing time by merging. Current processing time: ${now} window: ${mergeResult.toString()}`,
        );
      }
    }
    this.trigger.onMerge!(mergeResult, this.triggerCtx.bindMerge(mergeResult, mergedWindows));
    for (const m of mergedWindows) {
      this.trigger.clear(m, this.triggerCtx.bind(m));
      this.deleteCleanupTimer(m);
    }
    this.contents.mergeNamespaces(
      stateWindowResult.toString(),
      mergedStateWindows.map((w) => w.toString()),
    );
  }

  private emitWindowContents(window: W, stateNs: string): void {
    this.window = window;
    const key = this.backend.getCurrentKey() as K;
    if (!this.evictor) {
      this.fn.process(key, this.processCtx, this.contents.get(stateNs), this.collector);
      return;
    }
    const elements = this.contents.getTimestamped(stateNs) as Array<{ value: IN; timestamp: number }>;
    this.evictor.evictBefore(elements, elements.length, window, this.evictorCtx);
    this.fn.process(
      key,
      this.processCtx,
      elements.map((e) => e.value),
      this.collector,
    );
    this.evictor.evictAfter(elements, elements.length, window, this.evictorCtx);
    this.contents.setTimestamped(stateNs, elements);
  }

  private clearAllState(window: W, stateNs: string, set: MergingWindowSet | undefined): void {
    this.contents.clear(stateNs);
    this.trigger.clear(window, this.triggerCtx.bind(window));
    this.window = window;
    this.fn.clear(this.processCtx);
    if (set) {
      set.retireWindow(window as unknown as TimeWindow);
      set.persist();
    }
  }

  /** maxTimestamp + allowedLateness (saturating at Long.MAX_VALUE) for event time, maxTimestamp otherwise. */
  cleanupTime(window: W): number {
    if (!this.assigner.isEventTime()) return window.maxTimestamp();
    const t = window.maxTimestamp() + this.allowedLatenessMs;
    return t >= window.maxTimestamp() && t < LONG_MAX ? t : LONG_MAX;
  }

  private registerCleanupTimer(window: W): void {
    const t = this.cleanupTime(window);
    if (t === LONG_MAX) return; // no cleanup timer for "end of time"
    if (this.assigner.isEventTime()) this.timers.registerEventTimeTimer(window.toString(), t);
    else this.timers.registerProcessingTimeTimer(window.toString(), t);
  }

  private deleteCleanupTimer(window: W): void {
    const t = this.cleanupTime(window);
    if (t === LONG_MAX) return;
    if (this.assigner.isEventTime()) this.timers.deleteEventTimeTimer(window.toString(), t);
    else this.timers.deleteProcessingTimeTimer(window.toString(), t);
  }

  private isWindowLate(window: W): boolean {
    return this.assigner.isEventTime() && this.cleanupTime(window) <= this.timers.currentWatermark();
  }

  private isElementLate(timestamp: number): boolean {
    return this.assigner.isEventTime() && timestamp + this.allowedLatenessMs <= this.timers.currentWatermark();
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
