/**
 * Trained taxi weights → ModelDescriptors: the ONNX model (onnx-export.ts) and the TensorFlow.js graph model
 * (tfjs-export.ts), each via descriptorFromBytes with the same schema — input `features` [-1, FEATURE_WIDTH],
 * output `score` [-1, 1] (predicted trip duration, seconds) — and the same `training` block (trainedAt,
 * data window, held-out metrics, the feature layout, code version).
 * Invariants: both descriptors validate; their bytes depend only on the weights (never on trainedAt).
 */
import { codeVersion, descriptorFromBytes, type ModelDescriptor, type TrainingInfo } from 'sluice/ml';
import { FEATURE_SCHEMA, FEATURE_WIDTH } from './features.js';
import type { WideDeepWeights } from './model.js';
import { ONNX_INPUT, ONNX_OUTPUT, buildTaxiOnnx } from './onnx-export.js';
import { TFJS_INPUT, TFJS_OUTPUT, buildTaxiTfjs } from './tfjs-export.js';

export const TAXI_MODEL_NAME = 'taxi-trip-duration';
export const TAXI_DATA_TYPE = 'taxi-trip-request';

export interface ExportOptions {
  version: string;
  trainedAt: number;
  dataWindow: { fromMs: number; toMs: number };
  metrics: Record<string, number>;
  name?: string;
  /** Event time from which the model is valid (event-time switch policy). */
  validFrom?: number;
}

function fields(
  o: ExportOptions,
  modelType: 'ONNX' | 'TENSORFLOW',
  inputName: string,
  outputName: string,
  what: string,
) {
  const training: TrainingInfo = {
    trainedAt: o.trainedAt,
    dataWindow: { ...o.dataWindow },
    metrics: { ...o.metrics },
    featureSchema: [...FEATURE_SCHEMA],
    codeVersion: codeVersion(), // the build's sluice@<version>+<commit> (runtime/config/build-info.ts)
  };
  return {
    name: o.name ?? TAXI_MODEL_NAME,
    version: o.version,
    description: `taxi trip duration (seconds), wide & deep, ${what}; input = jobs/taxi/features.ts writeFeatures layout`,
    dataType: TAXI_DATA_TYPE,
    modelType,
    inputSchema: [{ name: inputName, shape: [-1, FEATURE_WIDTH], dtype: 'float32' as const }],
    outputSchema: [{ name: outputName, shape: [-1, 1], dtype: 'float32' as const }],
    ...(o.validFrom !== undefined ? { validFrom: o.validFrom } : {}),
    training,
  };
}

export function onnxDescriptor(w: WideDeepWeights, o: ExportOptions): ModelDescriptor {
  return descriptorFromBytes(fields(o, 'ONNX', ONNX_INPUT, ONNX_OUTPUT, 'ONNX opset 13'), buildTaxiOnnx(w));
}

export function tfjsDescriptor(w: WideDeepWeights, o: ExportOptions): ModelDescriptor {
  return descriptorFromBytes(
    fields(o, 'TENSORFLOW', TFJS_INPUT, TFJS_OUTPUT, 'TensorFlow.js graph model'),
    buildTaxiTfjs(w),
  );
}
