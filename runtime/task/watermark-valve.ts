/**
 * StatusWatermarkValve, rule for rule as Flink's: combines the watermarks and watermark statuses of the
 * N channels of one logical input into one watermark / status stream.
 *
 * Rules:
 * - channels start ACTIVE, aligned, at Long.MIN_VALUE; the valve starts ACTIVE at Long.MIN_VALUE;
 * - a watermark is ignored when its channel is idle or the whole valve is idle, or when it does not
 *   exceed the channel's own last watermark;
 * - output = min over aligned channels (aligned ⇒ active), emitted only when it exceeds the last output;
 * - a channel going idle becomes unaligned; if it held the minimum (its watermark == last output) the
 *   minimum is recomputed; if it was the last active channel and held the minimum, the max watermark
 *   over all channels is flushed, then the valve emits IDLE;
 * - a channel going active rejoins as aligned only if its watermark ≥ last output, otherwise it realigns
 *   once a watermark ≥ last output arrives; the valve emits ACTIVE if it was idle.
 * Events go to the output when one is given (the task's case), otherwise they are returned in emission order.
 */
import { LONG_MIN } from '../api/time.js';
import { SluiceError } from '../errors/catalogue.js';

export type ValveEvent = { kind: 'watermark'; timestamp: number } | { kind: 'status'; idle: boolean };

export interface ValveOutput {
  emitWatermark(timestamp: number): void;
  emitWatermarkStatus(idle: boolean): void;
}

export interface ChannelStatus {
  readonly watermark: number;
  readonly idle: boolean;
  readonly aligned: boolean;
}

export class StatusWatermarkValve {
  private readonly watermarks: number[];
  private readonly idle: boolean[];
  private readonly aligned: boolean[];
  private lastOutputWatermark = LONG_MIN;
  private outputIdle = false;
  private pending: ValveEvent[] = [];

  constructor(
    readonly numChannels: number,
    private readonly output?: ValveOutput,
  ) {
    if (!(numChannels >= 1) || !Number.isInteger(numChannels))
      throw new SluiceError('API_INVALID_ARGUMENT', `a valve needs at least one channel (got ${numChannels})`);
    this.watermarks = new Array<number>(numChannels).fill(LONG_MIN);
    this.idle = new Array<boolean>(numChannels).fill(false);
    this.aligned = new Array<boolean>(numChannels).fill(true);
  }

  inputWatermark(watermark: number, channel: number): ValveEvent[] {
    this.check(channel);
    if (!this.outputIdle && !this.idle[channel] && watermark > this.watermarks[channel]!) {
      this.watermarks[channel] = watermark;
      // an unaligned channel realigns once it has caught up with the last output
      if (!this.aligned[channel] && watermark >= this.lastOutputWatermark) this.aligned[channel] = true;
      this.findAndOutputNewMinWatermarkAcrossAlignedChannels();
    }
    return this.drain();
  }

  inputWatermarkStatus(idle: boolean, channel: number): ValveEvent[] {
    this.check(channel);
    if (idle && !this.idle[channel]) {
      this.idle[channel] = true;
      this.aligned[channel] = false;
      if (!this.idle.includes(false)) {
        // all channels idle: flush the max watermark if this channel held the minimum
        if (this.watermarks[channel] === this.lastOutputWatermark) this.findAndOutputMaxWatermarkAcrossAllChannels();
        this.outputIdle = true;
        this.emitStatus(true);
      } else if (this.watermarks[channel] === this.lastOutputWatermark) {
        this.findAndOutputNewMinWatermarkAcrossAlignedChannels();
      }
    } else if (!idle && this.idle[channel]) {
      this.idle[channel] = false;
      if (this.watermarks[channel]! >= this.lastOutputWatermark) this.aligned[channel] = true;
      if (this.outputIdle) {
        this.outputIdle = false;
        this.emitStatus(false);
      }
    }
    return this.drain();
  }

  getChannelStatus(channel: number): ChannelStatus {
    this.check(channel);
    return { watermark: this.watermarks[channel]!, idle: this.idle[channel]!, aligned: this.aligned[channel]! };
  }

  /** The last watermark the valve emitted (Long.MIN_VALUE before any). */
  getLastOutputWatermark(): number {
    return this.lastOutputWatermark;
  }

  isIdle(): boolean {
    return this.outputIdle;
  }

  private findAndOutputNewMinWatermarkAcrossAlignedChannels(): void {
    let min = Infinity;
    let hasAligned = false;
    for (let i = 0; i < this.numChannels; i++) {
      if (this.aligned[i]) {
        hasAligned = true;
        if (this.watermarks[i]! < min) min = this.watermarks[i]!;
      }
    }
    if (hasAligned && min > this.lastOutputWatermark) {
      this.lastOutputWatermark = min;
      this.emitWatermark(min);
    }
  }

  private findAndOutputMaxWatermarkAcrossAllChannels(): void {
    let max = LONG_MIN;
    for (const w of this.watermarks) if (w > max) max = w;
    if (max > this.lastOutputWatermark) {
      this.lastOutputWatermark = max;
      this.emitWatermark(max);
    }
  }

  private emitWatermark(timestamp: number): void {
    if (this.output) this.output.emitWatermark(timestamp);
    else this.pending.push({ kind: 'watermark', timestamp });
  }

  private emitStatus(idle: boolean): void {
    if (this.output) this.output.emitWatermarkStatus(idle);
    else this.pending.push({ kind: 'status', idle });
  }

  private drain(): ValveEvent[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  private check(channel: number): void {
    if (!(channel >= 0 && channel < this.numChannels) || !Number.isInteger(channel)) {
      throw new SluiceError('API_INVALID_ARGUMENT', `channel ${channel} out of range [0, ${this.numChannels})`);
    }
  }
}
