/**
 * The operator behind `DataStream.assignTimestampsAndWatermarks(strategy)` (Flink's
 * TimestampsAndWatermarksOperator): re-stamps every record with the strategy's assigner, forwards it,
 * then feeds the generator; periodic watermarks every pipeline.auto-watermark-interval.
 *
 * Invariants: upstream watermarks are swallowed except MAX_WATERMARK (end of input), which is forwarded
 * once — the operator declares `ownsWatermarks` so the runtime hands it raw watermarks and does not
 * forward them itself. Output watermarks strictly increase. finish() runs one last periodic emission.
 */
import { ElementKind, type StreamRecord } from '../../runtime/api/elements.js';
import type { OperatorContext, StreamOperator } from '../../runtime/api/operator.js';
import { MAX_WATERMARK } from '../../runtime/api/time.js';
import { parseDurationMs } from '../../runtime/config/duration.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import {
  TimestampsAndWatermarks,
  DEFAULT_AUTO_WATERMARK_INTERVAL_MS,
  type WatermarkStrategyLike,
} from './timestamps-and-watermarks.js';
import type { RelativeClock } from './watermarks-with-idleness.js';

export const AUTO_WATERMARK_INTERVAL_KEY = 'pipeline.auto-watermark-interval';

export interface TimestampsAndWatermarksOperatorOptions {
  /** Overrides `pipeline.auto-watermark-interval` from the job configuration. */
  autoWatermarkIntervalMs?: number;
  inputActivityClock?: RelativeClock;
}

/** Reads pipeline.auto-watermark-interval ("200 ms", "1 s", "200") from a flat job config; default 200. */
export function autoWatermarkIntervalFrom(config: Readonly<Record<string, string>>): number {
  const raw = config[AUTO_WATERMARK_INTERVAL_KEY];
  if (raw === undefined) return DEFAULT_AUTO_WATERMARK_INTERVAL_MS;
  const ms = parseDurationMs(raw);
  if (ms === undefined)
    throw new SluiceError(
      'CONFIG_INVALID',
      `${AUTO_WATERMARK_INTERVAL_KEY}: "${raw}" is not a duration (e.g. "200 ms")`,
    );
  return ms;
}

export class TimestampsAndWatermarksOperator<T> implements StreamOperator<T> {
  /** Tells the runtime: hand me raw watermarks, I emit my own. */
  readonly ownsWatermarks = true;
  private ctx!: OperatorContext;
  private tw: TimestampsAndWatermarks<T> | undefined;

  constructor(
    private readonly strategy: WatermarkStrategyLike<T>,
    private readonly options: TimestampsAndWatermarksOperatorOptions = {},
  ) {}

  setup(ctx: OperatorContext): void {
    this.ctx = ctx;
  }

  open(): void {
    const out = this.ctx.output;
    this.tw = new TimestampsAndWatermarks<T>({
      strategy: this.strategy,
      output: {
        emitWatermark: (ts) => out.emitWatermark(ts),
        emitWatermarkStatus: (idle) => out.emitWatermarkStatus(idle),
      },
      processingTimeService: this.ctx.processingTimeService,
      autoWatermarkIntervalMs: this.options.autoWatermarkIntervalMs ?? autoWatermarkIntervalFrom(this.ctx.jobConfig),
      ...(this.options.inputActivityClock ? { inputActivityClock: this.options.inputActivityClock } : {}),
    });
    this.tw.startPeriodicWatermarkEmits();
  }

  processElement(record: StreamRecord): void {
    const out = this.ctx.output;
    this.requireOpen().collect(record.value as T, record.timestamp, (timestamp) =>
      out.collect({ kind: ElementKind.Record, value: record.value, timestamp }),
    );
  }

  processWatermark(timestamp: number): void {
    // only the end-of-input watermark passes; the strategy generates every other one
    const tw = this.requireOpen();
    if (timestamp >= MAX_WATERMARK && tw.currentWatermark() < MAX_WATERMARK) tw.emitEndOfInput();
  }

  finish(): void {
    this.tw?.emitPeriodicWatermark();
  }

  close(): void {
    this.tw?.close();
  }

  private requireOpen(): TimestampsAndWatermarks<T> {
    if (!this.tw) throw new SluiceError('TASK_FAILED', 'TimestampsAndWatermarksOperator used before open()');
    return this.tw;
  }
}
