// Speculative wine (seeds 002/004): a stream of wine samples (11 physico-chemical features) scored by three
// models trained here — linear (fast, rough), mlp (medium), big (slow, best) — all ONNX, all scoring every
// Arrow batch; the strategy picks each record's answer and the operator counts the wins per model.
// Args: outDir [count=10000] [recordsPerSecond=2000] [strategy=deadline+quality] [checkpointIntervalMs=1000]
//   strategy: deadline[:ms] (fallback linear), consensus, quality[:metric|confidence], joined with '+'.
// Output: <outDir>/part-* lines `id,prediction,winner`. Win counts: `GET /jobs/:id/models` while it runs, or
// `winCounts(readOutputLines(outDir))`; run in-process (`npx tsx jobs/speculative-wine/job.ts …`) it prints them at
// the end (under `sluice run` the code after execute() does not run).
// With `--kafka host:port` (jobs/kafka-mode.ts; outDir is then unused): the generated samples are fed into
// `wine.samples` (JSON, key = id) unless --no-feed/--bounded, and unless --feed-only the job reads that topic and
// writes `{id, prediction, winners}` to `wine.predictions` (key = id) and a win-count changelog
// `{model, wins}` to `wine.wins` (key = model; one record per credit, so the last record per key is the total
// and each key's counts run 1, 2, 3… without gap or repeat), all EXACTLY_ONCE.
// Invariants: without --kafka the graph and output are exactly those of the file version; models train lazily
// in the model source's task only.
import {
  DataGeneratorSource,
  FileSink,
  StreamExecutionEnvironment,
  ValueStateDescriptor,
  SpeculativeServing,
  jobArgs,
  type RuntimeContext,
  type ValueState,
} from 'sluice';
import type { ModelDescriptor } from 'sluice/ml';
import { MODEL_NAMES, buildWineModels, streamStartOf, type WineModels } from './models.js';
import { parseStrategy } from './strategy.js';
import { jsonTopicSource, parseJobArgs, topicSink } from '../kafka-mode.js';
import { formatWins, readOutputLines, winCounts } from './win-counts.js';
import { WIDTH, wine, wineFeatures, type Wine } from './wine.js';

const { positional, kafka } = parseJobArgs(jobArgs(), 'wine');
const [
  outDir = 'out/speculative-wine',
  count = '10000',
  rate = '2000',
  strategyArg = 'deadline+quality',
  intervalMs = '1000',
] = positional;
const SEED = 2;
const strategy = parseStrategy(strategyArg);

// Training is lazy: only the model source's task trains (once), not every process that evaluates this module
// to build the graph — a second of synchronous training on each worker's event loop would delay heartbeats.
let models: WineModels | undefined;
const trained = () => (models ??= buildWineModels({ seed: SEED }));
const wines = wine(SEED);
const names = [...MODEL_NAMES];

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (Number(intervalMs) > 0) env.enableCheckpointing(Number(intervalMs));

/** Running win count per model (keyed by model name): emits `{model, wins}` for every credit. */
class WinCount {
  private wins!: ValueState<number>;
  open(ctx: RuntimeContext) {
    this.wins = ctx.getState(new ValueStateDescriptor<number>('wins', 0));
  }
  processElement(model: string, _ctx: unknown, out: { collect(v: { model: string; wins: number }): void }) {
    const wins = (this.wins.value() ?? 0) + 1;
    this.wins.update(wins);
    out.collect({ model, wins });
  }
}

const generated = () =>
  env
    .fromSource(
      new DataGeneratorSource<Wine>((i) => wines(streamStartOf() + i), Number(count), {
        recordsPerSecond: Number(rate),
      }),
      undefined,
      'wines',
    )
    .setParallelism(1)
    .uid('wines');

if (kafka?.feed)
  generated()
    .sinkTo(topicSink<Wine>(kafka, 'samples', { key: (w) => String(w.id) }))
    .uid('samples-feed');

if (!kafka || kafka.process) {
  const data = kafka
    ? env.fromSource(jsonTopicSource<Wine>(kafka, 'samples'), undefined, 'wines-topic').uid('wines-topic')
    : generated();
  const modelStream = env
    .fromSource(
      new DataGeneratorSource<ModelDescriptor>((i) => trained().descriptors[i]!, names.length),
      undefined,
      'wine-models',
    )
    .setParallelism(1)
    .uid('wine-models');

  const scored = SpeculativeServing.broadcast<Wine>(data.rebalance(), modelStream, {
    strategy,
    width: WIDTH,
    extract: wineFeatures,
    models: names,
    maxBatchSize: 256,
    lingerMs: 20,
    workerPool: { size: 1, models: ['big'] },
  }).uid('speculative-serving');
  if (kafka) {
    scored
      .map((s) => ({ id: s.record.id, prediction: Number(s.prediction.toFixed(6)), winners: s.winners }))
      .sinkTo(topicSink(kafka, 'predictions', { key: (p) => String(p.id) }))
      .uid('predictions-topic');
    scored
      .flatMap((s: { winners: string[] }, out: { collect(m: string): void }) =>
        s.winners.forEach((w) => out.collect(w)),
      )
      .keyBy((m: string) => m)
      .process(new WinCount())
      .uid('win-counts')
      .sinkTo(topicSink<{ model: string; wins: number }>(kafka, 'wins', { key: (w) => w.model }))
      .uid('wins-topic');
  } else {
    scored
      .map((s) => `${s.record.id},${s.prediction.toFixed(6)},${s.winners.join('+')}`)
      .sinkTo(new FileSink<string>(outDir, { encode: (l) => l }))
      .uid('predictions-sink');
  }
}

await env.execute(kafka && !kafka.process ? 'speculative wine: feed samples' : 'speculative wine');
// Only an in-process run gets here (cluster processes and the CLI stop at execute()); in Kafka mode the outputs
// are topics, so there are no files to summarise.
if (!kafka) {
  const lines = readOutputLines(outDir);
  let correct = 0;
  for (const l of lines) {
    const [id, p] = l.split(',');
    if (Number(p) >= 0.5 === wines(Number(id)).good) correct++;
  }
  console.log(
    `strategy ${strategyArg}; held-out accuracy ${names.map((n) => `${n} ${trained().metrics[n]!.accuracy.toFixed(3)}`).join(', ')}`,
  );
  console.log(`served accuracy ${(correct / Math.max(1, lines.length)).toFixed(3)}`);
  console.log(
    `wins:\n${formatWins(
      winCounts(
        lines,
        trained().descriptors.map((d) => `${d.name}@${d.version}`),
      ),
    )}`,
  );
}
