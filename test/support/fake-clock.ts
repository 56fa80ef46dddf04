/**
 * A manual clock for `platform.clock`: time moves only when the test calls `advance`, and due timers run
 * then, synchronously and in time order (so no I/O interleaves with them); setImmediate is not timed. `installFakeClock(t)` swaps it in and restores the system clock in teardown.
 */
import { platform, systemClock, type Clock, type TimerHandle } from '../../runtime/platform/index.js';

export interface FakeClock extends Clock {
  advance(ms: number): void;
  /** Periods of the active setInterval timers, ascending. */
  intervals(): number[];
}

export function createFakeClock(startMs = 1_700_000_000_000): FakeClock {
  let now = startMs;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void; periodMs?: number }>();
  const schedule = (fn: () => void, delayMs: number, periodMs?: number): TimerHandle => {
    const id = ++seq;
    timers.set(id, { at: now + Math.max(0, delayMs), fn, periodMs });
    return { id } as TimerHandle;
  };
  return {
    nowMs: () => now,
    monotonicMs: () => now - startMs,
    setTimeout: (fn, delayMs) => schedule(fn, delayMs),
    setInterval: (fn, periodMs) => schedule(fn, periodMs, Math.max(1, periodMs)),
    clear: (h) => void timers.delete((h as { id: number }).id),
    // "after pending I/O" is not a matter of time: it runs as it would on the system clock.
    setImmediate: (fn) => void setImmediate(fn),
    intervals: () =>
      [...timers.values()].flatMap((x) => (x.periodMs === undefined ? [] : [x.periodMs])).sort((a, b) => a - b),
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, x]) => x.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        const [id, timer] = due;
        now = timer.at;
        if (timer.periodMs === undefined) timers.delete(id);
        else timer.at += timer.periodMs;
        timer.fn();
      }
      now = until;
    },
  };
}

/** Installs a fresh fake clock; teardown puts the system clock back (also after several installs in one test). */
export function installFakeClock(t: { teardown(fn: () => void): void }, startMs?: number): FakeClock {
  const fake = createFakeClock(startMs);
  platform.clock = fake;
  t.teardown(() => {
    platform.clock = systemClock;
  });
  return fake;
}
