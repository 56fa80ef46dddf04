import t from 'tap';
import { ModelServer } from '../../../operators/ml/model-server.js';
import { ModelFactoryRegistry } from '../../../operators/ml/model.js';
import { onnxModelFactory } from '../../../operators/ml/onnx-model.js';
import type { ScoredOutput } from '../../../operators/ml/batch-scorer.js';
import type { ModelStatusRecord } from '../../../operators/ml/model-manager.js';
import { MLP_WIDTH, mlpDescriptor } from '../../support/models/index.js';

interface Rec {
  key: string;
  ts: number;
  v: number;
}

t.test('records buffered before a model are scored when it arrives; event-time replay is deterministic', async (t) => {
  const run = async () => {
    const outputs: ScoredOutput<Rec>[] = [];
    const statuses: ModelStatusRecord[] = [];
    const clock = { nowMs: () => 5, monotonicMs: () => 0, setTimeout: () => ({}), clear: () => undefined };
    const server = new ModelServer<Rec>({
      registry: new ModelFactoryRegistry().register(onnxModelFactory()),
      policy: 'event-time',
      noModel: 'buffer',
      maxBuffered: 100,
      width: MLP_WIDTH,
      maxBatchSize: 8,
      lingerMs: 0,
      preserveOrder: true,
      extract: (r, out, off) => out.fill(r.v, off, off + MLP_WIDTH),
      keyOf: (r) => r.key,
      timestampOf: (r) => r.ts,
      scheduler: clock,
      onOutput: (o) => outputs.push(o),
      onStatus: (s) => statuses.push(s),
    });
    for (let i = 0; i < 5; i++) server.onRecord({ key: 'a', ts: 100 + i, v: i / 5 });
    t.equal(server.noModel.bufferedCount, 5);
    await server.onModel('a', mlpDescriptor('1', 1, undefined, { validFrom: 0 }));
    await server.onModel('a', mlpDescriptor('2', 2, undefined, { validFrom: 200 }));
    await server.onModel('a', { bogus: true });
    for (let i = 0; i < 20; i++) await server.onRecord({ key: 'a', ts: 190 + i, v: i / 20 });
    await server.beforeBarrier();
    t.equal(server.scorer.pendingCount, 0, 'nothing pending after a barrier flush');
    await server.onWatermark(250);
    t.same(
      server.manager.store.history('a').map((e) => e.model.descriptor.version),
      ['2'],
      'pruned below the watermark',
    );
    await server.endOfInput();
    await server.close();
    return { outputs, statuses };
  };
  const a = await run();
  t.equal(a.outputs.length, 25);
  t.same(
    a.statuses.map((s) => s.status),
    ['accepted', 'accepted', 'rejected'],
  );
  t.same(
    a.outputs.map((o) => o.timestampMs),
    [...[0, 1, 2, 3, 4].map((i) => 100 + i), ...Array.from({ length: 20 }, (_, i) => 190 + i)],
    'preserveOrder: outputs in arrival order across a model switch',
  );
  t.same(
    a.outputs.map((o) => `${o.timestampMs}:${o.version}`).filter((s) => s.startsWith('199') || s.startsWith('200')),
    ['199:1', '200:2'],
    'validFrom boundary',
  );
  const b = await run();
  t.same(
    b.outputs.map((o) => [o.timestampMs, o.version, o.prediction]),
    a.outputs.map((o) => [o.timestampMs, o.version, o.prediction]),
    'a replay reproduces the same scores',
  );
});
