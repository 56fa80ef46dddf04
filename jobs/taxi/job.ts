// Taxi trip duration with continuous retraining (seed 000), end to end in one dataflow:
//   trip events (requests at pickup, completions at dropoff; event time) → Arrow-batched ONNX serving of the
//   wide & deep model from the model stream → predictions tagged with their model version
//   → interval join with the completions → windowed MAE per model version
//   → retrainer: trains the first model once enough trips are labelled, retrains when MAE drifts, and
//     publishes each new version into the model directory — which is the model stream the serving reads.
// Traffic slows down (concept drift) from `driftDay` on, so MAE rises until the retrained model serves.
// Args: outDir [trips=12000] [eventsPerSecond=1500] [driftDay=3] [checkpointIntervalMs=1000]
// Outputs under outDir: predictions/, mae/, models-published/, no-model/ (FileSinks), models/ (model files).
import { join } from 'node:path';
import {
  DataGeneratorSource,
  FileSink,
  ModelServing,
  NO_MODEL_TAG,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  jobArgs,
  type AggregateFunction,
  type Scored,
} from 'sluice';
import { ModelDirectorySource } from '../../operators/sources/model-directory-source.js';
import { DEFAULT_START_MS, featureWidth, generateTrips, labelTrip, tripEvents, writeFeatures, type TripCompleted, type TripEvent, type TripRequest } from './index.js';
import { Retrainer, type WindowMae } from './retrainer.js';

const [outDir = 'out/taxi', tripCount = '12000', rate = '1500', driftDay = '3', intervalMs = '1000'] = jobArgs();
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MAE_WINDOW_MS = 6 * HOUR_MS;
const MAX_TRIP_MS = 6 * HOUR_MS;
const modelsDir = join(outDir, 'models');

const trips = generateTrips(Number(tripCount), { seed: 7, drift: { slowdown: 1.7, fromMs: DEFAULT_START_MS + Number(driftDay) * DAY_MS } });
const events = tripEvents(trips);

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (Number(intervalMs) > 0) env.enableCheckpointing(Number(intervalMs));

const source = env
  .fromSource(new DataGeneratorSource<TripEvent>((i) => events[i]!, events.length, { recordsPerSecond: Number(rate) }), WatermarkStrategy.forMonotonousTimestamps<TripEvent>().withTimestampAssigner((e) => e.atMs), 'trip events')
  .setParallelism(1)
  .uid('trip-events');
const requests = source.filter((e) => e.kind === 'request').map((e) => (e as Extract<TripEvent, { kind: 'request' }>).request);
const completions = source.filter((e) => e.kind === 'completed').map((e) => (e as Extract<TripEvent, { kind: 'completed' }>).completed);
const models = env.fromSource(new ModelDirectorySource(modelsDir), undefined, 'models').setParallelism(1).uid('models');

// Serving: every subtask gets every model; trips before the first model go to the no-model side output.
const predictions = ModelServing.broadcast<TripRequest>(requests, models, { width: featureWidth, extract: writeFeatures, noModel: 'side-output', maxBatchSize: 256, lingerMs: 20 }).uid('serving');
predictions
  .getSideOutput(NO_MODEL_TAG)
  .map((r) => (r as TripRequest).tripId)
  .sinkTo(new FileSink<string>(join(outDir, 'no-model'), { encode: (l) => l }))
  .uid('no-model-sink');

// Predictions meet the actual durations when the trips complete.
type Judged = { tripId: string; version: string; predictedSec: number; actualSec: number; pickupMs: number };
const judged = predictions
  .keyBy((p: Scored<TripRequest>) => p.record.tripId)
  .intervalJoin(completions.keyBy((c: TripCompleted) => c.tripId))
  .between(0, MAX_TRIP_MS)
  .process<Judged>((p, c, _ctx, out) => out.collect({ tripId: p.record.tripId, version: p.version, predictedSec: p.prediction, actualSec: c.durationSec, pickupMs: p.record.pickupMs }))
  .uid('judge');
judged
  .map((j) => `${j.tripId},${j.pickupMs},${j.version},${j.predictedSec.toFixed(1)},${j.actualSec}`)
  .sinkTo(new FileSink<string>(join(outDir, 'predictions'), { encode: (l) => l }))
  .uid('predictions-sink');

const absError: AggregateFunction<Judged, [number, number], [number, number]> = {
  createAccumulator: () => [0, 0],
  add: (j, [n, sum]) => [n + 1, sum + Math.abs(j.predictedSec - j.actualSec)],
  getResult: (acc) => acc,
  merge: (a, b) => [a[0] + b[0], a[1] + b[1]],
};
const mae = judged
  .keyBy((j) => j.version)
  .window(TumblingEventTimeWindows.of(MAE_WINDOW_MS))
  .aggregate<[number, number], [number, number], WindowMae>(absError, (version: string, ctx, [r], out) =>
    out.collect({ version, windowStartMs: ctx.window().start, windowEndMs: ctx.window().end, count: r![0], maeSec: r![1] / r![0] } satisfies WindowMae),
  )
  .uid('mae-per-version');
mae
  .map((m) => `${new Date(m.windowStartMs).toISOString()},${m.version},${m.count},${m.maeSec.toFixed(1)}`)
  .sinkTo(new FileSink<string>(join(outDir, 'mae'), { encode: (l) => l }))
  .uid('mae-sink');
mae.map((m) => `MAE ${new Date(m.windowStartMs).toISOString().slice(0, 16)} ${m.version}: ${m.maeSec.toFixed(0)} s over ${m.count} trips`).print().setParallelism(1);

// Training data: every request labelled with its outcome, whether or not a model served it.
const labelled = requests
  .keyBy((r) => r.tripId)
  .intervalJoin(completions.keyBy((c) => c.tripId))
  .between(0, MAX_TRIP_MS)
  .process((r, c, _ctx, out) => out.collect(labelTrip(r, c)))
  .uid('label-trips');
const published = labelled
  .keyBy(() => 0)
  .connect(mae.keyBy(() => 0))
  .process(new Retrainer({ modelsDir, initialRows: 3000, retrainRows: 2000, epochs: 6, minWindowCount: 200 }))
  .uid('retrainer')
  .setParallelism(1);
published
  .map((p) => `${p.version},${p.trainRows},${p.heldOutMaeSec},${p.dataToMs},${p.reason}`)
  .sinkTo(new FileSink<string>(join(outDir, 'models-published'), { encode: (l) => l }))
  .uid('published-sink');
published.map((p) => `model ${p.version} published (${p.reason}; ${p.trainRows} trips, held-out MAE ${p.heldOutMaeSec} s)`).print().setParallelism(1);

await env.execute('taxi trip duration');
