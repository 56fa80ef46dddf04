// Benchmark job: generator → keyBy → keyed model join → Arrow-batched ONNX
// MLP 16→64→64→1 → counting sink that samples event latency (creation → sink, epoch ms across processes)
// and writes one summary per subtask. Latency is sampled after warm-up: the first 10 % of each generator
// subtask's records wait for the models to load and the pipeline to start. Each subtask generates its own
// contiguous range of ids from the range's start, so warm-up is the head of every range, not the lowest ids.
// Args: outDir count recordsPerSecond(0 = unlimited) maxBatchSize keys [mode] [sourceParallelism]: mode `keyed`
// (default: one model per key, keyBy shuffle) or `broadcast` (partition-based serving of one model: the
// generator's subtasks feed their own serving subtasks, no shuffle); sourceParallelism the job's parallelism
// (default 1), which decides the generator's ranges.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataGeneratorSource, ModelServing, StreamExecutionEnvironment, jobArgs, type Sink } from 'sluice';
import { descriptorFromBytes } from '../../operators/ml/descriptor.js';
import { buildMlpModel } from '../../operators/ml/model-builders/onnx-builders.js';
import { mlpFeatures, type BenchRecord } from '../scoring-records.js';

const [
  outDir = 'out/bench',
  count = '1000000',
  rate = '0',
  batch = '1024',
  keys = '8',
  mode = 'keyed',
  sourceParallelism = '1',
] = jobArgs();
if (mode !== 'keyed' && mode !== 'broadcast')
  throw new Error(`scoring job: mode must be keyed or broadcast, got ${mode}`);
const WIDTH = 16;
const K = Number(keys);
// Epoch ms comparable across processes. timeOrigin is read once: its getter costs as much as the clock read,
// and the measuring must not weigh on the measured path (it runs for every generated record).
const timeOriginMs = performance.timeOrigin;
const now = () => timeOriginMs + performance.now();

const models = Array.from({ length: K }, (_, k) =>
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

const generator = new DataGeneratorSource<BenchRecord>(
  (i) => ({ id: i, key: i % K, createdMs: now() }),
  Number(count),
  Number(rate) > 0 ? { recordsPerSecond: Number(rate) } : {},
);
/** The first id after warm-up of each generator range (the ranges the source's subtasks read), ascending. */
const warmRanges = generator
  .createSplits(Number(sourceParallelism))
  .map((s) => ({ start: s.next, warmFrom: s.next + Math.floor((s.end - s.next) / 10) }));
function afterWarmup(id: number): boolean {
  for (let j = warmRanges.length - 1; j >= 0; j--) if (id >= warmRanges[j]!.start) return id >= warmRanges[j]!.warmFrom;
  return false;
}

/** Counts records and keeps every 64th latency after warm-up; writes <outDir>/latency-<subtask>-<attempt>.json at the end. */
class LatencySink implements Sink<{ record: BenchRecord }> {
  createWriter(ctx: { subtaskIndex: number; attemptNumber: number }) {
    let n = 0;
    const samples: number[] = [];
    let first = 0;
    return {
      write(s: { record: BenchRecord }) {
        if (n === 0) first = now();
        if ((n++ & 63) === 0 && afterWarmup(s.record.id)) samples.push(now() - s.record.createdMs);
      },
      flush(endOfInput: boolean) {
        if (!endOfInput) return;
        mkdirSync(outDir!, { recursive: true });
        writeFileSync(
          join(outDir!, `latency-${ctx.subtaskIndex}-${ctx.attemptNumber}.json`),
          JSON.stringify({ count: n, firstMs: first, lastMs: now(), samples }),
        );
      },
    };
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const data = env.fromSource(generator, undefined, 'generator').uid('generator');
const options = {
  width: WIDTH,
  extract: mlpFeatures,
  noModel: 'buffer' as const,
  maxBatchSize: Number(batch),
  lingerMs: 5,
  maxBuffered: 1_000_000,
};
const scored =
  mode === 'broadcast'
    ? ModelServing.broadcast<BenchRecord>(data, env.fromCollection([models[0]!]).uid('models'), options)
    : ModelServing.keyed<BenchRecord, number>(
        data.keyBy((r) => r.key),
        env
          .fromCollection(models.map((d, k) => ({ k, d })))
          .uid('models')
          .keyBy((m) => m.k)
          .map((m) => m.d)
          .keyBy((d) => Number(d.name.slice(1))),
        options,
      );
scored.uid('serving').sinkTo(new LatencySink()).uid('sink');
await env.execute('bench scoring pipeline');
