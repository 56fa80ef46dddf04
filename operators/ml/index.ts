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
export { FeatureRows } from './feature-rows.js';
export * from './batch-scorer.js';
export * from './model-store.js';
export * from './model-manager.js';
export * from './no-model-policy.js';
export * from './stats.js';
export * from './speculative.js';
export * from './worker-pool.js';
export * from './model-builders/onnx-builders.js';
export * from './model-builders/tf-builders.js';

export { defaultModelRegistry } from './default-registry.js';
export * from './model-server.js';
