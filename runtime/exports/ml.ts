/**
 * `sluice/ml`: what a job needs to train, export and publish models for the serving operators — the model
 * descriptor and its encodings, TF.js artifacts, the TF.js backend loader and the ONNX graph builders.
 * Serving itself (`ModelServing`, `SpeculativeServing`) is part of the main entry, `sluice`.
 */
export {
  decodeDescriptorJson,
  descriptorFromBytes,
  encodeDescriptorJson,
  modelId,
  sha256Hex,
  validateDescriptor,
} from '../../operators/ml/descriptor.js';
export type { ModelDescriptor, ModelType, TensorSchema, TrainingInfo } from '../../operators/ml/descriptor.js';
export { decodeTfArtifacts, encodeTfArtifacts } from '../../operators/ml/tf-artifacts.js';
export type { TfModelFormat } from '../../operators/ml/tf-artifacts.js';
export { loadTf, tfBackendInfo } from '../../operators/ml/tf-backend.js';
export type { Tf, TfBackendInfo } from '../../operators/ml/tf-backend.js';
export {
  buildLogisticRegressionModel,
  buildMlpModel,
  floatTensor,
  valueInfo,
} from '../../operators/ml/model-builders/onnx-builders.js';
export type { MlpOptions } from '../../operators/ml/model-builders/onnx-builders.js';
export type { SpeculativeStrategy } from '../../operators/ml/speculative-operator.js';
