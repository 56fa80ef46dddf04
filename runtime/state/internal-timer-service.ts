/**
 * One named keyed timer service (Flink's InternalTimerServiceImpl): event-time and processing-time
 * timers scoped to the backend's current key, one per (key, namespace, timestamp), fired in timestamp
 * order with the backend's current key set to the timer's key.
 *
 * Processing time: only the earliest timer is scheduled on the ProcessingTimeService; registering an
 * earlier one cancels and reschedules, firing schedules the next head (as Flink).
 * Event time: advanceWatermark(wm) pops every timer with timestamp <= wm, including timers registered
 * by the triggerable while firing.
 */
import type { InternalTimerService, ProcessingTimeService, Triggerable } from '../api/operator.js';
import type { RuntimeKeyedStateBackend } from './keyed-backend.js';
import { timerIdentity, canonicalKey } from './key-codec.js';
import { TimerHeap, type TimerEntry } from './timer-heap.js';
import { assignToKeyGroup } from '../keygroups/index.js';
import type { TimerEntrySnapshot, TimersSnapshot } from './snapshot-types.js';

const LONG_MIN = -(2 ** 63);

export class HeapInternalTimerService implements InternalTimerService {
  private readonly eventHeap = new TimerHeap();
  private readonly procHeap = new TimerHeap();
  private readonly eventIndex = new Map<string, TimerEntry>();
  private readonly procIndex = new Map<string, TimerEntry>();
  private seq = 0;
  private watermark = LONG_MIN;
  private scheduledAt: number | undefined;
  private cancelScheduled: (() => void) | undefined;
  private firingProcessing = false;

  constructor(
    readonly name: string,
    private readonly backend: RuntimeKeyedStateBackend,
    private readonly pts: ProcessingTimeService,
    private target: Triggerable,
  ) {}

  /** Re-targets a service restored or requested again under the same name. */
  setTriggerable(t: Triggerable): void {
    this.target = t;
  }

  currentProcessingTime(): number {
    return this.pts.currentProcessingTime();
  }

  currentWatermark(): number {
    return this.watermark;
  }

  registerEventTimeTimer(namespace: string, time: number): void {
    this.add(
      this.eventHeap,
      this.eventIndex,
      this.backend.currentKey,
      this.backend.requireKey(),
      this.backend.getCurrentKeyGroup(),
      namespace,
      time,
    );
  }

  deleteEventTimeTimer(namespace: string, time: number): void {
    this.remove(this.eventIndex, namespace, time);
  }

  registerProcessingTimeTimer(namespace: string, time: number): void {
    this.add(
      this.procHeap,
      this.procIndex,
      this.backend.currentKey,
      this.backend.requireKey(),
      this.backend.getCurrentKeyGroup(),
      namespace,
      time,
    );
    this.reschedule();
  }

  deleteProcessingTimeTimer(namespace: string, time: number): void {
    this.remove(this.procIndex, namespace, time);
  }

  numEventTimeTimers(): number {
    return this.eventIndex.size;
  }

  numProcessingTimeTimers(): number {
    return this.procIndex.size;
  }

  /** Sets the watermark without firing (a service created after the operator already saw watermarks). */
  initWatermark(wm: number): void {
    if (wm > this.watermark) this.watermark = wm;
  }

  advanceWatermark(wm: number): void {
    if (wm > this.watermark) this.watermark = wm;
    for (let e = this.eventHeap.peek(); e !== undefined && e.timestamp <= wm; e = this.eventHeap.peek()) {
      this.eventHeap.pop();
      this.eventIndex.delete(timerIdentity(e.canon, e.namespace, e.timestamp));
      this.backend.setCurrentKeyAndGroup(e.key, e.keyGroup, e.canon);
      this.target.onEventTime(e);
    }
  }

  /** Fires processing-time timers with timestamp <= nowMs (called by the scheduled callback). */
  onProcessingTime(nowMs: number): void {
    this.scheduledAt = undefined;
    this.cancelScheduled = undefined;
    this.firingProcessing = true;
    try {
      for (let e = this.procHeap.peek(); e !== undefined && e.timestamp <= nowMs; e = this.procHeap.peek()) {
        this.procHeap.pop();
        this.procIndex.delete(timerIdentity(e.canon, e.namespace, e.timestamp));
        this.backend.setCurrentKeyAndGroup(e.key, e.keyGroup, e.canon);
        this.target.onProcessingTime(e);
      }
    } finally {
      this.firingProcessing = false;
      this.reschedule();
    }
  }

  /** Cancels the scheduled processing-time callback (task shutdown). */
  close(): void {
    this.cancelScheduled?.();
    this.cancelScheduled = undefined;
    this.scheduledAt = undefined;
  }

  /** Adds this service's live timers to `out` (kg → service name → timers). */
  snapshotInto(out: Map<number, Record<string, TimersSnapshot>>): void {
    this.freeze()(out);
  }

  /**
   * Fixes the live timers now (a copy of the entry references: entries never change except for their
   * deleted flag, which is read here) and returns what adds them to a snapshot later.
   */
  freeze(): (out: Map<number, Record<string, TimersSnapshot>>) => void {
    const event = this.eventHeap.all().filter((e) => !e.deleted);
    const processing = this.procHeap.all().filter((e) => !e.deleted);
    return (out) => {
      const put = (e: TimerEntry, kind: 'event' | 'processing') => {
        let g = out.get(e.keyGroup);
        if (!g) out.set(e.keyGroup, (g = {}));
        const s = (g[this.name] ??= { event: [], processing: [] });
        s[kind].push([e.key, e.namespace, e.timestamp]);
      };
      for (const e of event) put(e, 'event');
      for (const e of processing) put(e, 'processing');
    };
  }

  restore(keyGroup: number, t: TimersSnapshot): void {
    const load = (heap: TimerHeap, index: Map<string, TimerEntry>, list: TimerEntrySnapshot[]) => {
      for (const [key, ns, ts] of list) {
        const canon = canonicalKey(key);
        const kg = keyGroup >= 0 ? keyGroup : assignToKeyGroup(key, this.backend.maxParallelism);
        this.add(heap, index, key, canon, kg, ns, ts);
      }
    };
    load(this.eventHeap, this.eventIndex, t.event);
    load(this.procHeap, this.procIndex, t.processing);
    this.reschedule();
  }

  private add(
    heap: TimerHeap,
    index: Map<string, TimerEntry>,
    key: unknown,
    canon: TimerEntry['canon'],
    keyGroup: number,
    namespace: string,
    timestamp: number,
  ): void {
    const id = timerIdentity(canon, namespace, timestamp);
    if (index.has(id)) return;
    const e: TimerEntry = { key, namespace, timestamp, canon, keyGroup, seq: this.seq++, deleted: false };
    index.set(id, e);
    heap.push(e);
  }

  private remove(index: Map<string, TimerEntry>, namespace: string, time: number): void {
    const id = timerIdentity(this.backend.requireKey(), namespace, time);
    const e = index.get(id);
    if (e === undefined) return;
    e.deleted = true;
    index.delete(id);
  }

  private reschedule(): void {
    if (this.firingProcessing) return;
    const head = this.procHeap.peek();
    if (head === undefined) return;
    if (this.scheduledAt !== undefined && this.scheduledAt <= head.timestamp) return;
    this.cancelScheduled?.();
    this.scheduledAt = head.timestamp;
    this.cancelScheduled = this.pts.registerTimer(head.timestamp, (t) =>
      this.onProcessingTime(Math.max(t, head.timestamp)),
    );
  }
}
