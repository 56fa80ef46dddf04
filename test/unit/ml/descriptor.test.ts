import t from 'tap';
import {
  decodeDescriptorJson,
  decodeDescriptorMsgpack,
  descriptorFromBytes,
  descriptorProblems,
  encodeDescriptorJson,
  encodeDescriptorMsgpack,
  sha256Hex,
  verifySha256,
} from '../../../operators/ml/descriptor.js';
import { buildLogisticRegressionModel } from '../../../operators/ml/model-builders/onnx-builders.js';

const bytes = buildLogisticRegressionModel({ width: 4 });
const base = {
  name: 'lr',
  version: '1',
  description: 'test',
  dataType: 'wine',
  modelType: 'ONNX',
  inputSchema: [{ name: 'features', shape: [-1, 4] }],
  outputSchema: [{ name: 'score', shape: [-1, 1] }],
  validFrom: 1000,
  training: {
    trainedAt: 5,
    dataWindow: { fromMs: 0, toMs: 4 },
    metrics: { auc: 0.9 },
    featureSchema: ['a', 'b', 'c', 'd'],
    codeVersion: 'abc',
  },
};

t.test('JSON and msgpack round trips keep bytes and fields', async (t) => {
  const d = descriptorFromBytes(base, bytes);
  t.equal(d.sha256, sha256Hex(bytes));
  t.match(d.sha256, /^[0-9a-f]{64}$/);
  const j = decodeDescriptorJson(encodeDescriptorJson(d));
  t.same(Buffer.from(j.data!), Buffer.from(bytes));
  t.same({ ...j, data: undefined }, { ...d, data: undefined });
  const m = decodeDescriptorMsgpack(encodeDescriptorMsgpack(d));
  t.ok(m.data instanceof Uint8Array);
  t.same(Buffer.from(m.data!), Buffer.from(bytes));
  t.equal(m.training?.metrics.auc, 0.9);
  t.doesNotThrow(() => verifySha256(m, m.data!));
  const other = new Uint8Array(bytes);
  other[other.length - 1] ^= 1;
  t.throws(() => verifySha256(m, other), { code: 'MODEL_HASH_MISMATCH' });
});

t.test('validation lists every problem', async (t) => {
  const d = descriptorFromBytes(base, bytes);
  t.same(descriptorProblems(d), []);
  t.match(descriptorProblems({ ...d, location: 'file:///x' }).join(), /exactly one of data or location/);
  t.match(descriptorProblems({ ...d, sha256: 'XYZ' }).join(), /sha256/);
  t.match(descriptorProblems({ ...d, inputSchema: [{ name: 'x', shape: [0] }] }).join(), /shape/);
  t.match(descriptorProblems({ ...d, validFrom: 'soon' }).join(), /validFrom/);
  t.match(descriptorProblems({ ...d, name: '' }).join(), /name/);
  t.match(descriptorProblems({ ...d, training: { trainedAt: 1 } }).join(), /dataWindow/);
  t.throws(() => decodeDescriptorJson('{'), { code: 'MODEL_INVALID_DESCRIPTOR' });
  t.throws(() => decodeDescriptorJson(JSON.stringify({ name: 'x' })), { code: 'MODEL_INVALID_DESCRIPTOR' });
  t.throws(() => decodeDescriptorMsgpack(new Uint8Array([0xc1])), { code: 'MODEL_INVALID_DESCRIPTOR' });
});

t.test('index exports a default registry with ONNX, PMML and TENSORFLOW', async (t) => {
  const ml = await import('../../../operators/ml/index.js');
  t.same(ml.defaultModelRegistry().types().sort(), ['ONNX', 'PMML', 'TENSORFLOW']);
  await t.rejects(ml.defaultModelRegistry().create(descriptorFromBytes({ ...base, modelType: 'H2O-MOJO' }, bytes)), {
    code: 'MODEL_UNKNOWN_TYPE',
  });
});
