/**
 * Scoring benchmarks: the cluster scoring pipeline at full
 * and at half load, with batch size 1, on 1 worker; a hand-written per-record Node loop; and two ceilings
 * (onnxruntime in a tight batched loop, and a no-engine loop generate → features → Arrow batch → score).
 * Every function returns measured numbers; run.ts turns them into table rows and ratios.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { FeatureBatchBuilder } from '../operators/ml/arrow-batch.js';
import { descriptorFromBytes } from '../operators/ml/descriptor.js';
import { buildMlpModel } from '../operators/ml/model-builders/onnx-builders.js';
import { OnnxModel } from '../operators/ml/onnx-model.js';
import { runOnCluster } from './cluster-run.js';
import { mlpFeatures, type BenchRecord } from './scoring-records.js';

export interface ScoringRun {
  recordsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  count: number;
  workerRssMb: number[];
}

const mlpBytes = () => buildMlpModel({ layers: [16, 64, 64, 1], seed: 1 });

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : NaN;
}

/** The scoring job on a mini cluster; throughput from the sinks' first to last record. */
export async function clusterScoring(o: {
  records: number;
  ratePerSecond: number;
  batch: number;
  workers: number;
  parallelism: number;
  keys?: number;
  mode?: 'keyed' | 'broadcast';
}): Promise<ScoringRun> {
  const out = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  try {
    const run = await runOnCluster({
      job: 'bench/jobs/scoring-job.ts',
      args: [
        out,
        String(o.records),
        String(o.ratePerSecond),
        String(o.batch),
        String(o.keys ?? 64),
        o.mode ?? 'keyed',
        String(o.parallelism),
      ],
      workers: o.workers,
      slotsPerWorker: 2,
      parallelism: o.parallelism,
    });
    if (run.status !== 'FINISHED') throw new Error(`benchmark job ended ${run.status}`);
    const parts = readdirSync(out)
      .filter((f) => f.startsWith('latency-'))
      .map(
        (f) =>
          JSON.parse(readFileSync(join(out, f), 'utf8')) as {
            count: number;
            firstMs: number;
            lastMs: number;
            samples: number[];
          },
      );
    const count = parts.reduce((n, p) => n + p.count, 0);
    if (count !== o.records) throw new Error(`benchmark lost records: ${count} of ${o.records}`);
    const spanMs = Math.max(...parts.map((p) => p.lastMs)) - Math.min(...parts.map((p) => p.firstMs));
    const samples = parts.flatMap((p) => p.samples).sort((a, b) => a - b);
    return {
      recordsPerSecond: (count * 1000) / spanMs,
      p50Ms: quantile(samples, 0.5),
      p99Ms: quantile(samples, 0.99),
      p999Ms: quantile(samples, 0.999),
      maxMs: samples.length ? samples[samples.length - 1]! : NaN,
      count,
      workerRssMb: run.workerRssMb,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** What a Node user writes without sluice: score each record with onnxruntime as it arrives. */
export async function perRecordLoop(records: number): Promise<number> {
  const session = await ort.InferenceSession.create(mlpBytes());
  const f = new Float32Array(16);
  const tensor = new ort.Tensor('float32', f, [1, 16]);
  let sum = 0;
  const t0 = performance.now();
  for (let i = 0; i < records; i++) {
    mlpFeatures({ id: i, key: i % 8, createdMs: 0 }, f, 0);
    const r = await session.run({ features: tensor });
    sum += (r.score!.data as Float32Array)[0]!;
  }
  const s = (performance.now() - t0) / 1000;
  await session.release();
  if (!Number.isFinite(sum)) throw new Error('non-finite scores');
  return records / s;
}

/** Ceiling 1: onnxruntime alone, batches of 1024 precomputed rows in a tight loop. */
export async function ortTightLoop(records: number): Promise<number> {
  const session = await ort.InferenceSession.create(mlpBytes());
  const rows = 1024;
  const f = new Float32Array(rows * 16);
  for (let i = 0; i < rows; i++) mlpFeatures({ id: i, key: 0, createdMs: 0 }, f, i * 16);
  const tensor = new ort.Tensor('float32', f, [rows, 16]);
  const t0 = performance.now();
  let done = 0;
  while (done < records) {
    await session.run({ features: tensor });
    done += rows;
  }
  const s = (performance.now() - t0) / 1000;
  await session.release();
  return done / s;
}

/** Ceiling 2: one thread, no engine: generate → features → Arrow batch → score → count. */
export async function noEngineLoop(records: number): Promise<number> {
  const d = descriptorFromBytes(
    {
      name: 'mlp',
      version: '1',
      description: '',
      dataType: 'f16',
      modelType: 'ONNX',
      inputSchema: [{ name: 'features', shape: [-1, 16] }],
      outputSchema: [{ name: 'score', shape: [-1, 1] }],
    },
    mlpBytes(),
  );
  const model = await OnnxModel.load(d);
  const builder = new FeatureBatchBuilder<BenchRecord>(16, 1024, mlpFeatures);
  let scored = 0;
  const t0 = performance.now();
  for (let i = 0; i < records; i++) {
    builder.append({ id: i, key: i % 8, createdMs: 0 }, String(i % 8), i);
    if (builder.full || i === records - 1) {
      const batch = builder.build();
      const out = await model.scoreBatch(builder.values, batch.numRows, 16);
      scored += out.length;
      builder.reset();
    }
  }
  const s = (performance.now() - t0) / 1000;
  await model.dispose();
  return scored / s;
}
