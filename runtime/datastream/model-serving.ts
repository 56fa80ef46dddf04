/**
 * ModelServing: the API that joins a data stream with a model stream (docs/architecture.md §8).
 * `ModelServing.keyed(data.keyBy(k), models.keyBy(k), opts)` keeps a model per key in keyed state;
 * `ModelServing.broadcast(data, models, opts)` broadcasts the model stream to every subtask and keeps the
 * models in broadcast state. Both return the scored stream; `getSideOutput(MODEL_STATUS_TAG)` carries
 * accepted/rejected model status records and `getSideOutput(NO_MODEL_TAG)` records without a model.
 */
import type { ModelDescriptor } from '../../operators/ml/descriptor.js';
import { ModelServingOperator, type Scored } from '../../operators/ml/serving-operator.js';
import type { ModelServingOptions } from '../../operators/ml/serving-options.js';
import { SluiceError } from '../errors/catalogue.js';
import { ConnectedStreams } from './connected-streams.js';
import type { DataStream, SingleOutputStreamOperator } from './data-stream.js';
import { KeyedStream } from './keyed-stream.js';

export type ServingOptions<T> = Omit<ModelServingOptions<T>, 'mode'>;

function operatorOptions<T>(mode: 'keyed' | 'broadcast', o: ServingOptions<T>): ModelServingOptions<T> {
  const options: ModelServingOptions<T> = { ...o, mode };
  new ModelServingOperator<T>(options); // validate when the job is built
  return options;
}

export const ModelServing = {
  /** Key-based serving: both streams keyed by the same key; each key scores with its own model. */
  keyed<T, K>(
    data: KeyedStream<T, K>,
    models: KeyedStream<ModelDescriptor, K>,
    options: ServingOptions<T>,
  ): SingleOutputStreamOperator<Scored<T>> {
    if (!(data instanceof KeyedStream) || !(models instanceof KeyedStream))
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'ModelServing.keyed(data, models): both streams must be keyed (keyBy)',
      );
    const opts = operatorOptions('keyed', options);
    return new ConnectedStreams<T, ModelDescriptor>(data.stream, models.stream).transform<Scored<T>>({
      name: 'Model Serving (keyed)',
      factory: () => new ModelServingOperator<T>(opts),
      stateful: true,
      keyed: true,
    });
  },

  /** Partition-based serving: every subtask gets every model; records pick one by modelKeyOf (default '*'). */
  broadcast<T>(
    data: DataStream<T>,
    models: DataStream<ModelDescriptor>,
    options: ServingOptions<T>,
  ): SingleOutputStreamOperator<Scored<T>> {
    const opts = operatorOptions('broadcast', options);
    return new ConnectedStreams<T, ModelDescriptor>(data, models.broadcast()).transform<Scored<T>>({
      name: 'Model Serving (broadcast)',
      factory: () => new ModelServingOperator<T>(opts),
      stateful: true,
      keyed: false,
    });
  },
};
