/**
 * operators/ml: the engine-independent model-serving core — descriptors, model factories (ONNX, TensorFlow.js, PMML),
 * Arrow feature batches, the batch scorer, model store and manager (switch and no-model policies), stats,
 * speculative serving and the worker-thread inference pool. TensorFlow.js loads lazily on first use.
 */
export * from './descriptor.js';
export * from './model.js';
export * from './onnx-model.js';
export * from './tf-backend.js';
export * from './tf-artifacts.js';
export * from './tf-model.js';
export { PmmlModel, pmmlModelFactory } from './pmml/pmml-model.js';
export * from './arrow-batch.js';
export * from './batch-scorer.js';
export * from './model-store.js';
export * from './model-manager.js';
export * from './no-model-policy.js';
export * from './stats.js';
export * from './speculative.js';
export * from './worker-pool.js';
export * from './model-builders/onnx-builders.js';
export * from './model-builders/tf-builders.js';

import { ModelFactoryRegistry } from './model.js';
import { onnxModelFactory, type OnnxModelOptions } from './onnx-model.js';
import { tfModelFactory } from './tf-model.js';
import { pmmlModelFactory } from './pmml/pmml-model.js';

/** A registry with the built-in ONNX, TENSORFLOW and PMML factories. */
export function defaultModelRegistry(
  opts: { onnx?: OnnxModelOptions; log?: (msg: string) => void } = {},
): ModelFactoryRegistry {
  return new ModelFactoryRegistry()
    .register(onnxModelFactory(opts.onnx))
    .register(tfModelFactory(opts.log))
    .register(pmmlModelFactory());
}
export * from './model-server.js';
