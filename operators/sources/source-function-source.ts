/**
 * Runs a Flink 1.x legacy `SourceFunction` (`env.addSource(fn)`) as a sluice Source: one split per
 * subtask; the reader opens its own copy of the function (runtime context, `open`), starts `run(ctx)` and
 * hands what it emits — records, timestamps, watermarks, idleness — to `pollNext` in order.
 *
 * Invariants: `run` settling (resolving or returning) ends the input after everything it emitted; `run`
 * throwing fails the task; `close()` calls `cancel()` when `run` has not finished, then the function's
 * `close`. Emissions are buffered without bound (a synchronous `run` cannot be paused), so an unbounded
 * source must await between emissions. Not checkpointable: snapshots are empty and a restored reader
 * runs `run` from the start (source-functions.ts says so to users).
 */
import { copyUserFunction } from '../../runtime/api/abstract-operator.js';
import { openFunction } from '../../runtime/api/rich-functions.js';
import { createStatelessRuntimeContext } from '../../runtime/api/runtime-context.js';
import type { InputStatus, ReaderOutput, Source, SourceReader, SourceReaderContext } from '../../runtime/api/source.js';
import type { SourceContext, SourceFunction, Watermark } from '../../runtime/api/source-functions.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';

type Emission<T> =
  | { kind: 'record'; value: T; timestamp: number }
  | { kind: 'watermark'; timestamp: number }
  | { kind: 'idle' };

const BATCH = 1024;

class SourceFunctionReader<T> implements SourceReader<T, string> {
  private readonly fn: SourceFunction<T>;
  private readonly queue: Emission<T>[] = [];
  private head = 0;
  private finished = false;
  private failure: unknown;
  private wake: (() => void) | undefined;
  private lastWatermark = Number.NEGATIVE_INFINITY;

  constructor(
    fn: SourceFunction<T>,
    private readonly ctx: SourceReaderContext,
    private readonly name: string,
  ) {
    this.fn = copyUserFunction(fn);
  }

  async start(): Promise<void> {
    await openFunction(
      this.fn,
      createStatelessRuntimeContext({ ...this.ctx, name: this.name, attemptNumber: 0 }, `a source ("${this.name}")`),
    );
    const sourceCtx: SourceContext<T> = {
      collect: (value) => this.push({ kind: 'record', value, timestamp: Number.NaN }),
      collectWithTimestamp: (value, timestamp) => this.push({ kind: 'record', value, timestamp }),
      emitWatermark: (mark: Watermark) => this.push({ kind: 'watermark', timestamp: mark.getTimestamp() }),
      markAsTemporarilyIdle: () => this.push({ kind: 'idle' }),
      getCheckpointLock: () => this,
      close: () => {},
    };
    // Started after start() returns, so records emitted synchronously are read through pollNext too.
    queueMicrotask(() => {
      Promise.resolve()
        .then(() => this.fn.run(sourceCtx))
        .then(
          () => this.settle(),
          (e: unknown) => this.settle(e ?? new Error('source run() failed')),
        );
    });
  }

  private push(e: Emission<T>): void {
    if (this.finished) return; // after cancel, as Flink drops emissions of a cancelled source
    this.queue.push(e);
    this.notify();
  }

  private settle(failure?: unknown): void {
    this.finished = true;
    this.failure = failure;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  addSplits(): void {}

  pollNext(output: ReaderOutput<T>): InputStatus {
    const stop = Math.min(this.queue.length, this.head + BATCH);
    while (this.head < stop) {
      const e = this.queue[this.head++]!;
      if (e.kind === 'record') output.collect(e.value, e.timestamp);
      else if (e.kind === 'idle') output.markIdle();
      else if (e.timestamp > this.lastWatermark) {
        this.lastWatermark = e.timestamp;
        output.emitWatermark?.(e.timestamp);
      }
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      if (this.finished) {
        if (this.failure !== undefined) throw this.failure;
        return 'END_OF_INPUT';
      }
      return 'NOTHING_AVAILABLE';
    }
    return 'MORE_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    if (this.finished || this.head < this.queue.length) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  snapshotState(): string[] {
    return [];
  }

  async close(): Promise<void> {
    if (!this.finished) {
      this.finished = true;
      this.fn.cancel();
    }
    await (this.fn as { close?: () => unknown }).close?.();
  }
}

export class SourceFunctionSource<T> implements Source<T, string> {
  readonly boundedness = 'CONTINUOUS_UNBOUNDED' as const;
  constructor(
    private readonly fn: SourceFunction<T>,
    private readonly name: string,
  ) {
    if (!fn || typeof fn.run !== 'function' || typeof fn.cancel !== 'function')
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'addSource(fn): expected a SourceFunction (an object with run(ctx) and cancel()); for new code use fromSource(source, watermarkStrategy, name)',
      );
  }
  createSplits(parallelism: number): string[] {
    return Array.from({ length: parallelism }, (_, i) => `source-function-${i}`);
  }
  createReader(ctx: SourceReaderContext): SourceReader<T, string> {
    return new SourceFunctionReader(this.fn, ctx, this.name);
  }
}
