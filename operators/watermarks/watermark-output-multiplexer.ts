/**
 * Per-split watermark combination (Flink's WatermarkOutputMultiplexer + CombinedWatermarkStatus) and the
 * deduplicating output at its end (Flink's WatermarkToDataOutput).
 *
 * Invariants: the combined watermark is the minimum over non-idle outputs and only increases; with no
 * registered output nothing is emitted; when every output is idle the underlying output is marked idle.
 * Immediate outputs (used by onEvent) update the combination at once when they raise a split above the
 * combined watermark; deferred outputs (used by onPeriodicEmit) only at onPeriodicEmit().
 * WatermarkToDataOutput forwards only strictly increasing watermarks, marks itself active before
 * forwarding one, and forwards status changes only.
 */
import { LONG_MIN } from '../../runtime/api/time.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { WatermarkOutput } from './watermark-generator.js';

export interface WatermarkDataOutput {
  emitWatermark(timestamp: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

export class WatermarkToDataOutput implements WatermarkOutput {
  private maxWatermarkSoFar = LONG_MIN;
  private idle = false;

  constructor(private readonly output: WatermarkDataOutput) {}

  emitWatermark(timestamp: number): void {
    if (timestamp <= this.maxWatermarkSoFar) return;
    this.maxWatermarkSoFar = timestamp;
    this.markActive();
    this.output.emitWatermark(timestamp);
  }

  markIdle(): void {
    if (!this.idle) {
      this.idle = true;
      this.output.emitWatermarkStatus(true);
    }
  }

  markActive(): void {
    if (this.idle) {
      this.idle = false;
      this.output.emitWatermarkStatus(false);
    }
  }

  currentWatermark(): number {
    return this.maxWatermarkSoFar;
  }

  isIdle(): boolean {
    return this.idle;
  }
}

class PartialWatermark {
  watermark = LONG_MIN;
  idle = false;
  /** True if the watermark advanced; setting a watermark clears idleness. */
  setWatermark(ts: number): boolean {
    this.idle = false;
    if (ts > this.watermark) {
      this.watermark = ts;
      return true;
    }
    return false;
  }
}

export class WatermarkOutputMultiplexer {
  private readonly outputs = new Map<string, PartialWatermark>();
  private combinedWatermark = LONG_MIN;
  private combinedIdle = false;

  constructor(private readonly underlying: WatermarkOutput) {}

  registerNewOutput(id: string): void {
    if (this.outputs.has(id)) throw new SluiceError('API_INVALID_ARGUMENT', `Already contains an output for ID ${id}`);
    this.outputs.set(id, new PartialWatermark());
  }

  unregisterOutput(id: string): boolean {
    return this.outputs.delete(id);
  }

  getImmediateOutput(id: string): WatermarkOutput {
    const s = this.state(id);
    return {
      emitWatermark: (ts) => {
        if (s.setWatermark(ts) && ts > this.combinedWatermark) this.updateCombinedWatermark();
      },
      markIdle: () => {
        s.idle = true;
        this.updateCombinedWatermark();
      },
      markActive: () => {
        s.idle = false;
        this.updateCombinedWatermark();
      },
    };
  }

  getDeferredOutput(id: string): WatermarkOutput {
    const s = this.state(id);
    return {
      emitWatermark: (ts) => void s.setWatermark(ts),
      markIdle: () => void (s.idle = true),
      markActive: () => void (s.idle = false),
    };
  }

  onPeriodicEmit(): void {
    this.updateCombinedWatermark();
  }

  private updateCombinedWatermark(): void {
    if (this.outputs.size === 0) return;
    let min = Infinity;
    let allIdle = true;
    for (const s of this.outputs.values()) {
      if (!s.idle) {
        allIdle = false;
        if (s.watermark < min) min = s.watermark;
      }
    }
    this.combinedIdle = allIdle;
    if (!allIdle && min > this.combinedWatermark) {
      this.combinedWatermark = min;
      this.underlying.emitWatermark(min);
    } else if (this.combinedIdle) {
      this.underlying.markIdle();
    }
  }

  private state(id: string): PartialWatermark {
    const s = this.outputs.get(id);
    if (!s) throw new SluiceError('API_INVALID_ARGUMENT', `no output registered under id ${id}`);
    return s;
  }
}
