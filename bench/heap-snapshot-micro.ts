// Micro-benchmark of the asynchronous part of a heap keyed snapshot, in-process: a backend holding N keys of
// a ValueState<number> (benchmark 5's key and value types), frozen, then every key group built and encoded as
// the task worker does (columns when the version offers them), then decoded as a restore does.
// Usage: npx tsx bench/heap-snapshot-micro.ts [keys=500000] [rounds=7]
import { ValueStateDescriptor } from '../runtime/api/state.js';
import { createKeyedStateBackend } from '../runtime/state/heap-keyed-state-backend.js';
import { decodeKeyGroups, encodeKeyGroup } from '../runtime/state/key-group-codec.js';

const keys = Number(process.argv[2] ?? 500_000);
const rounds = Number(process.argv[3] ?? 7);
const range = { start: 0, end: 127 };
const be = createKeyedStateBackend<number>({ maxParallelism: 128, keyGroupRange: range });
const st = be.getState(new ValueStateDescriptor<number>('c', 0));
for (let i = 0; i < keys; i++) {
  be.setCurrentKey(i);
  st.update((i % 97) + 1);
}
/** CPU time of this process in ms (wall time is meaningless on a loaded machine). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const build: number[] = [];
const encode: number[] = [];
const decode: number[] = [];
let bytes = 0;
for (let r = 0; r < rounds; r++) {
  const v = be.freezeSnapshot();
  const groups: Record<number, Uint8Array> = {};
  let b = 0;
  let e = 0;
  bytes = 0;
  for (let kg = range.start; kg <= range.end; kg++) {
    const t0 = cpuMs();
    const g = v.keyGroupColumns ? v.keyGroupColumns(kg) : v.keyGroup(kg);
    const t1 = cpuMs();
    if (g) {
      groups[kg] = encodeKeyGroup(g);
      bytes += groups[kg]!.length;
    }
    e += cpuMs() - t1;
    b += t1 - t0;
  }
  v.release();
  const t2 = cpuMs();
  decodeKeyGroups({ version: 1, maxParallelism: 128, keyGroupRange: range, keyGroups: groups });
  decode.push(cpuMs() - t2);
  build.push(b);
  encode.push(e);
}
const f = (x: number) => `${x.toFixed(1)} ms`;
console.log(
  `${keys} keys, median of ${rounds} (CPU time): build ${f(median(build))}, encode ${f(median(encode))}, build+encode ${f(median(build.map((b, i) => b + encode[i]!)))}; ${(bytes / 1048576).toFixed(2)} MiB; decode ${f(median(decode))}`,
);
