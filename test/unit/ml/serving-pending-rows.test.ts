/**
 * `maxPendingRows` of model serving: the ModelServer hands it to its batch scorer (four keys with a model
 * each flush together once their rows reach it, where the default 8 × maxBatchSize keeps them pending), and
 * `ModelServing.keyed` refuses a value that is not an integer of at least maxBatchSize rows when the job is
 * built, with the option and the value in the message.
 */
import t from 'tap';
import type { ScoredOutput } from '../../../operators/ml/batch-scorer.js';
import { ModelFactoryRegistry } from '../../../operators/ml/model.js';
import { ModelServer } from '../../../operators/ml/model-server.js';
import { onnxModelFactory } from '../../../operators/ml/onnx-model.js';
import { ModelServing, StreamExecutionEnvironment } from '../../../runtime/exports/index.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';

interface Rec {
  key: string;
  v: number;
}

async function serverWith(maxPendingRows: number | undefined) {
  const outputs: ScoredOutput<Rec>[] = [];
  const server = new ModelServer<Rec>({
    registry: new ModelFactoryRegistry().register(onnxModelFactory()),
    policy: 'processing-time',
    noModel: 'drop',
    width: MLP_WIDTH,
    maxBatchSize: 8,
    lingerMs: 60_000,
    ...(maxPendingRows !== undefined ? { maxPendingRows } : {}),
    extract: (r, out, off) => out.fill(r.v, off, off + MLP_WIDTH),
    keyOf: (r) => r.key,
    timestampOf: () => 0,
    // the linger timer never fires: only the pending-rows threshold can flush
    scheduler: { nowMs: () => 0, monotonicMs: () => 0, setTimeout: () => ({}), clear: () => undefined },
    onOutput: (o) => outputs.push(o),
  });
  const keys = ['a', 'b', 'c', 'd'];
  for (const [i, k] of keys.entries()) await server.onModel(k, mlpDescriptor(String(i), i + 1));
  // two rows per key: no model's batch is full (8), all four together hold 8 rows
  for (let i = 0; i < 8; i++) await server.onRecord({ key: keys[i % 4]!, v: i / 8 });
  const pendingAfterAdds = server.scorer.pendingCount;
  await server.endOfInput();
  await server.close();
  return { pendingAfterAdds, outputs };
}

t.test('the server flushes every model once all of them hold maxPendingRows rows', async (t) => {
  const set = await serverWith(8);
  t.equal(set.pendingAfterAdds, 0, 'maxPendingRows 8: the eighth row flushed the four batches');
  t.same(
    set.outputs.map((o) => o.batchSize),
    Array(8).fill(2),
    'four batches of two rows each, scored before end of input',
  );
  const unset = await serverWith(undefined);
  t.equal(unset.pendingAfterAdds, 8, 'default (8 × 8 = 64 rows): the eight rows stay pending');
  t.equal(unset.outputs.length, 8, 'end of input scores them');
});

t.test('ModelServing refuses maxPendingRows below maxBatchSize or not an integer, naming both', async (t) => {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const data = env.fromCollection([{ key: 'a', v: 1 }]).keyBy((r) => r.key);
  const models = env.fromCollection([mlpDescriptor('1', 1)]).keyBy(() => 'a');
  const serve = (maxPendingRows: number) =>
    ModelServing.keyed(data, models, {
      width: MLP_WIDTH,
      extract: (r, out, off) => out.fill(r.v, off, off + MLP_WIDTH),
      maxBatchSize: 64,
      maxPendingRows,
    });
  for (const bad of [32, 100.5, Number.NaN, 0]) {
    t.throws(
      () => serve(bad),
      {
        code: 'API_INVALID_ARGUMENT',
        message: new RegExp(`maxPendingRows must be an integer of at least maxBatchSize \\(64 rows\\), got ${bad}`),
      },
      `maxPendingRows ${bad}`,
    );
  }
  t.doesNotThrow(() => serve(64), 'equal to maxBatchSize is accepted');
  t.doesNotThrow(() => serve(4096), 'a larger subtask batch is accepted');
});
