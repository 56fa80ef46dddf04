// In-process model of benchmark 5 on one subtask, without a cluster: a keyed count (ValueState<number>) over
// N keys of the subtask's key groups, updated in turns of 500 records (one event-loop turn each, as the
// mailbox), and — in the second run — a checkpoint every second, frozen and built by completeSnapshots with
// the task's slices (2 ms of work, 4 ms pause) and encoded as the task worker does. Reports records per
// second of wall time and of CPU time for both runs and their ratio; on a loaded machine read the CPU ones.
// Usage: npx tsx bench/heap-checkpoint-micro.ts [keys=500000] [seconds=8] [both|off|on]
import { PerformanceObserver } from 'node:perf_hooks';
import { ValueStateDescriptor } from '../runtime/api/state.js';
import { systemClock } from '../runtime/platform/clock.js';
import { createKeyedStateBackend } from '../runtime/state/heap-keyed-state-backend.js';
import { encodeKeyGroup } from '../runtime/state/key-group-codec.js';
import { completeSnapshots } from '../runtime/task/async-snapshot.js';
import { assignToKeyGroup } from '../runtime/keygroups/index.js';

const K = Number(process.argv[2] ?? 500_000);
const seconds = Number(process.argv[3] ?? 8);
const mode = process.argv[4] ?? 'both';
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function run(intervalMs: number) {
  const be = createKeyedStateBackend<number>({ maxParallelism: 128, keyGroupRange: { start: 0, end: 63 } });
  const st = be.getState(new ValueStateDescriptor<number>('c', 0));
  const own: number[] = [];
  for (let k = 0; own.length < K; k++) if (assignToKeyGroup(k, 128) < 64) own.push(k);
  let i = 0;
  const turn = () => {
    for (let j = 0; j < 500; j++) {
      be.setCurrentKey(own[i++ % K]!);
      st.update((st.value() ?? 0) + 1);
    }
  };
  while (i < K) turn();
  i = 0;
  let asyncMs = 0;
  let checkpoints = 0;
  let building = false;
  const start = performance.now();
  const cpu0 = cpuMs();
  let nextCheckpoint = start + intervalMs;
  let turnsCpuMs = 0;
  const gc0 = gcMs;
  while (performance.now() - start < seconds * 1000) {
    const c0 = cpuMs();
    turn();
    turnsCpuMs += cpuMs() - c0;
    if (intervalMs > 0 && !building && performance.now() >= nextCheckpoint) {
      nextCheckpoint += intervalMs;
      building = true;
      const t0 = performance.now();
      const pending = [{ uid: 'count', keyed: be.freezeSnapshot() }];
      void completeSnapshots(pending, { clock: systemClock, sliceMs: 2, pauseMs: 4, encodeKeyGroup }).then(() => {
        asyncMs += performance.now() - t0;
        checkpoints++;
        building = false;
      });
    }
    await new Promise<void>((r) => setImmediate(r));
  }
  const wallS = (performance.now() - start) / 1000;
  const cpuS = (cpuMs() - cpu0) / 1000;
  return {
    rate: i / wallS,
    cpuRate: i / cpuS,
    asyncMs: checkpoints ? asyncMs / checkpoints : 0,
    checkpoints,
    nsPerRecord: (turnsCpuMs * 1e6) / i,
    otherCpuMs: cpuS * 1000 - turnsCpuMs,
    gcMs: gcMs - gc0,
  };
}

const none = {
  rate: Number.NaN,
  cpuRate: Number.NaN,
  asyncMs: 0,
  checkpoints: 0,
  nsPerRecord: Number.NaN,
  otherCpuMs: 0,
  gcMs: 0,
};
const off = mode === 'on' ? none : await run(0);
const on = mode === 'off' ? none : await run(1000);
const k = (x: number) => `${Math.round(x / 1000)}k`;
console.log(
  `processing: ${off.nsPerRecord.toFixed(0)} ns/record off, ${on.nsPerRecord.toFixed(0)} on (copy-on-write); CPU outside processing: ${off.otherCpuMs.toFixed(0)} ms off, ${on.otherCpuMs.toFixed(0)} ms on (${((on.otherCpuMs - off.otherCpuMs) / Math.max(1, on.checkpoints)).toFixed(0)} ms more per checkpoint); garbage collection ${off.gcMs.toFixed(0)} ms off, ${on.gcMs.toFixed(0)} ms on`,
);
console.log(
  `off: ${k(off.rate)} records/s (${k(off.cpuRate)} per CPU-s); on: ${k(on.rate)} records/s (${k(on.cpuRate)} per CPU-s), ${on.checkpoints} checkpoints, asynchronous part ${on.asyncMs.toFixed(0)} ms wall; ratio ${(on.rate / off.rate).toFixed(2)} (CPU ${(on.cpuRate / off.cpuRate).toFixed(2)})`,
);
