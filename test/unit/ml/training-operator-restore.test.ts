/**
 * Checkpoint and restore of off-thread training (the contract in operators/ml/training-operator.ts): a
 * request emitted before the barrier is not emitted again; one still training at the barrier trains again
 * after the restore and is emitted once, holding the watermark as before; one whose outcome was known at
 * the barrier but not yet emitted (a trained model, a late request's rejection) comes back with that outcome,
 * without training again. The operator runs on real operator state (snapshot, deep copy, restore into a new
 * instance, through the checkpoint's state-file codec), as the task drives it.
 */
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { ElementKind } from '../../../runtime/api/elements.js';
import type { TrainerRef } from '../../../runtime/api/trainer-ref.js';
import { createOperatorStateStore } from '../../../runtime/state/operator-state-store.js';
import { decodeStateFile, encodeStateFile } from '../../../checkpoints/state-file.js';
import {
  OffThreadTrainingOperator,
  type TrainedModel,
  type TrainingRequest,
} from '../../../operators/ml/training-operator.js';
import { type ModelDescriptor, sha256Hex } from '../../../operators/ml/descriptor.js';
import type { ModelStatusRecord } from '../../../operators/ml/model-manager.js';
import { waitFor } from '../../support/cluster-harness.js';
import { mlpDescriptor } from '../../support/models/index.js';

type Input = { seed: number; spinMs: number };
const moduleUrl = pathToFileURL('test/fixtures/job-with-trainers.ts').href;
const slowMlp: TrainerRef<Input, TrainedModel> = { name: 'slow-mlp', moduleUrl, args: [] };
const request = (version: string, validFromMs: number, input: Input): TrainingRequest<Input> => ({
  version,
  input,
  validFromMs,
  window: { fromMs: 0, toMs: validFromMs - 1 },
  reason: 'test',
});
const rec = (r: TrainingRequest<Input>) => ({ kind: ElementKind.Record as const, value: r, timestamp: 0 });

/**
 * One operator instance on `store`. Mails (the drain a settled training schedules) run on the event loop,
 * or, with `holdMails`, only when the test runs them; `worker` stands in for the training thread.
 */
function harness(
  store: ReturnType<typeof createOperatorStateStore>,
  restored: boolean,
  opts: {
    holdMails?: boolean;
    maxInFlight?: number;
    worker?: { run(input: Input): Promise<TrainedModel>; close(): Promise<void> };
  } = {},
) {
  const emitted: string[] = [];
  const models: ModelDescriptor[] = [];
  const mails: Array<() => void> = [];
  const op = new OffThreadTrainingOperator<Input>(slowMlp, { maxInFlight: opts.maxInFlight ?? 2 });
  op.setup({
    output: {
      collect: (r: { value: ModelDescriptor }) => {
        models.push(r.value);
        emitted.push(`model ${r.value.version}`);
      },
      emitWatermark: (w: number) => void emitted.push(`watermark ${w}`),
      collectSide: (_tag: unknown, r: { value: ModelStatusRecord }) =>
        void emitted.push(`${r.value.status} ${r.value.version} ${r.value.code}`),
    },
    processingTimeService: {
      currentProcessingTime: () => 0,
      registerTimer: (_at: number, mail: () => void) => {
        if (opts.holdMails) mails.push(mail);
        else setImmediate(mail);
        return () => undefined;
      },
    },
  } as never);
  if (opts.worker) (op as unknown as { worker: unknown }).worker = opts.worker;
  op.initializeState({ isRestored: () => restored, operatorStateStore: store } as never);
  op.open();
  return { op, emitted, models, mails, store };
}

/** Snapshot at a barrier, through the checkpoint's state-file codec (nothing shared), into a new store. */
function checkpoint(h: ReturnType<typeof harness>) {
  h.op.snapshotState();
  const store = createOperatorStateStore();
  store.restore(decodeStateFile(encodeStateFile(h.store.snapshot()).bytes, 'training state') as never);
  return store;
}

t.test('a training in flight at the checkpoint trains again after the restore and is emitted once', async (t) => {
  const first = harness(createOperatorStateStore(), false);
  t.teardown(() => first.op.close());
  first.op.processWatermark(50);
  await first.op.processElement(rec(request('v1', 100, { seed: 1, spinMs: 0 })));
  await waitFor('v1 trained and emitted', () => first.emitted.includes('model v1'), 60_000);
  await first.op.processElement(rec(request('v2', 200, { seed: 2, spinMs: 1_000 })));
  first.op.processWatermark(1_000);
  t.same(first.emitted, ['watermark 50', 'model v1', 'watermark 199']);
  t.equal(first.op.inFlight(), 1, 'v2 is training at the barrier');
  const store = checkpoint(first);
  await first.op.close(); // the failure: v2's thread is terminated, its result never arrives

  const second = harness(store, true);
  t.teardown(() => second.op.close());
  second.op.processWatermark(1_000); // the input replayed from the checkpoint
  t.same(second.emitted, ['watermark 199'], 'the restored v2 holds the watermark below its validFrom');
  await waitFor('v2 trained again and emitted', () => second.emitted.includes('model v2'), 60_000);
  await second.op.finish();
  t.same(second.emitted, ['watermark 199', 'model v2', 'watermark 1000'], 'v1 is not emitted again, v2 once');
  t.equal(second.models[0]!.sha256, mlpDescriptor('x', 2).sha256, 'the model of v2’s own input (seed 2)');
  t.equal(second.models[0]!.validFrom, 200);
});

t.test('outcomes known at the checkpoint come back with it: no training again, nothing lost', async (t) => {
  const trainedSeeds: number[] = [];
  const settles: Array<() => void> = [];
  const standIn = () => ({
    run: (input: Input) => {
      trainedSeeds.push(input.seed);
      return new Promise<TrainedModel>((resolve) =>
        settles.push(() => resolve({ descriptor: mlpDescriptor('m', input.seed), metrics: {}, featureSchema: [] })),
      );
    },
    close: async () => {},
  });
  const first = harness(createOperatorStateStore(), false, { holdMails: true, maxInFlight: 3, worker: standIn() });
  first.op.processWatermark(500);
  await first.op.processElement(rec(request('v1', 1_000, { seed: 1, spinMs: 0 })));
  await first.op.processElement(rec(request('v2', 400, { seed: 2, spinMs: 0 }))); // late: 400 ≤ watermark 500
  await first.op.processElement(rec(request('v3', 2_000, { seed: 3, spinMs: 0 })));
  settles.shift()!(); // v1 trained; the mail that would emit it has not run when the barrier comes
  await new Promise((r) => setImmediate(r));
  t.same(first.emitted, ['watermark 500'], 'nothing emitted yet: v1’s drain mail is pending');
  t.same(trainedSeeds, [1, 3]);
  const store = checkpoint(first);
  await first.op.close();

  const second = harness(store, true, { holdMails: true, maxInFlight: 3, worker: standIn() });
  t.same(trainedSeeds, [1, 3, 3], 'only v3, still training at the barrier, trains again');
  t.equal(second.mails.length, 1, 'the restored outcomes are emitted from a mail');
  second.mails.shift()!();
  t.same(second.emitted, ['model v1', 'rejected v2 TRAINING_FAILED'], 'v1 and v2’s rejection, each once');
  t.equal(second.models[0]!.sha256, mlpDescriptor('m', 1).sha256);
  t.equal(sha256Hex(second.models[0]!.data!), second.models[0]!.sha256, 'its bytes came through the checkpoint');
  t.equal(second.models[0]!.training?.reason, 'test', 'with its lineage');
  second.op.processWatermark(5_000);
  t.same(second.emitted.at(-1), 'watermark 1999', 'v3 holds the watermark below its validFrom');
  settles.pop()!(); // the restored v3 trained
  await second.op.finish();
  t.same(second.emitted, ['model v1', 'rejected v2 TRAINING_FAILED', 'watermark 1999', 'model v3', 'watermark 5000']);
});
