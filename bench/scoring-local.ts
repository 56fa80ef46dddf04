/**
 * In-process scoring benchmark (the batched-vs-per-record comparison without the network): the scoring job's dataflow —
 * generator → keyBy → keyed model join → Arrow-batched ONNX MLP 16→64→64→1 → counting sink — on the local
 * executor at parallelism 1, once with batches of `batch` and once with batch size 1. Both runs are the same
 * engine and the same records; only the serving operator's batch size differs.
 */
import { DataGeneratorSource, ModelServing, StreamExecutionEnvironment, type Sink } from '../runtime/exports/index.js';
import { descriptorFromBytes } from '../operators/ml/descriptor.js';
import { buildMlpModel } from '../operators/ml/model-builders/onnx-builders.js';
import { mlpFeatures, type BenchRecord } from './scoring-records.js';

const WIDTH = 16;

export async function localScoring(o: { records: number; batch: number; keys: number }): Promise<number> {
  const models = Array.from({ length: o.keys }, (_, k) =>
    descriptorFromBytes(
      {
        name: `k${k}`,
        version: '1',
        description: 'bench mlp',
        dataType: 'f16',
        modelType: 'ONNX',
        inputSchema: [{ name: 'features', shape: [-1, WIDTH] }],
        outputSchema: [{ name: 'score', shape: [-1, 1] }],
      },
      buildMlpModel({ layers: [WIDTH, 64, 64, 1], seed: 1 + k }),
    ),
  );
  let seen = 0;
  let firstMs = 0;
  let lastMs = 0;
  const sink: Sink<unknown> = {
    createWriter: () => ({
      write: () => {
        if (seen++ === 0) firstMs = performance.now();
        lastMs = performance.now();
      },
    }),
  };
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const K = o.keys;
  const data = env
    .fromSource(
      new DataGeneratorSource<BenchRecord>((i) => ({ id: i, key: i % K, createdMs: 0 }), o.records),
      undefined,
      'generator',
    )
    .uid('generator');
  const modelStream = env
    .fromCollection(models.map((d, k) => ({ k, d })))
    .uid('models')
    .keyBy((m) => m.k)
    .map((m) => m.d)
    .keyBy((d) => Number(d.name.slice(1)));
  ModelServing.keyed<BenchRecord, number>(
    data.keyBy((r) => r.key),
    modelStream,
    {
      width: WIDTH,
      extract: mlpFeatures,
      noModel: 'buffer',
      maxBatchSize: o.batch,
      lingerMs: 5,
      maxBuffered: 10_000_000,
    },
  )
    .uid('serving')
    .sinkTo(sink)
    .uid('sink');
  await env.execute('bench local scoring');
  if (seen !== o.records) throw new Error(`benchmark lost records: ${seen} of ${o.records}`);
  return (seen * 1000) / (lastMs - firstMs);
}
