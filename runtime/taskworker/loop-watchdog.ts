/**
 * Event-loop watchdog for a task worker: the main thread counts a beat in shared memory every
 * `checkEveryMs`; a worker thread (which keeps running while the main thread spins) ends the whole process
 * with SIGKILL when no beat arrived for more than `blockedLimitMs` of its own ticks. A task stuck in `for (;;)` stops heartbeats,
 * so the job manager declares the worker lost and redeploys; without the watchdog the frozen process would
 * spin at 100 % CPU forever and ignore SIGTERM (its signal handlers run on the blocked loop).
 *
 * Invariants: the watchdog thread never holds the process open (unref); it kills only its own process.
 */
import { platform } from '../platform/index.js';

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beats = new Int32Array(workerData.shared);
let seen = Atomics.load(beats, 0);
let blockedMs = 0;
setInterval(() => {
  const now = Atomics.load(beats, 0);
  blockedMs = now === seen ? blockedMs + workerData.checkEveryMs : 0;
  seen = now;
  if (blockedMs > workerData.blockedLimitMs) {
    writeSync(2, 'Task worker event loop blocked for ' + blockedMs + ' ms (limit ' + workerData.blockedLimitMs +
      ' ms: twice heartbeat.timeout, at least 10 s): ending the process.\\n');
    process.kill(process.pid, 'SIGKILL');
  }
}, workerData.checkEveryMs);
`;

export interface LoopWatchdog {
  stop(): void;
}

export function startLoopWatchdog(o: { blockedLimitMs: number; checkEveryMs?: number }): LoopWatchdog {
  const checkEveryMs = o.checkEveryMs ?? Math.max(50, Math.min(1000, Math.floor(o.blockedLimitMs / 4)));
  const shared = new SharedArrayBuffer(4);
  const beats = new Int32Array(shared);
  // the loop counts beats; the thread measures time by its own ticks, so neither side reads a clock
  const beat = platform.clock.setInterval(() => Atomics.add(beats, 0, 1), checkEveryMs);
  beat.unref?.();
  const thread = platform.processes.evalWorker(WATCHDOG_SOURCE, {
    shared,
    blockedLimitMs: o.blockedLimitMs,
    checkEveryMs,
  });
  thread.unref();
  return {
    stop() {
      platform.clock.clear(beat);
      void thread.terminate();
    },
  };
}
