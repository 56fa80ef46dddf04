/**
 * ONNX models through onnxruntime-node. Loads from descriptor bytes, checks input/output names and shapes
 * against the declared schema, runs a warm-up batch (whose output must be finite) before the model goes
 * live, and scores batches zero-copy: the float32 features view (normally the Arrow feature column's
 * values) is wrapped as `new ort.Tensor('float32', features, [rows, width])` without copying.
 * Invariants: one input and one output tensor are served; outputs are validated finite per batch.
 */
import ort from 'onnxruntime-node';
import { SluiceError, isSluiceError } from '../../runtime/errors/index.js';
import { verifySha256, type ModelDescriptor, type TensorSchema } from './descriptor.js';
import { assertFiniteOutput, schemaWidth, type ModelFactory, type ServingModel } from './model.js';

export interface OnnxModelOptions {
  sessionOptions?: ort.InferenceSession.SessionOptions;
  /** Rows in the warm-up batch (default 4). */
  warmUpRows?: number;
  /** Test/diagnostic hook: sees every input tensor handed to onnxruntime. */
  onInputTensor?: (tensor: ort.Tensor) => void;
}

const DEFAULT_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
  executionMode: 'sequential',
};

interface ValueMeta {
  name: string;
  shape?: readonly (number | string)[];
}

function checkAgainstSchema(
  d: ModelDescriptor,
  kind: 'input' | 'output',
  meta: readonly ValueMeta[],
  schema: TensorSchema[],
): void {
  const id = `${d.name}@${d.version}`;
  if (schema.length !== 1 || meta.length !== 1) {
    throw new SluiceError(
      'MODEL_SCHEMA_MISMATCH',
      `model ${id}: expected exactly one ${kind} tensor, model has ${meta.length}, schema declares ${schema.length}`,
    );
  }
  const m = meta[0]!;
  const s = schema[0]!;
  if (m.name !== s.name) {
    throw new SluiceError(
      'MODEL_SCHEMA_MISMATCH',
      `model ${id}: ${kind} is named ${m.name}, schema declares ${s.name}`,
    );
  }
  if (m.shape) {
    if (m.shape.length !== s.shape.length) {
      throw new SluiceError(
        'MODEL_SCHEMA_MISMATCH',
        `model ${id}: ${kind} ${m.name} has rank ${m.shape.length}, schema declares ${s.shape.length}`,
      );
    }
    m.shape.forEach((dim, i) => {
      const want = s.shape[i]!;
      if (typeof dim === 'number' && dim > 0 && want !== -1 && dim !== want) {
        throw new SluiceError(
          'MODEL_SCHEMA_MISMATCH',
          `model ${id}: ${kind} ${m.name} axis ${i} is ${dim}, schema declares ${want}`,
        );
      }
    });
  }
}

export class OnnxModel implements ServingModel {
  readonly backend = 'onnxruntime-node/cpu';
  readonly inputWidth: number;
  readonly outputWidth: number;
  private readonly inputName: string;
  private readonly outputName: string;
  private disposed = false;

  private constructor(
    readonly descriptor: ModelDescriptor,
    private readonly session: ort.InferenceSession,
    private readonly onInputTensor?: (tensor: ort.Tensor) => void,
  ) {
    this.inputName = descriptor.inputSchema[0]!.name;
    this.outputName = descriptor.outputSchema[0]!.name;
    this.inputWidth = schemaWidth(descriptor.inputSchema[0]!.shape);
    this.outputWidth = schemaWidth(descriptor.outputSchema[0]!.shape);
  }

  static async load(d: ModelDescriptor, opts: OnnxModelOptions = {}): Promise<OnnxModel> {
    const id = `${d.name}@${d.version}`;
    if (!d.data) throw new SluiceError('MODEL_LOAD_FAILED', `model ${id}: no bytes (resolve location before loading)`);
    verifySha256(d, d.data);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(d.data, { ...DEFAULT_SESSION_OPTIONS, ...opts.sessionOptions });
    } catch (e) {
      throw new SluiceError(
        'MODEL_LOAD_FAILED',
        `model ${id}: onnxruntime could not load the bytes: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const model = new OnnxModel(d, session, opts.onInputTensor);
    try {
      const s = session as unknown as { inputMetadata?: ValueMeta[]; outputMetadata?: ValueMeta[] };
      checkAgainstSchema(d, 'input', s.inputMetadata ?? session.inputNames.map((name) => ({ name })), d.inputSchema);
      checkAgainstSchema(
        d,
        'output',
        s.outputMetadata ?? session.outputNames.map((name) => ({ name })),
        d.outputSchema,
      );
      await model.warmUp(opts.warmUpRows ?? 4);
    } catch (e) {
      await model.dispose();
      throw e;
    }
    return model;
  }

  private async warmUp(rows: number): Promise<void> {
    const f = new Float32Array(rows * this.inputWidth);
    for (let i = 0; i < f.length; i++) f[i] = ((i % 7) - 3) / 3;
    await this.scoreBatch(f, rows, this.inputWidth);
  }

  async scoreBatch(features: Float32Array, rows: number, width: number): Promise<Float32Array> {
    const id = `${this.descriptor.name}@${this.descriptor.version}`;
    if (width !== this.inputWidth) {
      throw new SluiceError(
        'MODEL_SCHEMA_MISMATCH',
        `model ${id}: batch width ${width}, model expects ${this.inputWidth}`,
      );
    }
    const view = features.length === rows * width ? features : features.subarray(0, rows * width);
    const tensor = new ort.Tensor('float32', view, [rows, width]);
    this.onInputTensor?.(tensor);
    let out: ort.Tensor;
    try {
      const result = await this.session.run({ [this.inputName]: tensor });
      out = result[this.outputName]!;
    } catch (e) {
      if (isSluiceError(e)) throw e;
      throw new SluiceError('MODEL_BAD_OUTPUT', `model ${id}: run failed: ${(e as Error).message}`, { cause: e });
    }
    const data = out.data as Float32Array;
    if (!(data instanceof Float32Array) || data.length !== rows * this.outputWidth) {
      throw new SluiceError(
        'MODEL_BAD_OUTPUT',
        `model ${id}: output has ${data.length} values, expected ${rows * this.outputWidth}`,
      );
    }
    assertFiniteOutput(this.descriptor, data, this.outputWidth);
    return data;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}

export function onnxModelFactory(opts: OnnxModelOptions = {}): ModelFactory {
  return { modelType: 'ONNX', create: (d) => OnnxModel.load(d, opts) };
}
