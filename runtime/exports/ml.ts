/**
 * `sluice/ml`: what a job needs to train, export and publish models for the serving operators — the model
 * descriptor and its encodings, TF.js artifacts, the TF.js backend loader, the ONNX graph builders, and the
 * client of external model servers (`ExternalModelFunction`, `KServeV2Client`).
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
// External model servers (Open Inference Protocol / KServe v2: Seldon MLServer, Triton, KServe), used through
// AsyncDataStream.orderedWait/unorderedWait.
export { ExternalModelFunction } from '../../operators/ml/external-model-function.js';
export type { ExternalModelOptions, ExternalScore } from '../../operators/ml/external-model-function.js';
export { KServeV2Client } from '../../operators/ml/kserve-v2-client.js';
export type { KServeV2Options } from '../../operators/ml/kserve-v2-client.js';
// Off-thread training: a job's trainer runs in a worker thread while its task keeps processing.
export { defineTrainer } from '../bundle/trainers.js';
export { TrainingWorker } from '../../operators/ml/training-worker.js';
export type { TrainFn, TrainerRef } from '../api/trainer-ref.js';
export { EventTimeSchedule } from '../../operators/ml/retrain-schedule.js';
export { buildInfo, codeVersion } from '../config/build-info.js';
export type { BuildInfo } from '../config/build-info.js';
