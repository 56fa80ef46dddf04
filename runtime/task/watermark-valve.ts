/**
 * StatusWatermarkValve (Flink's name and rules) for the channels of one logical input: per channel the
 * max watermark received and its status; the output is the minimum over active, aligned channels, emitted
 * only when it increases. Idle channels are excluded; a channel that becomes active again rejoins the
 * minimum only once its watermark reaches the last output. When every channel is idle the valve emits the
 * maximum watermark over the channels (if it advances) and reports itself idle.
 */
import { LONG_MIN } from '../api/time.js';

export interface ValveOutput {
  /** New combined watermark, when it advanced. */
  watermark?: number;
  /** New status of the whole input, when it changed. */
  idle?: boolean;
}

export class StatusWatermarkValve {
  private readonly wm: number[];
  private readonly idle: boolean[];
  private readonly aligned: boolean[];
  private lastOutput = LONG_MIN;
  private outputIdle = false;

  constructor(numChannels: number) {
    this.wm = new Array(numChannels).fill(LONG_MIN);
    this.idle = new Array(numChannels).fill(false);
    this.aligned = new Array(numChannels).fill(true);
  }

  /** Returns the new combined watermark when it advanced, else undefined. */
  inputWatermark(watermark: number, channel: number): number | undefined {
    if (this.idle[channel]) return undefined; // Flink ignores watermarks from idle channels
    if (watermark <= this.wm[channel]!) return undefined;
    this.wm[channel] = watermark;
    if (!this.aligned[channel] && watermark >= this.lastOutput) this.aligned[channel] = true;
    return this.findAndOutputNewMin();
  }

  inputWatermarkStatus(idle: boolean, channel: number): ValveOutput {
    const out: ValveOutput = {};
    if (idle === this.idle[channel]) return out;
    this.idle[channel] = idle;
    if (idle) {
      this.aligned[channel] = false;
      if (this.idle.every(Boolean)) {
        const max = Math.max(...this.wm);
        if (max > this.lastOutput) {
          this.lastOutput = max;
          out.watermark = max;
        }
        if (!this.outputIdle) {
          this.outputIdle = true;
          out.idle = true;
        }
      } else {
        const w = this.findAndOutputNewMin();
        if (w !== undefined) out.watermark = w;
      }
    } else {
      this.aligned[channel] = this.wm[channel]! >= this.lastOutput;
      if (this.outputIdle) {
        this.outputIdle = false;
        out.idle = false;
      }
    }
    return out;
  }

  private findAndOutputNewMin(): number | undefined {
    let min = Infinity;
    let any = false;
    for (let i = 0; i < this.wm.length; i++) {
      if (this.aligned[i] && !this.idle[i]) {
        any = true;
        if (this.wm[i]! < min) min = this.wm[i]!;
      }
    }
    if (any && min > this.lastOutput) {
      this.lastOutput = min;
      return min;
    }
    return undefined;
  }
}
