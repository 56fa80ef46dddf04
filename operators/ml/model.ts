/**
 * The engine-independent model contract and the factory registry that plugs model types in.
 * A ServingModel scores a contiguous row-major float32 batch [rows, width] and returns row-major outputs
 * [rows, outputWidth]. Invariants: scoreBatch never retains `features` after it returns; dispose() is
 * idempotent; a factory either returns a warmed-up, schema-checked model or throws a SluiceError.
 */
import { SluiceError } from '../../runtime/errors/index.js';
import type { ModelDescriptor } from './descriptor.js';

export interface ServingModel {
  readonly descriptor: ModelDescriptor;
  readonly inputWidth: number;
  readonly outputWidth: number;
  /** Backend that runs it (e.g. "onnxruntime-node/cpu", "tfjs/wasm"). */
  readonly backend: string;
  scoreBatch(features: Float32Array, rows: number, width: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface ModelFactory {
  readonly modelType: string;
  /** Loads from descriptor.data (bytes already sha256-verified by the caller or the registry). */
  create(descriptor: ModelDescriptor): Promise<ServingModel>;
}

export class ModelFactoryRegistry {
  private readonly factories = new Map<string, ModelFactory>();

  register(factory: ModelFactory): this {
    this.factories.set(factory.modelType, factory);
    return this;
  }

  has(modelType: string): boolean {
    return this.factories.has(modelType);
  }

  types(): string[] {
    return [...this.factories.keys()];
  }

  async create(descriptor: ModelDescriptor): Promise<ServingModel> {
    const f = this.factories.get(descriptor.modelType);
    if (!f) {
      throw new SluiceError(
        'MODEL_UNKNOWN_TYPE',
        `no model factory for modelType ${descriptor.modelType} (registered: ${this.types().join(', ') || 'none'})`,
      );
    }
    return f.create(descriptor);
  }
}

/** Checks a batch output for NaN/Infinity; throws MODEL_BAD_OUTPUT naming the first bad row. */
export function assertFiniteOutput(d: ModelDescriptor, out: Float32Array, outputWidth: number): void {
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) {
      throw new SluiceError(
        'MODEL_BAD_OUTPUT',
        `model ${d.name}@${d.version} produced ${out[i]} at row ${Math.floor(i / Math.max(1, outputWidth))}`,
      );
    }
  }
}

/** Product of the non-batch axes of a schema shape ([-1, 16] → 16). */
export function schemaWidth(shape: number[]): number {
  return shape.slice(1).reduce((a, b) => a * Math.max(1, b), 1);
}
