/**
 * `--rocksdb`: the keyed-count job (bench/jobs/state-job.ts) on the RocksDB state backend over many keys
 * (default 10⁷, each key written once) with the workers' peak resident memory, next to the same job on the
 * heap backend and on RocksDB at 10⁶ keys (same record count), on 2 workers at parallelism 2 without
 * checkpoints. Throughput from the sink's progress marks, as benchmark 5. Then the savepoint-based rescale
 * 2 → 3 downtime (benchmark 6's measurement) at 10⁶ keys on each backend, unthrottled, the stop once every
 * key holds state.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './harness.js';
import { runOnCluster } from './cluster-run.js';
import { rescaleDowntime } from './fault-tolerance.js';

const JOB = 'bench/jobs/state-job.ts';

function throughput(dir: string, every: number): number {
  return readdirSync(dir)
    .filter((f) => f.startsWith('progress-'))
    .map((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).map(Number))
    .reduce((sum, m) => (m.length > 1 ? sum + ((m.length - 1) * every * 1000) / (m[m.length - 1]! - m[0]!) : sum), 0);
}

async function keyedCount(backend: 'hashmap' | 'rocksdb', records: number, keys: number) {
  const out = mkdtempSync(join(tmpdir(), 'sluice-bench-rocks-out-'));
  const local = mkdtempSync(join(tmpdir(), 'sluice-bench-rocks-db-'));
  const every = Math.max(100, Math.floor(records / 400));
  try {
    const r = await runOnCluster({
      job: JOB,
      args: [out, String(records), '0', String(keys), '0', String(every)],
      workers: 2,
      parallelism: 2,
      // Default heartbeat timeout: the final state at the end of input is streamed in slices, so a task with
      // millions of keys keeps answering heartbeats while it is built.
      config: [`state.backend.type=${backend}`, `state.backend.rocksdb.localdir=${local}`],
      timeoutMs: 3_600_000,
    });
    if (r.status !== 'FINISHED') throw new Error(`keyed count on ${backend} ended ${r.status}`);
    return { recordsPerSecond: throughput(out, every), rssMb: Math.max(...r.workerRssMb) };
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(local, { recursive: true, force: true });
  }
}

export async function rocksdbStateRows(bigKeys: number, smallKeys: number, records: number): Promise<BenchResult[]> {
  const n = (x: number) => x.toExponential(0).replace('e+', 'e');
  const rows: BenchResult[] = [];
  const big = await keyedCount('rocksdb', bigKeys, bigKeys);
  rows.push({
    name: `R1. rocksdb, ${n(bigKeys)} keys (${n(bigKeys)} records, each key once), 2 workers: throughput`,
    value: big.recordsPerSecond,
    unit: 'records/s',
  });
  rows.push({
    name: `R1. rocksdb, ${n(bigKeys)} keys: peak worker RSS`,
    value: big.rssMb,
    unit: 'MB',
    target: { op: '<=', value: 1024 },
  });
  for (const backend of ['hashmap', 'rocksdb'] as const) {
    const r = await keyedCount(backend, records, smallKeys);
    rows.push({
      name: `R2. ${backend}, ${n(smallKeys)} keys (${n(records)} records), 2 workers: throughput`,
      value: r.recordsPerSecond,
      unit: 'records/s',
    });
    rows.push({ name: `R2. ${backend}, ${n(smallKeys)} keys: peak worker RSS`, value: r.rssMb, unit: 'MB' });
  }
  for (const backend of ['hashmap', 'rocksdb'] as const) {
    const local = mkdtempSync(join(tmpdir(), 'sluice-bench-rocks-db-'));
    try {
      const s = await rescaleDowntime(0, 0, {
        keys: smallKeys,
        records: Math.max(smallKeys * 2, 200_000), // the stop comes after `keys` records: output is left after it
        config: [`state.backend.type=${backend}`, `state.backend.rocksdb.localdir=${local}`],
      });
      rows.push({
        name: `R3. ${backend}, ${n(smallKeys)} keys: savepoint-based rescale 2 → 3 downtime (unthrottled)`,
        value: s,
        unit: 's',
      });
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  }
  return rows;
}
