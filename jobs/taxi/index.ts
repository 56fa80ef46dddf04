/**
 * jobs/taxi: the taxi trip-duration model pipeline as library code — seeded trips, the seed's features,
 * wide & deep training with TensorFlow.js, and export to ONNX and TensorFlow.js ModelDescriptors.
 * `trainTaxiModel` is the one call a (re)training job needs: labelled trips (or a count to generate) in,
 * two descriptors and the held-out metrics out. Invariant: deterministic for the same inputs (see README).
 */
import type { ModelDescriptor } from 'sluice/ml';
import { platform } from 'sluice/platform';
import { onnxDescriptor, tfjsDescriptor } from './export.js';
import { generateTrips, type LabelledTrip, type TrafficDrift } from './trips.js';
import { trainWideDeep, type TaxiMetrics, type TrainOptions } from './train.js';
import type { WideDeepWeights } from './model.js';

export * from './zones.js';
export * from './trips.js';
export * from './features.js';
export * from './model.js';
export * from './baseline.js';
export * from './train.js';
export * from './onnx-export.js';
export * from './tfjs-export.js';
export * from './export.js';

export interface TrainTaxiModelOptions {
  seed: number;
  /** Labelled trips to learn from, or how many to generate with `seed` (and `drift`). */
  trips: number | readonly LabelledTrip[];
  epochs?: number;
  /** Applies when trips are generated here. */
  drift?: TrafficDrift;
  /** Model version (default `v<seed>-<last pickup ms>`). */
  version?: string;
  /** Default: the platform clock's now (descriptor metadata only; the model bytes do not depend on it). */
  trainedAt?: number;
  validFrom?: number;
  train?: Omit<TrainOptions, 'seed' | 'epochs'>;
}

export interface TrainedTaxiModel {
  onnx: ModelDescriptor;
  tfjs: ModelDescriptor;
  metrics: TaxiMetrics;
  weights: WideDeepWeights;
  dataWindow: { fromMs: number; toMs: number };
}

export async function trainTaxiModel(opts: TrainTaxiModelOptions): Promise<TrainedTaxiModel> {
  const trips =
    typeof opts.trips === 'number' ? generateTrips(opts.trips, { seed: opts.seed, drift: opts.drift }) : opts.trips;
  const r = await trainWideDeep(trips, { ...opts.train, seed: opts.seed, epochs: opts.epochs });
  r.model.dispose();
  const metrics = r.metrics;
  const exportOpts = {
    version: opts.version ?? `v${opts.seed}-${r.dataWindow.toMs}`,
    trainedAt: opts.trainedAt ?? platform.clock.nowMs(),
    dataWindow: r.dataWindow,
    metrics: {
      maeSec: metrics.maeSec,
      baselineMaeSec: metrics.baselineMaeSec,
      globalMeanMaeSec: metrics.globalMeanMaeSec,
      trainRows: metrics.trainRows,
      testRows: metrics.testRows,
    },
    validFrom: opts.validFrom,
  };
  return {
    onnx: onnxDescriptor(r.weights, exportOpts),
    tfjs: tfjsDescriptor(r.weights, exportOpts),
    metrics,
    weights: r.weights,
    dataWindow: r.dataWindow,
  };
}
