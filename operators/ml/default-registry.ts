/**
 * The default model registry: the built-in ONNX, TENSORFLOW and PMML factories, each loading its module
 * (onnxruntime-node, the TF.js glue, the PMML parser and evaluators) when the first model of its type is
 * created. A serving subtask builds this registry while it initializes, and the records already flowing
 * into it wait for that: loading every engine up front cost hundreds of milliseconds of start-up, most of it
 * for engines the job's models do not use.
 *
 * Invariant: a factory behaves exactly as the module's own factory (same options, same errors); only the
 * moment its module loads differs.
 */
import type { ModelDescriptor } from './descriptor.js';
import { ModelFactoryRegistry, type ModelFactory, type ServingModel } from './model.js';
import type { OnnxModelOptions } from './onnx-model.js';

/** A factory of `modelType` whose module (and the factory from it) loads on the first create. */
function lazyFactory(modelType: string, load: () => Promise<ModelFactory>): ModelFactory {
  let factory: Promise<ModelFactory> | undefined;
  return {
    modelType,
    async create(d: ModelDescriptor): Promise<ServingModel> {
      factory ??= load();
      return (await factory).create(d);
    },
  };
}

/** A registry with the built-in ONNX, TENSORFLOW and PMML factories. */
export function defaultModelRegistry(
  opts: { onnx?: OnnxModelOptions; log?: (msg: string) => void } = {},
): ModelFactoryRegistry {
  return new ModelFactoryRegistry()
    .register(lazyFactory('ONNX', async () => (await import('./onnx-model.js')).onnxModelFactory(opts.onnx)))
    .register(lazyFactory('TENSORFLOW', async () => (await import('./tf-model.js')).tfModelFactory(opts.log)))
    .register(lazyFactory('PMML', async () => (await import('./pmml/pmml-model.js')).pmmlModelFactory()));
}
