/**
 * The serving path without an envelope per record: ModelServer.onRecord / BatchScorer.add take the record's
 * key and event timestamp as arguments (the serving operator has both beside the value), so the scored
 * output's record is the caller's value itself, and a record buffered for want of a model is re-added with
 * the key and timestamp it arrived with — under event time that timestamp picks the model version.
 */
import t from 'tap';
import { BatchScorer, type ScoredOutput } from '../../../operators/ml/batch-scorer.js';
import { ModelServer } from '../../../operators/ml/model-server.js';
import { ModelFactoryRegistry } from '../../../operators/ml/model.js';
import { onnxModelFactory } from '../../../operators/ml/onnx-model.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';

const clock = { nowMs: () => 5, monotonicMs: () => 0, setTimeout: () => ({}), clear: () => undefined };

t.test('key and timestamp as arguments: outputs carry them and point at the value itself', async (t) => {
  const outputs: ScoredOutput<{ v: number }>[] = [];
  const server = new ModelServer<{ v: number }>({
    registry: new ModelFactoryRegistry().register(onnxModelFactory()),
    policy: 'event-time',
    noModel: 'buffer',
    maxBuffered: 100,
    width: MLP_WIDTH,
    maxBatchSize: 8,
    lingerMs: 0,
    preserveOrder: true,
    extract: (r, out, off) => out.fill(r.v, off, off + MLP_WIDTH),
    scheduler: clock,
    onOutput: (o) => outputs.push(o),
  });
  t.teardown(() => server.close());
  const values = [0, 1, 2, 3].map((i) => ({ v: i / 4 }));
  // no model yet: buffered with key and timestamp (no keyOf/timestampOf to recompute them from)
  server.onRecord(values[0]!, 'a', 100);
  server.onRecord(values[1]!, 'a', 250);
  t.equal(server.noModel.bufferedCount, 2);
  await server.onModel('a', mlpDescriptor('1', 1, undefined, { validFrom: 0 }));
  await server.onModel('a', mlpDescriptor('2', 2, undefined, { validFrom: 200 }));
  server.onRecord(values[2]!, 'a', 150);
  server.onRecord(values[3]!, 'a', 300);
  await server.beforeBarrier();
  t.same(
    outputs.map((o) => [o.timestampMs, o.key, o.version]),
    [
      [100, 'a', '1'],
      [250, 'a', '1'], // re-added when version 1 arrived, the only one then
      [150, 'a', '1'],
      [300, 'a', '2'],
    ],
    'timestamps as passed in; a record added after both versions is scored by the one valid at its timestamp',
  );
  t.ok(
    outputs.every((o, i) => o.record === [values[0], values[1], values[2], values[3]][i]),
    'the output record is the value passed in (no wrapper)',
  );
});

t.test('a record added without a key and without keyOf is refused with a stable code', async (t) => {
  const scorer = new BatchScorer<{ v: number }>({
    width: MLP_WIDTH,
    maxBatchSize: 4,
    lingerMs: 0,
    extract: () => {},
    selectModel: () => undefined,
    scheduler: clock,
    onNoModel: () => {},
  });
  t.throws(() => scorer.add({ v: 1 }), { code: 'API_INVALID_ARGUMENT', message: /no key given and no keyOf/ });
  t.equal(scorer.add({ v: 1 }, 'k', 1), null, 'with a key it is handled (here: no model)');
});
