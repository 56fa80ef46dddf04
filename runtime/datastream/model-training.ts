/**
 * ModelTraining: the API that trains models off the task's thread (docs/architecture.md §8).
 * `ModelTraining.offThread(requests, trainer)` turns a stream of TrainingRequests into the stream of trained
 * ModelDescriptors (with lineage) that ModelServing reads as its model stream; failed trainings are
 * `rejected` records on `getSideOutput(MODEL_STATUS_TAG)`. The trainer is a `defineTrainer` reference of
 * the job module. Run it with parallelism 1 unless requests are partitioned on purpose: each subtask has
 * its own worker thread. Options: `maxInFlight` (requests queued or training, default 2) and
 * `trainingTimeoutMs` (a training over it has its thread terminated: a TRAINING_TIMED_OUT status record).
 */
import type { TrainerRef } from '../api/trainer-ref.js';
import type { ModelDescriptor } from '../../operators/ml/descriptor.js';
import {
  OffThreadTrainingOperator,
  type OffThreadTrainingOptions,
  type TrainedModel,
  type TrainingRequest,
} from '../../operators/ml/training-operator.js';
import { MODEL_STATUS_TAG } from '../../operators/ml/serving-operator.js';
import type { DataStream, SingleOutputStreamOperator } from './data-stream.js';

export const ModelTraining = {
  offThread<I>(
    requests: DataStream<TrainingRequest<I>>,
    trainer: TrainerRef<I, TrainedModel>,
    options: OffThreadTrainingOptions = {},
  ): SingleOutputStreamOperator<ModelDescriptor> {
    new OffThreadTrainingOperator<I>(trainer, options); // validate when the job is built
    return requests.transform<ModelDescriptor>({
      name: `Model Training (${trainer.name}, off-thread)`,
      factory: () => new OffThreadTrainingOperator<I>(trainer, options),
      stateful: true,
      sideOutputs: [MODEL_STATUS_TAG.id],
    });
  },
};
