/**
 * Timer service manager of one keyed operator (Flink's InternalTimeServiceManager): creates named timer
 * services on demand, advances the watermark through all of them in creation order, and takes part in
 * the keyed snapshot so timers are stored per key group next to the keyed state.
 *
 * Restored timers of a service not yet requested wait here until getTimerService(name) is called, and
 * are still included in snapshots meanwhile.
 */
import type { InternalTimerService, ProcessingTimeService, Triggerable } from '../api/operator.js';
import type { TimerSnapshotParticipant } from './heap-keyed-state-backend.js';
import type { RuntimeKeyedStateBackend } from './keyed-backend.js';
import { HeapInternalTimerService } from './internal-timer-service.js';
import { recordEntries, type TimersSnapshot } from './snapshot-types.js';

export interface TimerServiceManagerOptions {
  backend: RuntimeKeyedStateBackend<any>;
  processingTimeService: ProcessingTimeService;
}

const LONG_MIN = -(2 ** 63);

export class TimerServiceManager implements TimerSnapshotParticipant {
  private readonly services = new Map<string, HeapInternalTimerService>();
  /** name → kg → timers, for services restored before they were requested. */
  private readonly pending = new Map<string, Map<number, TimersSnapshot>>();
  private watermark = LONG_MIN;

  constructor(private readonly o: TimerServiceManagerOptions) {
    o.backend.attachTimers(this);
  }

  getTimerService(name: string, triggerable: Triggerable): InternalTimerService & HeapInternalTimerService {
    let s = this.services.get(name);
    if (s) {
      s.setTriggerable(triggerable);
      return s;
    }
    s = new HeapInternalTimerService(name, this.o.backend, this.o.processingTimeService, triggerable);
    this.services.set(name, s);
    const restored = this.pending.get(name);
    if (restored) {
      this.pending.delete(name);
      for (const [kg, t] of restored) s.restore(kg, t);
    }
    s.initWatermark(this.watermark); // restored timers <= wm fire at the next advance, as Flink
    return s;
  }

  /** Fires every event-time timer with timestamp <= wm in every service. */
  advanceWatermark(wm: number): void {
    if (wm > this.watermark) this.watermark = wm;
    for (const s of this.services.values()) s.advanceWatermark(wm);
  }

  currentWatermark(): number {
    return this.watermark;
  }

  numEventTimeTimers(): number {
    let n = 0;
    for (const s of this.services.values()) n += s.numEventTimeTimers();
    return n;
  }

  numProcessingTimeTimers(): number {
    let n = 0;
    for (const s of this.services.values()) n += s.numProcessingTimeTimers();
    return n;
  }

  /** Cancels scheduled processing-time callbacks. */
  close(): void {
    for (const s of this.services.values()) s.close();
  }

  snapshotTimers(): Map<number, Record<string, TimersSnapshot>> {
    return this.freezeTimers()();
  }

  freezeTimers(): () => Map<number, Record<string, TimersSnapshot>> {
    const services = [...this.services.values()].map((s) => s.freeze());
    const pending = [...this.pending].map(([name, byKg]) => [name, [...byKg]] as const);
    return () => {
      const out = new Map<number, Record<string, TimersSnapshot>>();
      for (const add of services) add(out);
      for (const [name, byKg] of pending) {
        for (const [kg, t] of byKg) {
          let g = out.get(kg);
          if (!g) out.set(kg, (g = {}));
          g[name] = t;
        }
      }
      return out;
    };
  }

  restoreTimers(keyGroup: number, timers: Record<string, TimersSnapshot>): void {
    for (const [name, t] of recordEntries(timers)) {
      const s = this.services.get(name);
      if (s) {
        s.restore(keyGroup, t);
        continue;
      }
      let byKg = this.pending.get(name);
      if (!byKg) this.pending.set(name, (byKg = new Map()));
      const prev = byKg.get(keyGroup);
      byKg.set(
        keyGroup,
        prev ? { event: prev.event.concat(t.event), processing: prev.processing.concat(t.processing) } : t,
      );
    }
  }
}

export function createTimerServiceManager(o: TimerServiceManagerOptions): TimerServiceManager {
  return new TimerServiceManager(o);
}
