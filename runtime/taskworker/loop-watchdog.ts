/**
 * Event-loop watchdog for a task worker: the main thread stamps the time into shared memory every
 * `checkEveryMs`; a worker thread (which keeps running while the main thread spins) ends the whole process
 * with SIGKILL when the stamp is older than `blockedLimitMs`. A task stuck in `for (;;)` stops heartbeats,
 * so the job manager declares the worker lost and redeploys; without the watchdog the frozen process would
 * spin at 100 % CPU forever and ignore SIGTERM (its signal handlers run on the blocked loop).
 *
 * Invariants: the watchdog thread never holds the process open (unref); it kills only its own process.
 */
import { Worker } from 'node:worker_threads';

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const stamp = new Float64Array(workerData.shared);
setInterval(() => {
  const blockedMs = Date.now() - stamp[0];
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
  const shared = new SharedArrayBuffer(8);
  const stamp = new Float64Array(shared);
  stamp[0] = Date.now();
  const beat = setInterval(() => {
    stamp[0] = Date.now();
  }, checkEveryMs);
  beat.unref();
  const thread = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { shared, blockedLimitMs: o.blockedLimitMs, checkEveryMs },
  });
  thread.unref();
  return {
    stop() {
      clearInterval(beat);
      void thread.terminate();
    },
  };
}
