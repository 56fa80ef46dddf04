/**
 * Test model fixtures: descriptors around the reusable builders in operators/ml/model-builders/ (the
 * builders live there because jobs use them too; nothing may import test/). Deterministic per seed.
 */
import { descriptorFromBytes, type ModelDescriptor } from '../../../operators/ml/descriptor.js';
import { buildMlpModel } from '../../../operators/ml/model-builders/onnx-builders.js';

export * from '../../../operators/ml/model-builders/onnx-builders.js';

export const MLP_WIDTH = 16;

/** An ONNX MLP 16→64→64→1 descriptor; `bytes` overrides the model (for bad-model cases). */
export function mlpDescriptor(
  version = '1',
  seed = 1,
  bytes: Uint8Array = buildMlpModel({ layers: [MLP_WIDTH, 64, 64, 1], seed }),
  extra: Partial<ModelDescriptor> = {},
): ModelDescriptor {
  return descriptorFromBytes(
    {
      name: 'mlp',
      version,
      description: `mlp seed ${seed}`,
      dataType: 'x',
      modelType: 'ONNX',
      inputSchema: [{ name: 'features', shape: [-1, MLP_WIDTH] }],
      outputSchema: [{ name: 'score', shape: [-1, 1] }],
      ...extra,
    },
    bytes,
  );
}
