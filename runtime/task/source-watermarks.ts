/**
 * Timestamps and watermarks inside a source task (Flink's ProgressiveTimestampsAndWatermarks): applies
 * the job's WatermarkStrategy — timestamp assigner, watermark generator per split (combined by min, so
 * split-local watermarks hold back the task as in Flink), periodic emission every
 * `pipeline.auto-watermark-interval` — and emits only strictly increasing watermarks plus idleness.
 *
 * The strategy is Flink-shaped: `createTimestampAssigner()` and `createWatermarkGenerator()`; a generator
 * has `onEvent(event, ts, output)` and `onPeriodicEmit(output)`, the output `emitWatermark`, `markIdle`,
 * `markActive`. No strategy means records keep their source timestamps and no watermarks are generated
 * (MAX_WATERMARK still ends bounded input).
 */
import type { Output } from '../api/operator.js';
import { LONG_MIN } from '../api/time.js';
import type { MailboxProcessingTimeService } from './processing-time.js';

export interface WatermarkOutput {
  emitWatermark(timestamp: number): void;
  markIdle(): void;
  markActive(): void;
}

export interface WatermarkGeneratorLike<T = unknown> {
  onEvent(event: T, timestamp: number, output: WatermarkOutput): void;
  onPeriodicEmit(output: WatermarkOutput): void;
}

export interface WatermarkStrategyLike<T = unknown> {
  createWatermarkGenerator(ctx?: unknown): WatermarkGeneratorLike<T>;
  createTimestampAssigner?(ctx?: unknown): ((event: T, recordTimestamp: number) => number) | { extractTimestamp(event: T, recordTimestamp: number): number };
}

export interface SplitWatermarks {
  onRecord(value: unknown, sourceTs: number): number;
  markIdle(): void;
}

export interface SourceWatermarks extends SplitWatermarks {
  forSplit(splitId: string): SplitWatermarks;
  releaseSplit(splitId: string): void;
  close(): void;
}

interface SplitState {
  gen: WatermarkGeneratorLike;
  wm: number;
  idle: boolean;
  out: WatermarkOutput;
}

export function createSourceWatermarks(o: { strategy: unknown; output: Output; processingTime: MailboxProcessingTimeService; autoWatermarkIntervalMs: number }): SourceWatermarks {
  const strategy = o.strategy as WatermarkStrategyLike | undefined;
  if (!strategy) {
    return { onRecord: (_v, ts) => ts, markIdle: () => o.output.emitWatermarkStatus(true), forSplit: () => ({ onRecord: (_v, ts) => ts, markIdle: () => {} }), releaseSplit: () => {}, close: () => {} };
  }
  const rawAssigner = strategy.createTimestampAssigner?.();
  const assign: ((e: unknown, ts: number) => number) | undefined =
    typeof rawAssigner === 'function' ? rawAssigner : rawAssigner ? (e, ts) => rawAssigner.extractTimestamp(e, ts) : undefined;
  let lastEmitted = LONG_MIN;
  let outputIdle = false;
  const splits = new Map<string, SplitState>();

  const combine = () => {
    let min = Infinity;
    let active = 0;
    for (const s of splits.values()) {
      if (s.idle) continue;
      active++;
      if (s.wm < min) min = s.wm;
    }
    if (active === 0) {
      if (!outputIdle && splits.size) {
        outputIdle = true;
        o.output.emitWatermarkStatus(true);
      }
      return;
    }
    if (outputIdle) {
      outputIdle = false;
      o.output.emitWatermarkStatus(false);
    }
    if (min > lastEmitted && min !== Infinity) {
      lastEmitted = min;
      o.output.emitWatermark(min);
    }
  };

  const split = (id: string): SplitState => {
    let s = splits.get(id);
    if (!s) {
      const st: SplitState = {
        gen: strategy.createWatermarkGenerator(),
        wm: LONG_MIN,
        idle: false,
        out: {
          emitWatermark: (ts) => {
            if (ts > st.wm) st.wm = ts;
            st.idle = false;
          },
          markIdle: () => {
            st.idle = true;
          },
          markActive: () => {
            st.idle = false;
          },
        },
      };
      splits.set(id, st);
      s = st;
    }
    return s;
  };

  const handle = (id: string): SplitWatermarks => ({
    onRecord(value, sourceTs) {
      const ts = assign ? assign(value, sourceTs) : sourceTs;
      const s = split(id);
      if (s.idle) s.idle = false;
      s.gen.onEvent(value, ts, s.out);
      return ts;
    },
    markIdle() {
      split(id).idle = true;
      combine();
    },
  });

  const main = handle('');
  let cancel: (() => void) | undefined;
  const periodic = (now: number) => {
    for (const s of splits.values()) s.gen.onPeriodicEmit(s.out);
    combine();
    if (o.autoWatermarkIntervalMs > 0) cancel = o.processingTime.registerTimer(now + o.autoWatermarkIntervalMs, periodic);
  };
  if (o.autoWatermarkIntervalMs > 0) cancel = o.processingTime.registerTimer(o.processingTime.currentProcessingTime() + o.autoWatermarkIntervalMs, periodic);

  return {
    onRecord: main.onRecord,
    markIdle: main.markIdle,
    forSplit: handle,
    releaseSplit: (id) => {
      splits.delete(id);
      combine();
    },
    close: () => cancel?.(),
  };
}
