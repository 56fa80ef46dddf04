/**
 * TimestampsAndWatermarks: what a source task (or the assign-timestamps operator) runs for its
 * WatermarkStrategy — Flink's ProgressiveTimestampsAndWatermarks.
 *
 * - `collect(event, recordTs)` assigns the timestamp (the assigner sees NO_TIMESTAMP for a record
 *   without one) and feeds the main generator; `createOutputForSplit(id)` gives a split its own
 *   generator, and split watermarks are combined by min (idle splits excluded) before they reach the
 *   output, so one slow split holds back the task exactly as in Flink.
 * - Every `autoWatermarkIntervalMs` (pipeline.auto-watermark-interval, default 200 ms; 0 disables) the
 *   generators' onPeriodicEmit runs through the injected ProcessingTimeService.
 * - Only strictly increasing watermarks leave (WatermarkToDataOutput); `emitEndOfInput()` sends
 *   MAX_WATERMARK and stops periodic emission.
 */
import type { ProcessingTimeService } from '../../runtime/api/operator.js';
import { MAX_WATERMARK } from '../../runtime/api/time.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import {
  NO_TIMESTAMP,
  type TimestampAssigner,
  type WatermarkGenerator,
  type WatermarkOutput,
} from './watermark-generator.js';
import {
  WatermarkOutputMultiplexer,
  WatermarkToDataOutput,
  type WatermarkDataOutput,
} from './watermark-output-multiplexer.js';
import type { RelativeClock } from './watermarks-with-idleness.js';

export const DEFAULT_AUTO_WATERMARK_INTERVAL_MS = 200;

/** The part of WatermarkStrategy this component needs. */
export interface WatermarkStrategyLike<T> {
  createWatermarkGenerator(ctx?: { inputActivityClock?: RelativeClock }): WatermarkGenerator<T>;
  createTimestampAssigner(): TimestampAssigner<T>;
}

export interface TimestampsAndWatermarksOptions<T> {
  strategy: WatermarkStrategyLike<T>;
  output: WatermarkDataOutput;
  processingTimeService: ProcessingTimeService;
  /** pipeline.auto-watermark-interval in ms; 0 disables periodic emission. Default 200. */
  autoWatermarkIntervalMs?: number;
  /** Clock for idleness detection (Flink's input activity clock). */
  inputActivityClock?: RelativeClock;
}

export interface SplitOutput<T> {
  /**
   * Assigns the timestamp, calls `emitRecord(ts)` (the record must leave before any watermark its event
   * causes), feeds the split's generator, returns the record's timestamp.
   */
  collect(event: T, recordTimestamp?: number, emitRecord?: (timestamp: number) => void): number;
  markIdle(): void;
  markActive(): void;
}

interface SplitState<T> {
  gen: WatermarkGenerator<T>;
  immediate: WatermarkOutput;
  deferred: WatermarkOutput;
}

export class TimestampsAndWatermarks<T> {
  readonly autoWatermarkIntervalMs: number;
  private readonly assigner: TimestampAssigner<T>;
  private readonly dataOutput: WatermarkToDataOutput;
  private readonly multiplexer: WatermarkOutputMultiplexer;
  private readonly splits = new Map<string, SplitState<T>>();
  private mainGenerator: WatermarkGenerator<T> | undefined;
  private cancelTimer: (() => void) | undefined;
  private ended = false;

  constructor(private readonly o: TimestampsAndWatermarksOptions<T>) {
    const interval = o.autoWatermarkIntervalMs ?? DEFAULT_AUTO_WATERMARK_INTERVAL_MS;
    if (!(interval >= 0))
      throw new SluiceError('CONFIG_INVALID', `pipeline.auto-watermark-interval must be >= 0 ms (got ${interval})`);
    this.autoWatermarkIntervalMs = interval;
    this.assigner = o.strategy.createTimestampAssigner();
    this.dataOutput = new WatermarkToDataOutput(o.output);
    this.multiplexer = new WatermarkOutputMultiplexer(this.dataOutput);
  }

  /** A record read outside any split: assign its timestamp, emit it, feed the main generator. */
  collect(event: T, recordTimestamp = NaN, emitRecord?: (timestamp: number) => void): number {
    const ts = this.extract(event, recordTimestamp);
    emitRecord?.(ts);
    this.main().onEvent(event, ts, this.dataOutput);
    return ts;
  }

  createOutputForSplit(splitId: string): SplitOutput<T> {
    let s = this.splits.get(splitId);
    if (!s) {
      this.multiplexer.registerNewOutput(splitId);
      s = {
        gen: this.o.strategy.createWatermarkGenerator(this.generatorContext()),
        immediate: this.multiplexer.getImmediateOutput(splitId),
        deferred: this.multiplexer.getDeferredOutput(splitId),
      };
      this.splits.set(splitId, s);
    }
    const st = s;
    return {
      collect: (event, recordTimestamp = NaN, emitRecord) => {
        const ts = this.extract(event, recordTimestamp);
        emitRecord?.(ts);
        st.gen.onEvent(event, ts, st.immediate);
        return ts;
      },
      markIdle: () => st.immediate.markIdle(),
      markActive: () => st.immediate.markActive(),
    };
  }

  /** A finished or removed split no longer holds back the combined watermark. */
  releaseOutputForSplit(splitId: string): void {
    if (this.splits.delete(splitId)) this.multiplexer.unregisterOutput(splitId);
  }

  /** Marks the main output idle (a reader with nothing to read and no splits). */
  markIdle(): void {
    this.dataOutput.markIdle();
  }

  /** One periodic emission: split generators (deferred, then combined), then the main generator. */
  emitPeriodicWatermark(): void {
    if (this.ended) return;
    for (const s of this.splits.values()) s.gen.onPeriodicEmit(s.deferred);
    this.multiplexer.onPeriodicEmit();
    this.mainGenerator?.onPeriodicEmit(this.dataOutput);
  }

  startPeriodicWatermarkEmits(): void {
    if (this.autoWatermarkIntervalMs === 0 || this.cancelTimer || this.ended) return;
    const pts = this.o.processingTimeService;
    const schedule = (fromMs: number) => {
      this.cancelTimer = pts.registerTimer(fromMs + this.autoWatermarkIntervalMs, () => {
        this.cancelTimer = undefined;
        this.emitPeriodicWatermark();
        if (!this.ended) schedule(pts.currentProcessingTime());
      });
    };
    schedule(pts.currentProcessingTime());
  }

  stopPeriodicWatermarkEmits(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** End of bounded input: MAX_WATERMARK (once), no more periodic emission. */
  emitEndOfInput(): void {
    this.stopPeriodicWatermarkEmits();
    this.ended = true;
    this.dataOutput.emitWatermark(MAX_WATERMARK);
  }

  /** Last watermark that left this component (Long.MIN_VALUE before any). */
  currentWatermark(): number {
    return this.dataOutput.currentWatermark();
  }

  close(): void {
    this.stopPeriodicWatermarkEmits();
  }

  private extract(event: T, recordTimestamp: number): number {
    return this.assigner(event, !Number.isNaN(recordTimestamp) ? recordTimestamp : NO_TIMESTAMP);
  }

  private main(): WatermarkGenerator<T> {
    return (this.mainGenerator ??= this.o.strategy.createWatermarkGenerator(this.generatorContext()));
  }

  private generatorContext(): { inputActivityClock?: RelativeClock } {
    return this.o.inputActivityClock ? { inputActivityClock: this.o.inputActivityClock } : {};
  }
}
