// Taxi trip duration with continuous retraining (seed 000), end to end in one dataflow:
//   trip events (requests at pickup, completions at dropoff; event time) → Arrow-batched ONNX serving with the
//   event-time model switch → predictions tagged with their model version → interval join with the
//   completions → windowed MAE per model version.
//   Labelled trips → retrainer (retrainer.ts): requests the first model once enough trips are labelled, a new
//   one every `retrainEveryMs` of event time and one when traffic drifts → off-thread training (a worker
//   thread; the task keeps serving) → the trained ModelDescriptors are the model stream the serving reads.
// A model requested at event time t serves from t + 1 h (its validFrom); the training operator holds the model
// stream's watermark below that until the model is there, so a replay over the same input serves every trip
// with the same model and gives the same scores. Traffic slows down (concept drift) from `driftDay` on.
// Args: outDir [trips=12000] [eventsPerSecond=1500] [driftDay=3] [checkpointIntervalMs=1000] [initialRows=3000]
//       [retrainRows=2000] [retrainEveryMs=0 (drift only)] [Kafka flags]
// Outputs under outDir: predictions/, mae/, models-published/, no-model/ (FileSinks), models/ (model files).
// With `--kafka host:port` (jobs/kafka-mode.ts; outDir is then unused) the same dataflow uses topics: the
// generated trip events are fed into `taxi.trip-events` (JSON, key = trip id; unless --no-feed/--bounded) and,
// unless --feed-only, read back from it at most eventsPerSecond (a replay runs at the demo's pace); each
// trained model is also written to `taxi.models` (KafkaSink, AT_LEAST_ONCE: visible as soon as trained);
// predictions, mae, no-model and models-published are JSON records on `taxi.<name>` (EXACTLY_ONCE: committed
// at checkpoints, so Kafka mode needs checkpointing). --bounded reads the trip topic up to its offsets at the
// start, then ends.
// Invariants: without --kafka the graph, uids and outputs are exactly those of the file version.
import { join } from 'node:path';
import {
  DataGeneratorSource,
  FileSink,
  KafkaSink,
  MODEL_STATUS_TAG,
  ModelServing,
  ModelTraining,
  NO_MODEL_TAG,
  SluiceError,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
  jobArgs,
  modelTopicSerializer,
  type AggregateFunction,
  type DataStream,
  type ModelTopicMessage,
  type Scored,
} from 'sluice';
import { defineTrainer, encodeDescriptorJson } from 'sluice/ml';
import { publishModel } from 'sluice/sources';
import { jsonTopicSource, parseJobArgs, topicName, topicSink } from '../kafka-mode.js';
import {
  DEFAULT_START_MS,
  featureWidth,
  generateTrips,
  labelTrip,
  tripEvents,
  writeFeatures,
  type TripCompleted,
  type TripEvent,
  type TripRequest,
} from './index.js';
import { PacedSource } from './paced-source.js';
import { MaePerVersion } from './mae-per-version.js';
import { Retrainer, taxiTrainer, type Published, type WindowMae } from './retrainer.js';

const { positional, kafka } = parseJobArgs(jobArgs(), 'taxi');
const [
  outDir = 'out/taxi',
  tripCount = '12000',
  rate = '1500',
  driftDay = '3',
  intervalMs = '1000',
  initialRows = '3000',
  retrainRows = '2000',
  retrainEveryMs = '0',
] = positional;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MAE_WINDOW_MS = 6 * HOUR_MS;
const MAX_TRIP_MS = 6 * HOUR_MS;
const modelsDir = join(outDir, 'models');
/** The trainer, run in a worker thread that evaluates this module (defined before env.execute()). */
const TRAINER = defineTrainer('taxi-wide-deep', import.meta.url, taxiTrainer);

const byEventTime = () => WatermarkStrategy.forMonotonousTimestamps<TripEvent>().withTimestampAssigner((e) => e.atMs);
const generated = (strategy: ReturnType<typeof byEventTime> | undefined) => {
  const trips = generateTrips(Number(tripCount), {
    seed: 7,
    drift: { slowdown: 1.7, fromMs: DEFAULT_START_MS + Number(driftDay) * DAY_MS },
  });
  const events = tripEvents(trips);
  return env
    .fromSource(
      new DataGeneratorSource<TripEvent>((i) => events[i]!, events.length, { recordsPerSecond: Number(rate) }),
      strategy,
      'trip events',
    )
    .setParallelism(1)
    .uid('trip-events');
};

const env = StreamExecutionEnvironment.getExecutionEnvironment();
if (Number(intervalMs) > 0) env.enableCheckpointing(Number(intervalMs));
else if (kafka)
  throw new SluiceError(
    'KAFKA_CONFIG',
    'taxi --kafka needs checkpointing (checkpointIntervalMs > 0): its topic outputs are committed at checkpoints',
  );

// Kafka feed: the generated events as they are, without event-time timestamps (record timestamps = write time;
// the reader assigns event time from the events themselves). One writer, so every partition is in event-time
// order (the reader's watermarks are monotonous per partition).
if (kafka?.feed)
  generated(undefined)
    .sinkTo(topicSink<TripEvent>(kafka, 'trip-events', { key: tripIdOf }))
    .setParallelism(1)
    .uid('trip-events-feed');
if (!kafka || kafka.process) buildProcessing();
await env.execute(kafka && !kafka.process ? 'taxi trip duration: feed trip events' : 'taxi trip duration');

function tripIdOf(e: TripEvent): string {
  return e.kind === 'request' ? e.request.tripId : e.completed.tripId;
}

function buildProcessing(): void {
  const source = kafka
    ? env
        .fromSource(
          new PacedSource(jsonTopicSource<TripEvent>(kafka, 'trip-events'), Number(rate)),
          byEventTime(),
          'trip events',
        )
        .setParallelism(1)
        .uid('trip-events-topic')
    : generated(byEventTime());
  const requests = source
    .filter((e) => e.kind === 'request')
    .map((e) => (e as Extract<TripEvent, { kind: 'request' }>).request);
  const completions = source
    .filter((e) => e.kind === 'completed')
    .map((e) => (e as Extract<TripEvent, { kind: 'completed' }>).completed);
  // Training data: every request labelled with its outcome, whether or not a model served it.
  const labelled = requests
    .keyBy((r) => r.tripId)
    .intervalJoin(completions.keyBy((c) => c.tripId))
    .between(0, MAX_TRIP_MS)
    .process((r, c, _ctx, out) => out.collect(labelTrip(r, c)))
    .uid('label-trips');
  const trainingRequests = labelled
    .keyBy(() => 0)
    .process(
      new Retrainer({
        initialRows: Number(initialRows),
        retrainRows: Number(retrainRows),
        everyMs: Number(retrainEveryMs),
        epochs: 6,
      }),
    )
    .uid('retrainer')
    .setParallelism(1);
  // The model stream: trained off the task's thread; failures are status records (the old model serves on).
  const models = ModelTraining.offThread(trainingRequests, TRAINER).uid('training').setParallelism(1);
  models
    .getSideOutput(MODEL_STATUS_TAG)
    .map((s) => `model ${s.version} ${s.status}: ${s.code ?? ''} ${s.reason ?? ''}`)
    .print()
    .setParallelism(1);

  // Serving: every subtask gets every model; a trip is scored by the model valid at its pickup time (event-time
  // switch), trips before the first model go to the no-model side output.
  const predictions = ModelServing.broadcast<TripRequest>(requests, models, {
    width: featureWidth,
    extract: writeFeatures,
    policy: 'event-time',
    noModel: 'side-output',
    maxBatchSize: 256,
    lingerMs: 20,
  }).uid('serving');
  output(
    predictions.getSideOutput(NO_MODEL_TAG) as DataStream<TripRequest>,
    'no-model',
    (r) => r.tripId,
    (r) => ({ tripId: r.tripId, pickupMs: r.pickupMs }),
    (r) => r.tripId,
  );

  // Predictions meet the actual durations when the trips complete.
  type Judged = { tripId: string; version: string; predictedSec: number; actualSec: number; pickupMs: number };
  const judged = predictions
    .keyBy((p: Scored<TripRequest>) => p.record.tripId)
    .intervalJoin(completions.keyBy((c: TripCompleted) => c.tripId))
    .between(0, MAX_TRIP_MS)
    .process<Judged>((p, c, _ctx, out) =>
      out.collect({
        tripId: p.record.tripId,
        version: p.version,
        predictedSec: p.prediction,
        actualSec: c.durationSec,
        pickupMs: p.record.pickupMs,
      }),
    )
    .uid('judge');
  output(
    judged,
    'predictions',
    (j) => `${j.tripId},${j.pickupMs},${j.version},${j.predictedSec.toFixed(1)},${j.actualSec}`,
    (j) => ({ ...j, predictedSec: Number(j.predictedSec.toFixed(1)) }),
    (j) => j.tripId,
  );

  const absError: AggregateFunction<Judged, [number, number], [number, number]> = {
    createAccumulator: () => [0, 0],
    add: (j, [n, sum]) => [n + 1, sum + Math.abs(j.predictedSec - j.actualSec)],
    getResult: (acc) => acc,
    merge: (a, b) => [a[0] + b[0], a[1] + b[1]],
  };
  const mae = judged
    .keyBy((j) => j.version)
    .window(TumblingEventTimeWindows.of(MAE_WINDOW_MS))
    .aggregate<[number, number], [number, number], WindowMae>(absError, new MaePerVersion())
    .uid('mae-per-version');
  output(
    mae,
    'mae',
    (m) => `${new Date(m.windowStartMs).toISOString()},${m.version},${m.count},${m.maeSec.toFixed(1)}`,
    (m) => ({ ...m, windowStart: new Date(m.windowStartMs).toISOString(), maeSec: Number(m.maeSec.toFixed(1)) }),
    (m) => m.version,
  );
  mae
    .map(
      (m) =>
        `MAE ${new Date(m.windowStartMs).toISOString().slice(0, 16)} ${m.version}: ${m.maeSec.toFixed(0)} s over ${m.count} trips`,
    )
    .print()
    .setParallelism(1);

  const published = models
    .map((d): Published => {
      if (!kafka) publishModel(modelsDir, d, `model-${d.version.slice(1).padStart(4, '0')}`, encodeDescriptorJson);
      return {
        version: d.version,
        trainRows: d.training!.metrics.trainRows!,
        heldOutMaeSec: Math.round(d.training!.metrics.maeSec!),
        reason: d.training!.reason ?? '',
        dataToMs: d.training!.dataWindow.toMs,
      };
    })
    .uid('models-published')
    .setParallelism(1);
  output(
    published,
    'models-published',
    (p) => `${p.version},${p.trainRows},${p.heldOutMaeSec},${p.dataToMs},${p.reason}`,
    (p) => p,
    (p) => p.version,
  );
  if (kafka) {
    // Each trained version into the model topic too, for other consumers (this job serves them in-graph).
    // AT_LEAST_ONCE: a version is visible as soon as it is trained; a replay can only repeat an identical one.
    const sink = KafkaSink.builder<ModelTopicMessage>()
      .setBootstrapServers(kafka.bootstrap)
      .setRecordSerializer(modelTopicSerializer(topicName(kafka, 'models')))
      .setDeliveryGuarantee('AT_LEAST_ONCE')
      .build();
    models
      .map((descriptor): ModelTopicMessage => ({ descriptor }))
      .sinkTo(sink)
      .setParallelism(1)
      .uid('models-topic-sink');
  }
  published
    .map((p) => `model ${p.version} published (${p.reason}; ${p.trainRows} trips, held-out MAE ${p.heldOutMaeSec} s)`)
    .print()
    .setParallelism(1);
}

/** A result stream into a FileSink of CSV lines under outDir/<name> (file mode) or JSON records on topic <prefix>.<name>. */
function output<T, R>(
  stream: DataStream<T>,
  name: string,
  line: (v: T) => string,
  record: (v: T) => R,
  key: (r: R) => string,
): void {
  if (kafka)
    stream
      .map(record)
      .sinkTo(topicSink<R>(kafka, name, { key }))
      .uid(`${name}-topic`);
  else
    stream
      .map(line)
      .sinkTo(new FileSink<string>(join(outDir, name), { encode: (l) => l }))
      .uid(name === 'models-published' ? 'published-sink' : `${name}-sink`);
}
