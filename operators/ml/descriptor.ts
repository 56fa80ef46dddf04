/**
 * ModelDescriptor: a model as data. Types, validation, sha256, and JSON / msgpack encodings.
 * Invariants: a valid descriptor has exactly one of `data` (bytes) or `location`; `sha256` is 64 lowercase
 * hex chars; input/output schemas name tensors with float32 shapes where -1 means "any" (the batch axis).
 * JSON carries `data` as base64; msgpack carries it as raw bytes. decode* always validates.
 */
import { createHash } from 'node:crypto';
import { pack, unpack } from 'msgpackr';
import { SluiceError } from '../../runtime/errors/index.js';

export type ModelType = 'ONNX' | 'TENSORFLOW' | (string & {});

export interface TensorSchema {
  name: string;
  /** Shape with -1 for a free axis (the batch axis is always free), e.g. [-1, 16]. */
  shape: number[];
  dtype?: 'float32';
}

export interface TrainingInfo {
  trainedAt: number;
  dataWindow: { fromMs: number; toMs: number };
  metrics: Record<string, number>;
  featureSchema: string[];
  codeVersion: string;
  /** Why it was trained (initial, schedule, drift), when a retrainer published it. */
  reason?: string;
}

export interface ModelDescriptor {
  name: string;
  version: string;
  description: string;
  dataType: string;
  modelType: ModelType;
  data?: Uint8Array;
  location?: string;
  sha256: string;
  inputSchema: TensorSchema[];
  outputSchema: TensorSchema[];
  /** Event time (epoch ms) from which this model is valid under the event-time switch policy. */
  validFrom?: number;
  training?: TrainingInfo;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Problems with a descriptor, each a human-readable sentence; empty when valid. */
export function descriptorProblems(d: unknown): string[] {
  const p: string[] = [];
  if (d === null || typeof d !== 'object') return ['descriptor is not an object'];
  const o = d as Record<string, unknown>;
  for (const k of ['name', 'version', 'dataType', 'modelType', 'sha256'] as const) {
    if (typeof o[k] !== 'string' || (o[k] as string).length === 0) p.push(`${k} must be a non-empty string`);
  }
  if (o.description !== undefined && typeof o.description !== 'string') p.push('description must be a string');
  const hasData = o.data !== undefined && o.data !== null;
  const hasLocation = o.location !== undefined && o.location !== null;
  if (hasData === hasLocation) p.push('exactly one of data or location must be set');
  if (hasData && !(o.data instanceof Uint8Array)) p.push('data must be bytes (Uint8Array)');
  if (hasData && o.data instanceof Uint8Array && o.data.byteLength === 0) p.push('data is empty');
  if (hasLocation && (typeof o.location !== 'string' || o.location.length === 0))
    p.push('location must be a non-empty string');
  if (typeof o.sha256 === 'string' && !/^[0-9a-f]{64}$/.test(o.sha256))
    p.push('sha256 must be 64 lowercase hex characters');
  for (const k of ['inputSchema', 'outputSchema'] as const) {
    const s = o[k];
    if (!Array.isArray(s) || s.length === 0) {
      p.push(`${k} must be a non-empty array`);
      continue;
    }
    s.forEach((t: unknown, i) => {
      const ts = t as Partial<TensorSchema> | null;
      if (!ts || typeof ts.name !== 'string' || ts.name.length === 0)
        p.push(`${k}[${i}].name must be a non-empty string`);
      if (!ts || !Array.isArray(ts.shape) || !ts.shape.every((n) => Number.isInteger(n) && (n === -1 || n > 0))) {
        p.push(`${k}[${i}].shape must be positive integers or -1`);
      }
      if (ts && ts.dtype !== undefined && ts.dtype !== 'float32') p.push(`${k}[${i}].dtype must be float32`);
    });
  }
  if (o.validFrom !== undefined && (typeof o.validFrom !== 'number' || !Number.isFinite(o.validFrom))) {
    p.push('validFrom must be a finite number (epoch ms)');
  }
  if (o.training !== undefined) {
    const tr = o.training as Partial<TrainingInfo> | null;
    if (!tr || typeof tr !== 'object') p.push('training must be an object');
    else {
      if (typeof tr.trainedAt !== 'number') p.push('training.trainedAt must be a number');
      if (!tr.dataWindow || typeof tr.dataWindow.fromMs !== 'number' || typeof tr.dataWindow.toMs !== 'number') {
        p.push('training.dataWindow must be {fromMs, toMs}');
      }
      if (!tr.metrics || typeof tr.metrics !== 'object') p.push('training.metrics must be an object');
      if (!Array.isArray(tr.featureSchema)) p.push('training.featureSchema must be an array');
      if (typeof tr.codeVersion !== 'string') p.push('training.codeVersion must be a string');
    }
  }
  return p;
}

/** Throws MODEL_INVALID_DESCRIPTOR listing every problem. */
export function validateDescriptor(d: unknown): asserts d is ModelDescriptor {
  const problems = descriptorProblems(d);
  if (problems.length > 0) {
    const name = (d as { name?: unknown } | null)?.name;
    throw new SluiceError(
      'MODEL_INVALID_DESCRIPTOR',
      `model descriptor ${String(name ?? '?')} is invalid: ${problems.join('; ')}`,
    );
  }
}

/** Throws MODEL_HASH_MISMATCH when `bytes` do not hash to the descriptor's sha256. */
export function verifySha256(d: ModelDescriptor, bytes: Uint8Array): void {
  const actual = sha256Hex(bytes);
  if (actual !== d.sha256) {
    throw new SluiceError(
      'MODEL_HASH_MISMATCH',
      `model ${d.name}@${d.version}: sha256 is ${actual}, descriptor says ${d.sha256}`,
    );
  }
}

/** Builds a descriptor from bytes, computing sha256. */
export function descriptorFromBytes(
  fields: Omit<ModelDescriptor, 'sha256' | 'data' | 'location'>,
  data: Uint8Array,
): ModelDescriptor {
  const d: ModelDescriptor = { ...fields, data, sha256: sha256Hex(data) };
  validateDescriptor(d);
  return d;
}

export function encodeDescriptorJson(d: ModelDescriptor): string {
  validateDescriptor(d);
  const { data, ...rest } = d;
  return JSON.stringify(
    data ? { ...rest, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64') } : rest,
  );
}

export function decodeDescriptorJson(text: string): ModelDescriptor {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new SluiceError('MODEL_INVALID_DESCRIPTOR', `model descriptor is not valid JSON: ${(e as Error).message}`);
  }
  if (o && typeof o === 'object' && typeof o.data === 'string') o.data = new Uint8Array(Buffer.from(o.data, 'base64'));
  validateDescriptor(o);
  return o;
}

export function encodeDescriptorMsgpack(d: ModelDescriptor): Uint8Array {
  validateDescriptor(d);
  return pack(d);
}

export function decodeDescriptorMsgpack(bytes: Uint8Array): ModelDescriptor {
  let o: unknown;
  try {
    o = unpack(bytes);
  } catch (e) {
    throw new SluiceError('MODEL_INVALID_DESCRIPTOR', `model descriptor is not valid msgpack: ${(e as Error).message}`);
  }
  if (o && typeof o === 'object') {
    const r = o as Record<string, unknown>;
    if (Buffer.isBuffer(r.data)) r.data = new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength);
  }
  validateDescriptor(o);
  return o;
}

/** Short identity for logs and outputs. */
export function modelId(d: Pick<ModelDescriptor, 'name' | 'version'>): string {
  return `${d.name}@${d.version}`;
}
