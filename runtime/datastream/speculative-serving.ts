/**
 * SpeculativeServing: the API for speculative model serving (docs/architecture.md §8).
 * `SpeculativeServing.broadcast(data, models, opts)` broadcasts the model stream to every subtask (models
 * kept in broadcast state, one per model name) and scores every batch with ALL installed models; the
 * strategy (deadline + fallback, consensus, quality; combinable) picks each record's answer. Returns the
 * stream of SpeculativeScored outputs; `getSideOutput(MODEL_STATUS_TAG)` carries accepted/rejected model
 * status records and `getSideOutput(SPECULATIVE_UNSCORED_TAG)` records no model could score. Win counts
 * per model are in the operator's `modelStats` gauge (and `GET /jobs/:id/models`).
 */
import type { ModelDescriptor } from '../../operators/ml/descriptor.js';
import {
  SpeculativeServingOperator,
  type SpeculativeScored,
  type SpeculativeServingOptions,
} from '../../operators/ml/speculative-operator.js';
import { ConnectedStreams } from './connected-streams.js';
import type { DataStream, SingleOutputStreamOperator } from './data-stream.js';

export {
  MODEL_STATUS_TAG,
  SPECULATIVE_UNSCORED_TAG,
  type SpeculativeScored,
  type SpeculativeServingOptions,
  type SpeculativeStrategy,
} from '../../operators/ml/speculative-operator.js';

export const SpeculativeServing = {
  /** Every subtask gets every model; each record is scored by all of them and one answer is chosen. */
  broadcast<T>(
    data: DataStream<T>,
    models: DataStream<ModelDescriptor>,
    options: SpeculativeServingOptions<T>,
  ): SingleOutputStreamOperator<SpeculativeScored<T>> {
    new SpeculativeServingOperator<T>(options); // validate when the job is built
    return new ConnectedStreams<T, ModelDescriptor>(data, models.broadcast()).transform<SpeculativeScored<T>>({
      name: 'Speculative Model Serving (broadcast)',
      factory: () => new SpeculativeServingOperator<T>(options),
      stateful: true,
      keyed: false,
    });
  },
};
