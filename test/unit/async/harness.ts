/**
 * Drives one AsyncWaitOperator the way a task does: processing-time callbacks run as "mails" on a later
 * macrotask (never inside another call), a returned promise is awaited before the next input, operator
 * state goes through the real operator state store (snapshot → restore).
 */
import { ElementKind } from '../../../runtime/api/elements.js';
import type { OperatorContext, StreamOperator } from '../../../runtime/api/operator.js';
import { LONG_MIN } from '../../../runtime/api/time.js';
import { createOperatorStateStore } from '../../../runtime/state/index.js';

export type Out = { kind: 'record'; value: unknown; timestamp: number } | { kind: 'watermark'; timestamp: number };

export class AsyncHarness {
  readonly out: Out[] = [];
  readonly store = createOperatorStateStore();
  /** Errors thrown by mails (the task would fail with them). */
  readonly errors: Error[] = [];

  constructor(
    readonly op: StreamOperator,
    restore?: ReturnType<AsyncHarness['snapshot']>,
  ) {
    if (restore) this.store.restore(restore);
    const ctx: OperatorContext = {
      operatorUid: 'async',
      operatorName: 'async',
      subtaskIndex: 0,
      parallelism: 1,
      maxParallelism: 128,
      attemptNumber: 0,
      output: {
        collect: (r) => void this.out.push({ kind: 'record', value: r.value, timestamp: r.timestamp }),
        collectSide: () => {},
        emitWatermark: (ts) => void this.out.push({ kind: 'watermark', timestamp: ts }),
        emitWatermarkStatus: () => {},
      },
      keyedStateBackend: undefined,
      operatorStateStore: this.store,
      processingTimeService: {
        currentProcessingTime: () => Date.now(),
        registerTimer: (_t, fn) => {
          setImmediate(() => {
            try {
              fn(Date.now());
            } catch (e) {
              this.errors.push(e as Error);
            }
          });
          return () => {};
        },
      },
      getInternalTimerService: () => {
        throw new Error('not keyed');
      },
      metrics: {
        counter: () => ({ inc: () => {}, getCount: () => 0 }),
        userCounter: () => ({ inc: () => {}, getCount: () => 0 }),
        gauge: () => {},
      },
      jobConfig: {},
      keySelectors: [],
      currentWatermark: () => LONG_MIN,
    };
    op.setup?.(ctx);
  }

  async open(): Promise<this> {
    await this.op.initializeState?.({
      isRestored: () => this.store.stateNames().length > 0,
      operatorStateStore: this.store,
      keyedStateBackend: undefined,
    });
    await this.op.open?.();
    return this;
  }

  /** Returns what processElement returned: undefined, or the promise the task would await. */
  element(value: unknown, timestamp = Number.NaN): void | Promise<void> {
    return this.op.processElement!({ kind: ElementKind.Record, value, timestamp });
  }

  watermark(ts: number): void | Promise<void> {
    return this.op.processWatermark!(ts);
  }

  snapshot() {
    this.op.snapshotState?.({ checkpointId: 1, timestampMs: 0, isSavepoint: false });
    return this.store.snapshot();
  }

  values(): unknown[] {
    return this.out.filter((o) => o.kind === 'record').map((o) => o.value);
  }
}

/** Resolves when `cond` holds, polling on macrotasks; rejects after `deadlineMs`. */
export async function until(cond: () => boolean, deadlineMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
