/**
 * TENSORFLOW models through TensorFlow.js (native tfjs-node when installed, else the WASM backend — see
 * tf-backend.ts). Loads layers or graph models from the descriptor's bytes (tf-artifacts.ts) with
 * tf.io.fromMemory, checks the input/output widths against the schema, warms up, and scores a row-major
 * float32 batch. Invariants: every tensor made per batch is disposed (tf.tidy); outputs are checked finite;
 * dispose() frees the model's weights.
 */
import type { GraphModel, LayersModel, Tensor } from '@tensorflow/tfjs';
import { SluiceError, isSluiceError } from '../../runtime/errors/index.js';
import { verifySha256, type ModelDescriptor } from './descriptor.js';
import { assertFiniteOutput, schemaWidth, type ModelFactory, type ServingModel } from './model.js';
import { decodeTfArtifacts } from './tf-artifacts.js';
import { loadTf, type Tf } from './tf-backend.js';

export class TfModel implements ServingModel {
  readonly inputWidth: number;
  readonly outputWidth: number;
  private disposed = false;

  private constructor(
    readonly descriptor: ModelDescriptor,
    private readonly tf: Tf,
    private readonly model: LayersModel | GraphModel,
    readonly backend: string,
  ) {
    this.inputWidth = schemaWidth(descriptor.inputSchema[0]!.shape);
    this.outputWidth = schemaWidth(descriptor.outputSchema[0]!.shape);
  }

  static async load(d: ModelDescriptor, log?: (msg: string) => void): Promise<TfModel> {
    const id = `${d.name}@${d.version}`;
    if (!d.data) throw new SluiceError('MODEL_LOAD_FAILED', `model ${id}: no bytes (resolve location before loading)`);
    verifySha256(d, d.data);
    const { format, artifacts } = decodeTfArtifacts(d.data);
    const { tf, info } = await loadTf(log);
    let model: LayersModel | GraphModel;
    try {
      const handler = tf.io.fromMemory(artifacts);
      model = format === 'graph-model' ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
    } catch (e) {
      throw new SluiceError(
        'MODEL_LOAD_FAILED',
        `model ${id}: TensorFlow.js could not load it: ${(e as Error).message}`,
        { cause: e },
      );
    }
    const m = new TfModel(d, tf, model, `tfjs/${info.backend}`);
    try {
      m.checkSchema();
      const rows = 2;
      await m.scoreBatch(new Float32Array(rows * m.inputWidth).fill(0.5), rows, m.inputWidth);
    } catch (e) {
      await m.dispose();
      throw e;
    }
    return m;
  }

  private checkSchema(): void {
    const id = `${this.descriptor.name}@${this.descriptor.version}`;
    const shapeOf = (s: unknown) => (Array.isArray(s) ? (s as (number | null)[]) : undefined);
    const inShape = shapeOf(this.model.inputs[0]?.shape);
    const outShape = shapeOf(this.model.outputs[0]?.shape);
    const check = (kind: string, shape: (number | null)[] | undefined, want: number) => {
      if (!shape) return;
      const got = shape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
      if (got !== want)
        throw new SluiceError('MODEL_SCHEMA_MISMATCH', `model ${id}: ${kind} width is ${got}, schema declares ${want}`);
    };
    if (this.model.inputs.length !== 1 || this.model.outputs.length !== 1) {
      throw new SluiceError('MODEL_SCHEMA_MISMATCH', `model ${id}: expected one input and one output`);
    }
    check('input', inShape, this.inputWidth);
    check('output', outShape, this.outputWidth);
  }

  async scoreBatch(features: Float32Array, rows: number, width: number): Promise<Float32Array> {
    const id = `${this.descriptor.name}@${this.descriptor.version}`;
    if (width !== this.inputWidth) {
      throw new SluiceError(
        'MODEL_SCHEMA_MISMATCH',
        `model ${id}: batch width ${width}, model expects ${this.inputWidth}`,
      );
    }
    let out: Tensor;
    try {
      out = this.tf.tidy(() => {
        const x = this.tf.tensor2d(features.subarray(0, rows * width), [rows, width], 'float32');
        const y = this.model.predict(x) as Tensor | Tensor[];
        return Array.isArray(y) ? y[0]! : y;
      });
    } catch (e) {
      if (isSluiceError(e)) throw e;
      throw new SluiceError('MODEL_BAD_OUTPUT', `model ${id}: predict failed: ${(e as Error).message}`, { cause: e });
    }
    try {
      const data = (await out.data()) as Float32Array;
      const copy = data instanceof Float32Array ? data : Float32Array.from(data);
      if (copy.length !== rows * this.outputWidth) {
        throw new SluiceError(
          'MODEL_BAD_OUTPUT',
          `model ${id}: output has ${copy.length} values, expected ${rows * this.outputWidth}`,
        );
      }
      assertFiniteOutput(this.descriptor, copy, this.outputWidth);
      return copy;
    } finally {
      out.dispose();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

export function tfModelFactory(log?: (msg: string) => void): ModelFactory {
  return { modelType: 'TENSORFLOW', create: (d) => TfModel.load(d, log) };
}
