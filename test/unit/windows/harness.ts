/**
 * Test harness for event-time operators: drives one operator the way the task runtime does, over the real
 * heap keyed state backend and timer service manager, with a manual processing-time clock.
 *
 * Watermark contract (as runtime/task/operator-chain.ts): for a watermark that advances the combined input
 * watermark (min of both inputs for two-input operators), first the operator's timers are advanced, then
 * operator.processWatermark is called if present, then the watermark is recorded as forwarded. Records go
 * through setCurrentKey(keySelector(value)) first.
 */
import { ElementKind, type StreamRecord } from '../../../runtime/api/elements.js';
import type {
  OperatorContext,
  ProcessingTimeService,
  StreamOperator,
  Triggerable,
} from '../../../runtime/api/operator.js';
import { LONG_MIN } from '../../../runtime/api/time.js';
import {
  createKeyedStateBackend,
  createOperatorStateStore,
  createTimerServiceManager,
  type KeyedStateSnapshot,
} from '../../../runtime/state/index.js';

/** A manual ProcessingTimeService: callbacks run when the test advances time. */
export class FakeProcessingTime implements ProcessingTimeService {
  now = 0;
  private scheduled: { at: number; fn: (t: number) => void; cancelled: boolean; seq: number }[] = [];
  private seq = 0;
  currentProcessingTime(): number {
    return this.now;
  }
  registerTimer(timeMs: number, fn: (timeMs: number) => void): () => void {
    const s = { at: timeMs, fn, cancelled: false, seq: this.seq++ };
    this.scheduled.push(s);
    return () => {
      s.cancelled = true;
    };
  }
  pending(): number {
    return this.scheduled.filter((s) => !s.cancelled).length;
  }
  /** Moves the clock to `ms`, running due callbacks in time order (including ones they register). */
  advanceTo(ms: number): void {
    for (;;) {
      const due = this.scheduled
        .filter((s) => !s.cancelled && s.at <= ms)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      due.cancelled = true;
      if (due.at > this.now) this.now = due.at;
      due.fn(due.at);
    }
    this.now = ms;
    this.scheduled = this.scheduled.filter((s) => !s.cancelled);
  }
}

export type Emitted =
  | { kind: 'record'; value: unknown; timestamp: number }
  | { kind: 'side'; tag: string; value: unknown; timestamp: number }
  | { kind: 'watermark'; timestamp: number }
  | { kind: 'status'; idle: boolean };

export interface HarnessOptions {
  keySelectors?: Array<(v: any) => unknown>;
  maxParallelism?: number;
  restore?: KeyedStateSnapshot;
  pts?: FakeProcessingTime;
  jobConfig?: Record<string, string>;
}

export class OperatorHarness {
  readonly pts: FakeProcessingTime;
  readonly backend;
  readonly timers;
  readonly out: Emitted[] = [];
  readonly counters = new Map<string, number>();
  private readonly inputWm: number[];
  private currentWm = LONG_MIN;
  readonly keySelectors: Array<(v: any) => unknown>;

  constructor(
    readonly operator: StreamOperator,
    o: HarnessOptions = {},
  ) {
    this.pts = o.pts ?? new FakeProcessingTime();
    this.keySelectors = o.keySelectors ?? [(v: any) => (Array.isArray(v) ? v[0] : v)];
    this.inputWm = this.keySelectors.map(() => LONG_MIN);
    const maxParallelism = o.maxParallelism ?? 128;
    this.backend = createKeyedStateBackend({ maxParallelism, keyGroupRange: { start: 0, end: maxParallelism - 1 } });
    this.timers = createTimerServiceManager({ backend: this.backend, processingTimeService: this.pts });
    if (o.restore) this.backend.restore(o.restore);
    const counters = this.counters;
    const counter = (name: string) => ({
      inc: (n = 1) => void counters.set(name, (counters.get(name) ?? 0) + n),
      getCount: () => counters.get(name) ?? 0,
    });
    const ctx: OperatorContext = {
      operatorUid: 'op',
      operatorName: 'op',
      subtaskIndex: 0,
      parallelism: 1,
      maxParallelism,
      attemptNumber: 0,
      output: {
        collect: (r) => void this.out.push({ kind: 'record', value: r.value, timestamp: r.timestamp }),
        collectSide: (tag, r) =>
          void this.out.push({ kind: 'side', tag: tag.id, value: r.value, timestamp: r.timestamp }),
        emitWatermark: (ts) => void this.out.push({ kind: 'watermark', timestamp: ts }),
        emitWatermarkStatus: (idle) => void this.out.push({ kind: 'status', idle }),
      },
      keyedStateBackend: this.backend,
      operatorStateStore: createOperatorStateStore(),
      processingTimeService: this.pts,
      getInternalTimerService: (name: string, t: Triggerable) => this.timers.getTimerService(name, t),
      metrics: {
        counter,
        userCounter: counter,
        gauge: () => {},
      },
      jobConfig: o.jobConfig ?? {},
      keySelectors: this.keySelectors,
      currentWatermark: () => this.currentWm,
    };
    operator.setup?.(ctx);
  }

  async open(): Promise<this> {
    await this.operator.open?.();
    return this;
  }

  /** Input 0 (or `input`) record; `timestamp` NaN = none. */
  element(value: unknown, timestamp = NaN, input = 0): this {
    this.backend.setCurrentKey(this.keySelectors[input]!(value));
    const r: StreamRecord = { kind: ElementKind.Record, value, timestamp };
    const op = this.operator;
    if (input === 0) (op.processElement ?? op.processElement1)!.call(op, r);
    else op.processElement2!.call(op, r);
    return this;
  }

  /** A watermark on one input; advances timers, calls processWatermark, forwards — if the minimum advanced. */
  watermark(ts: number, input = 0): this {
    this.inputWm[input] = Math.max(this.inputWm[input]!, ts);
    const combined = Math.min(...this.inputWm);
    if (combined <= this.currentWm) return this;
    this.currentWm = combined;
    this.timers.advanceWatermark(combined);
    this.operator.processWatermark?.(combined);
    this.out.push({ kind: 'watermark', timestamp: combined });
    return this;
  }

  processingTime(ms: number): this {
    this.pts.advanceTo(ms);
    return this;
  }

  snapshot(): KeyedStateSnapshot {
    return this.backend.snapshot();
  }

  /** Removes and returns what was emitted so far. */
  take(): Emitted[] {
    return this.out.splice(0, this.out.length);
  }

  records(): Array<{ value: unknown; timestamp: number }> {
    return this.take()
      .filter((e): e is Extract<Emitted, { kind: 'record' }> => e.kind === 'record')
      .map(({ value, timestamp }) => ({ value, timestamp }));
  }
}
