/**
 * Off-thread training as a stream operator (local execution): the task keeps processing records while a
 * deliberately slow training holds its worker thread; the model comes back on the model stream with its
 * lineage, before the watermark reaches its validFrom; failures are status records, never published.
 */
import t from 'tap';
import {
  DataGeneratorSource,
  MODEL_STATUS_TAG,
  ModelServing,
  ModelTraining,
  StreamExecutionEnvironment,
  WatermarkStrategy,
  type ModelDescriptor,
  type ModelStatusRecord,
  type Scored,
  type TrainedModel,
  type TrainingRequest,
} from '../../../runtime/exports/index.js';
import type { TrainerRef } from '../../../runtime/api/trainer-ref.js';
import { codeVersion } from '../../../runtime/config/build-info.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';

type Input = { seed: number; spinMs: number };
// The fixture next to this file's own form: the .ts source under tsx, the compiled .js in the unit tier's
// build (dist/unit), whose worker threads then need no TypeScript loader (a tsx per thread cost seconds).
const moduleUrl = new URL(
  `../../fixtures/job-with-trainers.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`,
  import.meta.url,
).href;
const trainer = (name: string): TrainerRef<Input, TrainedModel> => ({ name, moduleUrl, args: [] });
type Rec = { id: number; ts: number };

function records(env: StreamExecutionEnvironment, n: number, perSecond: number) {
  return env.fromSource(
    new DataGeneratorSource<Rec>((i) => ({ id: i, ts: i * 10 }), n, { recordsPerSecond: perSecond }),
    WatermarkStrategy.forMonotonousTimestamps<Rec>().withTimestampAssigner((r) => r.ts),
    'records',
  );
}
const request = (version: string, validFromMs: number, input: Input): TrainingRequest<Input> => ({
  version,
  input,
  validFromMs,
  window: { fromMs: 0, toMs: validFromMs - 1 },
  reason: 'test',
});

type Seen =
  | { kind: 'record'; id: number; atMs: number }
  | { kind: 'model'; atMs: number; watermark: number; model: ModelDescriptor }
  | { kind: 'status'; status: ModelStatusRecord };

t.test('the task keeps processing records while a slow training runs; the model comes back with lineage', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const recs = records(env, 600, 200);
  const processed = recs.map((r): Seen => ({ kind: 'record', id: r.id, atMs: performance.now() }));
  const requests = recs.filter((r) => r.id === 0).map(() => request('v7', 5000, { seed: 7, spinMs: 1500 }));
  const models = ModelTraining.offThread(requests, trainer('slow-mlp')).uid('training');
  const arrived = models.process<Seen>({
    processElement: (model, ctx, out) =>
      out.collect({ kind: 'model', atMs: performance.now(), watermark: ctx.timerService().currentWatermark(), model }),
  });
  const seen = (await processed.union(arrived).executeAndCollect()) as Seen[];
  const model = seen.find((s) => s.kind === 'model') as Extract<Seen, { kind: 'model' }> | undefined;
  if (!model) return t.fail('no model came back');
  const first = seen.find((s) => s.kind === 'record' && s.id === 0) as Extract<Seen, { kind: 'record' }>;
  const during = seen.filter((s) => s.kind === 'record' && s.atMs > first.atMs && s.atMs < model.atMs).length;
  t.ok(during >= 100, `${during} records processed between the request and the trained model (≥ 1.5 s training)`);
  t.equal(seen.filter((s) => s.kind === 'record').length, 600);
  t.ok(model.watermark < 5000, `the model arrived at watermark ${model.watermark}, before its validFrom 5000`);
  const m = model.model;
  t.equal(m.version, 'v7');
  t.equal(m.validFrom, 5000);
  t.equal(m.sha256, mlpDescriptor('x', 7).sha256, 'the trainer’s model (seed 7) itself');
  t.same(m.training, {
    trainedAt: 4999,
    dataWindow: { fromMs: 0, toMs: 4999 },
    metrics: { seed: 7, loss: 1 / 7 },
    featureSchema: Array.from({ length: MLP_WIDTH }, (_, i) => `x${i}`),
    codeVersion: codeVersion(),
    reason: 'test',
  });
});

t.test('a failing training and a request for a time already passed are status records, never models', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const recs = records(env, 400, 400);
  const requests = recs
    .filter((r) => r.id === 0 || r.id === 300)
    .map((r) => (r.id === 0 ? request('v1', 2000, { seed: 1, spinMs: 0 }) : request('v2', 10, { seed: 2, spinMs: 0 })));
  const fails = ModelTraining.offThread(requests, trainer('fails')).uid('training');
  const out = fails
    .map((model): Seen => ({ kind: 'model', atMs: 0, watermark: 0, model }))
    .union(fails.getSideOutput(MODEL_STATUS_TAG).map((status): Seen => ({ kind: 'status', status })));
  const seen = (await out.executeAndCollect()) as Seen[];
  t.equal(seen.filter((s) => s.kind === 'model').length, 0, 'nothing published');
  const statuses = seen.map((s) => (s as Extract<Seen, { kind: 'status' }>).status);
  t.same(
    statuses.map((s) => [s.status, s.code, s.version, s.name]),
    [
      ['rejected', 'TRAINING_FAILED', 'v1', 'fails'],
      ['rejected', 'TRAINING_FAILED', 'v2', 'fails'],
    ],
  );
  t.match(statuses[0]!.reason, /training v1 \(test\) failed: .*no convergence/);
  t.match(statuses[1]!.reason, /validFrom 10 is not after the watermark/);
});

t.test('finish emits a training that settled before it, without waiting for another settlement', async (t) => {
  const { OffThreadTrainingOperator } = await import('../../../operators/ml/training-operator.js');
  const op = new OffThreadTrainingOperator<Input>(trainer('slow-mlp'));
  const emitted: string[] = [];
  op.setup({
    output: {
      collect: (r: { value: ModelDescriptor }) => void emitted.push(`model ${r.value.version}`),
      emitWatermark: (w: number) => void emitted.push(`watermark ${w}`),
      collectSide: () => void emitted.push('status'),
    },
    // the drain mail a settled training schedules never runs here: finish must not depend on it
    processingTimeService: { currentProcessingTime: () => 0, registerTimer: () => {} },
  } as never);
  let settle!: () => void;
  const trained = new Promise<TrainedModel>((resolve) => {
    settle = () => resolve({ descriptor: mlpDescriptor('m', 3), metrics: {}, featureSchema: [] });
  });
  // the worker thread stands in: this test is about the operator's own ordering
  (op as unknown as { worker: unknown }).worker = { run: () => trained, close: async () => {} };
  await op.processElement({ kind: 0, value: request('v3', 100, { seed: 3, spinMs: 0 }), timestamp: 0 } as never);
  op.processWatermark(Number.MAX_SAFE_INTEGER);
  t.same(emitted, ['watermark 99'], 'held below the pending model');
  settle();
  await trained;
  await new Promise((r) => setImmediate(r)); // the settlement is recorded; its drain mail is pending
  const finished = await Promise.race([
    op.finish().then(() => 'finished'),
    new Promise((r) => setTimeout(() => r('still waiting after 2 s'), 2000)),
  ]);
  t.equal(finished, 'finished');
  t.same(emitted, ['watermark 99', 'model v3', `watermark ${Number.MAX_SAFE_INTEGER}`]);
});

t.test('a request waiting for a slot holds the watermark like a queued one', async (t) => {
  const { OffThreadTrainingOperator } = await import('../../../operators/ml/training-operator.js');
  const op = new OffThreadTrainingOperator<Input>(trainer('slow-mlp'), { maxInFlight: 1 });
  const emitted: string[] = [];
  op.setup({
    output: {
      collect: (r: { value: ModelDescriptor }) => void emitted.push(`model ${r.value.version}`),
      emitWatermark: (w: number) => void emitted.push(`watermark ${w}`),
      collectSide: (_tag: unknown, r: { value: ModelStatusRecord }) => void emitted.push(`status ${r.value.reason}`),
    },
    processingTimeService: { currentProcessingTime: () => 0, registerTimer: () => {} },
  } as never);
  const settles: Array<() => void> = [];
  (op as unknown as { worker: unknown }).worker = {
    run: (input: Input) =>
      new Promise<TrainedModel>((resolve) =>
        settles.push(() => resolve({ descriptor: mlpDescriptor('m', input.seed), metrics: {}, featureSchema: [] })),
      ),
    close: async () => {},
  };
  const rec = (version: string, validFromMs: number, seed: number) =>
    ({ kind: 0, value: request(version, validFromMs, { seed, spinMs: 0 }), timestamp: 0 }) as never;
  await op.processElement(rec('v1', 100, 1));
  const second = op.processElement(rec('v2', 200, 2)); // waits: one training at a time
  op.processWatermark(Number.MAX_SAFE_INTEGER); // the runtime hands the watermark on meanwhile
  t.same(emitted, ['watermark 99']);
  settles.shift()!();
  await second;
  t.same(emitted, ['watermark 99', 'model v1', 'watermark 199'], 'v2, still waiting, held the watermark below 200');
  settles.shift()!();
  await op.finish();
  t.same(emitted, ['watermark 99', 'model v1', 'watermark 199', 'model v2', `watermark ${Number.MAX_SAFE_INTEGER}`]);
});

t.test('a training over trainingTimeoutMs is stopped and reported; serving keeps the previous model', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(1);
  const recs = records(env, 400, 400); // event times 0 .. 3990
  const requests = recs
    .filter((r) => r.id === 0 || r.id === 50)
    .map(
      (r) =>
        r.id === 0 ? request('v1', 1000, { seed: 1, spinMs: 0 }) : request('v2', 2000, { seed: 2, spinMs: 120_000 }), // would hold its thread for two minutes
    );
  const models = ModelTraining.offThread(requests, trainer('slow-mlp'), { trainingTimeoutMs: 3_000 }).uid('training');
  const scored = ModelServing.broadcast<Rec>(recs, models, {
    width: MLP_WIDTH,
    extract: (r, out, offset) => out.fill(r.id / 400, offset, offset + MLP_WIDTH),
    policy: 'event-time',
    noModel: 'drop',
  }).uid('serving');
  type Out = { kind: 'scored'; ts: number; version: string } | { kind: 'status'; status: ModelStatusRecord };
  const out = scored
    .map((s: Scored<Rec>): Out => ({ kind: 'scored', ts: s.record.ts, version: s.version }))
    .union(models.getSideOutput(MODEL_STATUS_TAG).map((status): Out => ({ kind: 'status', status })));
  const startedMs = performance.now();
  const seen = await out.executeAndCollect();
  const elapsedMs = performance.now() - startedMs;
  const statuses = seen.flatMap((s) => (s.kind === 'status' ? [s.status] : []));
  t.same(
    statuses.map((s) => [s.status, s.code, s.version]),
    [['rejected', 'TRAINING_TIMED_OUT', 'v2']],
  );
  t.match(statuses[0]!.reason, /training v2 \(test\) failed: .*longer than trainingTimeoutMs \(3000 ms\).*terminated/);
  const scoredRecs = seen.flatMap((s) => (s.kind === 'scored' ? [s] : []));
  t.equal(scoredRecs.length, 300, 'every record from v1’s validFrom on was scored');
  t.ok(
    scoredRecs.every((s) => s.version === 'v1'),
    'records at and after v2’s validFrom were served by v1',
  );
  t.ok(elapsedMs < 60_000, `the job ended after ${elapsedMs.toFixed(0)} ms, not after the two-minute training`);
});
