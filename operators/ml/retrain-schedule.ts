/**
 * EventTimeSchedule: retraining points every `everyMs` of event time, aligned to `originMs` (epoch by
 * default) — a retrainer registers an event-time timer at `nextAfter(t)` and, when it fires, the next one.
 * Timers fire as the watermark passes them, so a replay over the same input retrains at the same event
 * times, whatever the processing speed. Invariant: points are originMs + k·everyMs, strictly increasing.
 */
import { SluiceError } from '../../runtime/errors/catalogue.js';

export class EventTimeSchedule {
  constructor(
    readonly everyMs: number,
    readonly originMs = 0,
  ) {
    if (!(Number.isSafeInteger(everyMs) && everyMs > 0))
      throw new SluiceError('API_INVALID_ARGUMENT', `a retraining schedule needs everyMs > 0 (got ${everyMs})`);
    if (!Number.isSafeInteger(originMs))
      throw new SluiceError('API_INVALID_ARGUMENT', `originMs must be an integer (got ${originMs})`);
  }

  /** The first scheduled point strictly after `afterMs`. */
  nextAfter(afterMs: number): number {
    return this.originMs + (Math.floor((afterMs - this.originMs) / this.everyMs) + 1) * this.everyMs;
  }

  /** Scheduled points in (fromMs, toMs], in order. */
  between(fromMs: number, toMs: number): number[] {
    const out: number[] = [];
    for (let p = this.nextAfter(fromMs); p <= toMs; p += this.everyMs) out.push(p);
    return out;
  }
}
