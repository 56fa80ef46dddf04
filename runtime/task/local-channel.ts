/**
 * In-process channel between two tasks of the same process (local execution): a bounded queue of
 * element buffers with credits, the same contract as network channels — the producer fills a buffer,
 * flushes it when full, on events, or after `flushDelayMs`; it is not writable while `maxBuffers` buffers
 * are queued; the consumer polls whole buffers, which frees a credit.
 */
import { ElementKind, type StreamElement } from '../api/elements.js';
import { platform } from '../platform/index.js';
import type { TaskInputChannel, TaskOutputChannel } from './channel.js';

export interface LocalChannelOptions {
  maxBuffers?: number;
  bufferElements?: number;
  flushDelayMs?: number;
}

export function createLocalChannel(o: LocalChannelOptions = {}): {
  output: TaskOutputChannel;
  input: TaskInputChannel;
  queuedBuffers(): number;
} {
  const maxBuffers = o.maxBuffers ?? 4;
  const bufferElements = o.bufferElements ?? 1024;
  const flushDelayMs = o.flushDelayMs ?? 1;
  const queue: StreamElement[][] = [];
  let current: StreamElement[] = [];
  let flushTimer: ReturnType<typeof platform.clock.setTimeout> | undefined;
  let onAvailable: (() => void) | undefined;
  const writableWaiters: Array<() => void> = [];

  const flush = () => {
    if (flushTimer) {
      platform.clock.clear(flushTimer);
      flushTimer = undefined;
    }
    if (!current.length) return;
    queue.push(current);
    current = [];
    onAvailable?.();
  };

  const output: TaskOutputChannel = {
    emit(e) {
      current.push(e);
      if (
        e.kind === ElementKind.Barrier ||
        e.kind === ElementKind.EndOfInput ||
        e.kind === ElementKind.WatermarkStatus ||
        current.length >= bufferElements
      )
        flush();
      else if (!flushTimer) flushTimer = platform.clock.setTimeout(flush, flushDelayMs);
    },
    flush,
    isWritable: () => queue.length < maxBuffers,
    onWritable(cb) {
      if (queue.length < maxBuffers) cb();
      else writableWaiters.push(cb);
    },
  };

  const input: TaskInputChannel = {
    poll() {
      const b = queue.shift();
      if (b && queue.length < maxBuffers && writableWaiters.length) {
        const ws = writableWaiters.splice(0);
        platform.clock.setImmediate(() => ws.forEach((w) => w()));
      }
      return b ?? null;
    },
    onAvailable(cb) {
      onAvailable = cb;
    },
  };
  return { output, input, queuedBuffers: () => queue.length };
}
