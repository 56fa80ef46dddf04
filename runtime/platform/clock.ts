/**
 * Clock and timers: the only place sluice reads time or schedules callbacks. A simulator can replace
 * `platform.clock` with a virtual clock; engine code never calls Date.now/setTimeout directly.
 */
export interface Clock {
  /** Wall-clock epoch milliseconds (processing time). */
  nowMs(): number;
  /** Monotonic high-resolution milliseconds, for durations and latency. */
  monotonicMs(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  setInterval(fn: () => void, periodMs: number): TimerHandle;
  clear(handle: TimerHandle): void;
  /** Runs `fn` after pending I/O, like setImmediate (used by mailbox turns to yield). */
  setImmediate(fn: () => void): void;
}

export interface TimerHandle {
  unref?(): void;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
  setTimeout: (fn, delayMs) => setTimeout(fn, Math.max(0, delayMs)),
  setInterval: (fn, periodMs) => setInterval(fn, Math.max(1, periodMs)),
  clear: (h) => {
    clearTimeout(h as NodeJS.Timeout);
  },
  setImmediate: (fn) => {
    setImmediate(fn);
  },
};

/** Resolves after `ms`; for retry back-off and tests' polling, never as synchronisation. */
export function delay(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}
