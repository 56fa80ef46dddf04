/**
 * `npm run bench -- --external`: scoring through an external model server with AsyncDataStream, against the
 * Open Inference Protocol stand-in (stand-ins/kserve-v2-server.ts) answering each request after a fixed
 * delay (5 ms by default). Four rows per run — one record per request vs batched requests, ordered vs
 * unordered waits — each with throughput and the p50/p99 latency from the record's creation (in the source)
 * to the sink, on the local executor (one process, parallelism 1), so the engine's async path and the
 * server's latency are what is measured.
 */
import { AsyncDataStream, StreamExecutionEnvironment, type Sink } from '../runtime/exports/index.js';
import { ExternalModelFunction } from '../runtime/exports/ml.js';
import { platform } from '../runtime/platform/index.js';
import type { BenchResult } from './harness.js';
import { startV2Server } from './stand-ins/kserve-v2-server.js';

const WIDTH = 4;
interface Rec {
  id: number;
  createdMs: number;
}

export async function externalServingBench(records: number, serverDelayMs = 5, capacity = 256): Promise<BenchResult[]> {
  const server = await startV2Server('bench-linear', [0.5, -0.25, 1, 2], 0.1);
  server.delayMs = serverDelayMs;
  const out: BenchResult[] = [];
  try {
    for (const batch of [1, 64])
      for (const ordered of [true, false]) {
        const before = server.requests;
        const r = await run(server.url, records, batch, ordered, capacity);
        const label = `external serving (KServe v2 stand-in, ${serverDelayMs} ms per request), batch ${batch}, ${ordered ? 'orderedWait' : 'unorderedWait'}, capacity ${capacity}`;
        const perRequest = records / Math.max(1, server.requests - before);
        out.push({
          name: `${label} (${records.toLocaleString('en-US')} records, ${perRequest.toFixed(1)} records/request)`,
          value: r.recordsPerSecond,
          unit: 'records/s',
        });
        out.push({ name: `${label}: latency p50`, value: r.p50Ms, unit: 'ms' });
        out.push({ name: `${label}: latency p99`, value: r.p99Ms, unit: 'ms' });
      }
  } finally {
    await server.close();
  }
  return out;
}

async function run(
  baseUrl: string,
  records: number,
  batch: number,
  ordered: boolean,
  capacity: number,
): Promise<{ recordsPerSecond: number; p50Ms: number; p99Ms: number }> {
  const latencies = new Float64Array(records);
  let seen = 0;
  const sink: Sink<{ record: Rec }> = {
    createWriter: () => ({
      write: (s) => {
        latencies[seen++] = platform.clock.monotonicMs() - s.record.createdMs;
      },
    }),
  };
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const fn = new ExternalModelFunction<Rec>({
    baseUrl,
    model: 'bench-linear',
    width: WIDTH,
    extract: (r, o, off) => {
      for (let i = 0; i < WIDTH; i++) o[off + i] = (r.id % 97) * 0.01 + i;
    },
    maxBatchSize: batch,
    lingerMs: batch === 1 ? 0 : 2,
    timeoutMs: 10_000,
  });
  const input = env
    .fromSequence(0, records - 1)
    .map((id: number): Rec => ({ id, createdMs: platform.clock.monotonicMs() }));
  const scored = ordered
    ? AsyncDataStream.orderedWait(input, fn, 30_000, capacity)
    : AsyncDataStream.unorderedWait(input, fn, 30_000, capacity);
  scored
    .uid('external-model')
    .sinkTo(sink as never)
    .uid('sink');
  const t0 = platform.clock.monotonicMs();
  await env.execute('bench external serving');
  const s = (platform.clock.monotonicMs() - t0) / 1000;
  if (seen !== records) throw new Error(`external serving benchmark lost records: ${seen} of ${records}`);
  const sorted = latencies.sort();
  return {
    recordsPerSecond: records / s,
    p50Ms: sorted[Math.floor(records * 0.5)]!,
    p99Ms: sorted[Math.min(records - 1, Math.floor(records * 0.99))]!,
  };
}
