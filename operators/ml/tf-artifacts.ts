/**
 * The byte format of a TENSORFLOW ModelDescriptor's `data`: one msgpack map holding TensorFlow.js model
 * artifacts — `{ format: 'layers-model' | 'graph-model', modelTopology, weightSpecs, weightData: bytes,
 * signature? }` — exactly what `model.save(tf.io.withSaveHandler(…))` produces, so a model saved in code or
 * converted by tensorflowjs_converter (model.json + shards concatenated) travels as one blob.
 * Invariant: decode(encode(a)) gives artifacts tf.io.fromMemory accepts; undecodable bytes throw
 * MODEL_LOAD_FAILED.
 */
import { pack, unpack } from 'msgpackr';
import type { io } from '@tensorflow/tfjs';
import { SluiceError } from '../../runtime/errors/index.js';

export type TfModelFormat = 'layers-model' | 'graph-model';

export function encodeTfArtifacts(a: io.ModelArtifacts): Uint8Array {
  const weights = a.weightData;
  const weightData =
    weights === undefined
      ? new Uint8Array(0)
      : Array.isArray(weights)
        ? Buffer.concat(weights.map((b) => new Uint8Array(b)))
        : new Uint8Array(weights);
  return pack({
    format: a.format === 'graph-model' ? 'graph-model' : 'layers-model',
    modelTopology: a.modelTopology,
    weightSpecs: a.weightSpecs ?? [],
    weightData,
    signature: a.signature ?? null,
  });
}

export function decodeTfArtifacts(bytes: Uint8Array): { format: TfModelFormat; artifacts: io.ModelArtifacts } {
  let o: Record<string, unknown>;
  try {
    o = unpack(bytes) as Record<string, unknown>;
  } catch (e) {
    throw new SluiceError(
      'MODEL_LOAD_FAILED',
      `TENSORFLOW model bytes are not a sluice tfjs artifact bundle: ${(e as Error).message}`,
    );
  }
  if (!o || typeof o !== 'object' || !o.modelTopology || !(o.weightData instanceof Uint8Array)) {
    throw new SluiceError('MODEL_LOAD_FAILED', 'TENSORFLOW model bytes lack modelTopology or weightData');
  }
  const wd = o.weightData;
  const weightData = wd.buffer.slice(wd.byteOffset, wd.byteOffset + wd.byteLength) as ArrayBuffer;
  const format = o.format === 'graph-model' ? 'graph-model' : 'layers-model';
  const artifacts: io.ModelArtifacts = {
    format,
    modelTopology: o.modelTopology as io.ModelArtifacts['modelTopology'],
    weightSpecs: o.weightSpecs as io.WeightsManifestEntry[],
    weightData,
  };
  if (o.signature) artifacts.signature = o.signature as object;
  return { format, artifacts };
}
