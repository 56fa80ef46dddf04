/**
 * `--retraining`: serving latency while a model trains. One in-process dataflow (local executor, p = 1):
 * generator at a fixed rate → partition-based serving of the ONNX MLP (batch 64, linger 5 ms) → latency sink,
 * with a training branch on the same source. Three runs of the same records: no training; a taxi model
 * (TF.js, wide & deep) trained off-thread (ModelTraining.offThread) while serving; the same training awaited
 * inside the task (how the taxi job retrained before). Latency counts from each record's scheduled emission
 * time (rate-based, so time the source spends blocked counts too;
 * the rate limiter may emit a few ms early, so a median can be slightly negative), and the p99 is taken over the records
 * scheduled while the training ran (the no-training run: over the same index range).
 * This module is also what the training worker thread evaluates: its top level only defines the trainer.
 */
import { defineTrainer } from '../runtime/bundle/trainers.js';
import {
  DataGeneratorSource,
  ModelServing,
  ModelTraining,
  StreamExecutionEnvironment,
  type Sink,
  type TrainedModel,
  type TrainingRequest,
} from '../runtime/exports/index.js';
import { descriptorFromBytes } from '../operators/ml/descriptor.js';
import { buildMlpModel } from '../operators/ml/model-builders/onnx-builders.js';
import { FEATURE_SCHEMA, trainTaxiModel } from '../jobs/taxi/index.js';
import type { BenchResult } from './harness.js';
import { mlpFeatures, type BenchRecord } from './scoring-records.js';

type TrainInput = { seed: number; trips: number; epochs: number };

async function train(i: TrainInput): Promise<TrainedModel> {
  const t = await trainTaxiModel({ seed: i.seed, trips: i.trips, epochs: i.epochs, version: 'bench' });
  return { descriptor: t.onnx, metrics: { maeSec: t.metrics.maeSec }, featureSchema: [...FEATURE_SCHEMA] };
}
const TRAINER = defineTrainer('bench-taxi', import.meta.url, train);

type Mode = 'none' | 'off-thread' | 'in-task';
interface RunResult {
  p50Ms: number;
  p99Ms: number;
  trainingMs: number;
  during: number;
}

const WIDTH = 16;
const model = () =>
  descriptorFromBytes(
    {
      name: 'mlp',
      version: '1',
      description: 'bench mlp',
      dataType: 'f16',
      modelType: 'ONNX',
      inputSchema: [{ name: 'features', shape: [-1, WIDTH] }],
      outputSchema: [{ name: 'score', shape: [-1, 1] }],
    },
    buildMlpModel({ layers: [WIDTH, 64, 64, 1], seed: 1 }),
  );

async function run(mode: Mode, o: { ratePerSecond: number; records: number; trips: number }): Promise<RunResult> {
  const requestAt = Math.floor(o.ratePerSecond * 2); // after 2 s of serving
  let t0 = 0;
  let requestedMs = Number.NaN;
  let trainedMs = Number.NaN;
  const latencies: Array<[number, number]> = []; // [scheduled ms, latency ms]
  const sink: Sink<{ record: BenchRecord }> = {
    createWriter: () => ({
      write: (s) => {
        latencies.push([s.record.createdMs, performance.now() - s.record.createdMs]);
      },
    }),
  };
  const trained: Sink<unknown> = { createWriter: () => ({ write: () => void (trainedMs = performance.now()) }) };
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const data = env
    .fromSource(
      new DataGeneratorSource<BenchRecord>(
        (i) => {
          if (i === 0) t0 = performance.now();
          return { id: i, key: 0, createdMs: t0 + (i * 1000) / o.ratePerSecond };
        },
        o.records,
        { recordsPerSecond: o.ratePerSecond },
      ),
      undefined,
      'generator',
    )
    .uid('generator');
  ModelServing.broadcast<BenchRecord>(data, env.fromCollection([model()]).uid('models'), {
    width: WIDTH,
    extract: mlpFeatures,
    noModel: 'buffer',
    maxBatchSize: 64,
    lingerMs: 5,
  })
    .uid('serving')
    .sinkTo(sink)
    .uid('sink');
  const input: TrainInput = { seed: 3, trips: o.trips, epochs: 4 };
  const requests = data.filter((r) => r.id === requestAt && mode !== 'none');
  if (mode === 'off-thread')
    ModelTraining.offThread(
      requests.map((r): TrainingRequest<TrainInput> => {
        requestedMs = r.createdMs;
        return { version: 'v1', input, validFromMs: 1, window: { fromMs: 0, toMs: 0 }, reason: 'bench' };
      }),
      TRAINER,
    )
      .uid('training')
      .sinkTo(trained)
      .uid('trained');
  else if (mode === 'in-task')
    requests
      .process<unknown>({
        processElement: async (r, _ctx, out) => {
          requestedMs = r.createdMs;
          out.collect(await train(input));
        },
      })
      .uid('training')
      .sinkTo(trained)
      .uid('trained');
  await env.execute(`bench retraining (${mode})`);
  if (latencies.length !== o.records) throw new Error(`benchmark lost records: ${latencies.length} of ${o.records}`);
  const from = mode === 'none' ? t0 + (requestAt * 1000) / o.ratePerSecond : requestedMs;
  const to = mode === 'none' ? Number.POSITIVE_INFINITY : trainedMs;
  const during = latencies
    .filter(([at]) => at >= from && at <= to)
    .map(([, l]) => l)
    .sort((a, b) => a - b);
  if (during.length === 0) throw new Error(`no record was scheduled during the training (${mode})`);
  const q = (p: number) => during[Math.min(during.length - 1, Math.floor(during.length * p))]!;
  return { p50Ms: q(0.5), p99Ms: q(0.99), trainingMs: to - from, during: during.length };
}

export async function retrainingBench(o: {
  ratePerSecond: number;
  records: number;
  trips: number;
}): Promise<BenchResult[]> {
  const none = await run('none', o);
  const off = await run('off-thread', o);
  const inTask = await run('in-task', o);
  const note = (r: RunResult, training = true) =>
    `${r.during} records${training ? ` during a ${(r.trainingMs / 1000).toFixed(1)} s training` : ''}, p50 ${r.p50Ms.toFixed(1)} ms`;
  return [
    { name: 'T1. serving p99 latency, no training', value: none.p99Ms, unit: 'ms', note: note(none, false) },
    { name: 'T1. serving p99 latency, training off-thread in progress', value: off.p99Ms, unit: 'ms', note: note(off) },
    {
      name: 'T1. off-thread training / no training (p99 ratio, same run)',
      value: off.p99Ms / none.p99Ms,
      unit: '×',
    },
    {
      name: 'T1. serving p99 latency, the same training awaited in the task (before)',
      value: inTask.p99Ms,
      unit: 'ms',
      note: note(inTask),
    },
  ];
}
