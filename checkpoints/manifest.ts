/**
 * The `_metadata` manifest: a versioned JSON document describing one completed checkpoint or savepoint
 * and every state file it references (relative name, body sha256, size).
 *
 * Invariants: the manifest is written LAST and published atomically (locally: a temp file that is fsynced,
 * renamed to `_metadata`, and followed by an fsync of the directory; on S3: one PUT) — so `_metadata` exists
 * only when every referenced file is durable. Savepoint handles are plain relative paths inside the savepoint directory (relocatable: a
 * copied directory restores). Reading validates the structure (CHECKPOINT_CORRUPT naming the file) and
 * `verifyManifestFiles` checks every referenced file's checksum.
 */
import * as path from 'node:path';
import type { KeyGroupRange } from '../runtime/api/operator.js';
import { SluiceError } from '../runtime/errors/index.js';
import { METADATA_FILE, joinLocation } from './layout.js';
import { readStateFile } from './state-file.js';
import { guardWrite } from './storage-fs.js';
import { storeFor, type SnapshotStore } from './store.js';

export const MANIFEST_FORMAT = 'sluice-checkpoint-metadata';
export const MANIFEST_VERSION = 1;

/** An inclusive key-group range, as Flink's KeyGroupRange (the API's type). */
export type { KeyGroupRange };

/** One state file: its name relative to the manifest's directory, the body's sha256 (hex) and total size. */
export interface StateHandle {
  file: string;
  sha256: string;
  sizeBytes: number;
}

export interface KeyedStateHandle extends StateHandle {
  keyGroupRange: KeyGroupRange;
  /**
   * Incremental checkpoints: the earlier segments (oldest first, a full one first) that `file`, a delta
   * segment, applies on; all in the job's shared directory (keyed-segments.ts).
   */
  baseSegments?: StateHandle[];
}

export interface SubtaskStateHandles {
  subtaskIndex: number;
  keyed?: KeyedStateHandle;
  operator?: StateHandle;
}

export interface OperatorManifestEntry {
  uid: string;
  parallelism: number;
  maxParallelism: number;
  subtasks: SubtaskStateHandles[];
  /** Operator-coordinator state (e.g. a source's split enumerator), restored by uid like subtask state. */
  coordinator?: StateHandle;
}

/** Job-level master state (checkpoint hooks), not tied to an operator. */
export interface MasterStateEntry {
  name: string;
  handle: StateHandle;
}

export type SnapshotKind = 'CHECKPOINT' | 'SAVEPOINT';
export type SavepointFormat = 'CANONICAL' | 'NATIVE';

export interface CheckpointManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  checkpointId: number;
  jobId: string;
  timestampMs: number;
  kind: SnapshotKind;
  savepointFormat?: SavepointFormat;
  operators: OperatorManifestEntry[];
  masterStates: MasterStateEntry[];
}

/** Builds a manifest with the format fields filled in. */
export function createManifest(
  fields: Omit<CheckpointManifest, 'format' | 'version' | 'masterStates'> & { masterStates?: MasterStateEntry[] },
): CheckpointManifest {
  return { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, ...fields, masterStates: fields.masterStates ?? [] };
}

class Invalid extends Error {}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
function need(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Invalid(what);
}
const isNat = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function checkHandle(h: unknown, where: string, kind: SnapshotKind): asserts h is StateHandle {
  need(isObj(h), `${where} is not an object`);
  need(typeof h.file === 'string' && h.file.length > 0, `${where}.file is missing`);
  need(typeof h.sha256 === 'string' && /^[0-9a-f]{64}$/.test(h.sha256), `${where}.sha256 is not a hex sha256`);
  need(isNat(h.sizeBytes), `${where}.sizeBytes is not a byte count`);
  const file = h.file as string;
  if (kind === 'SAVEPOINT') {
    need(
      !path.isAbsolute(file) && !file.split(/[\\/]/).includes('..'),
      `${where}.file "${file}" is not a relative path inside the savepoint (savepoints must be relocatable)`,
    );
  }
}

/** Checks a parsed manifest's structure; throws a plain Error describing the first problem. */
function checkManifest(m: unknown): asserts m is CheckpointManifest {
  need(isObj(m), 'the manifest is not a JSON object');
  need(m.format === MANIFEST_FORMAT, `format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
  need(m.version === MANIFEST_VERSION, `unsupported manifest version ${JSON.stringify(m.version)}`);
  need(isNat(m.checkpointId) && m.checkpointId > 0, 'checkpointId is not a positive integer');
  need(typeof m.jobId === 'string' && m.jobId.length > 0, 'jobId is missing');
  need(isNat(m.timestampMs), 'timestampMs is not a timestamp');
  need(
    m.kind === 'CHECKPOINT' || m.kind === 'SAVEPOINT',
    `kind ${JSON.stringify(m.kind)} is neither CHECKPOINT nor SAVEPOINT`,
  );
  need(
    m.savepointFormat === undefined || m.savepointFormat === 'CANONICAL' || m.savepointFormat === 'NATIVE',
    'savepointFormat is invalid',
  );
  const kind = m.kind as SnapshotKind;
  need(Array.isArray(m.operators), 'operators is not an array');
  const uids = new Set<string>();
  for (const [i, op] of (m.operators as unknown[]).entries()) {
    const w = `operators[${i}]`;
    need(isObj(op), `${w} is not an object`);
    need(typeof op.uid === 'string' && op.uid.length > 0, `${w}.uid is missing`);
    need(!uids.has(op.uid as string), `operator uid "${op.uid}" appears twice`);
    uids.add(op.uid as string);
    need(isNat(op.maxParallelism) && op.maxParallelism > 0, `${w}.maxParallelism is invalid`);
    need(
      isNat(op.parallelism) && op.parallelism > 0 && op.parallelism <= (op.maxParallelism as number),
      `${w}.parallelism is invalid or above maxParallelism`,
    );
    need(Array.isArray(op.subtasks), `${w}.subtasks is not an array`);
    const seen = new Set<number>();
    for (const [j, st] of (op.subtasks as unknown[]).entries()) {
      const ws = `${w}.subtasks[${j}]`;
      need(isObj(st), `${ws} is not an object`);
      need(
        isNat(st.subtaskIndex) && st.subtaskIndex < (op.parallelism as number),
        `${ws}.subtaskIndex is outside [0, parallelism)`,
      );
      need(!seen.has(st.subtaskIndex as number), `${ws}.subtaskIndex ${st.subtaskIndex} appears twice`);
      seen.add(st.subtaskIndex as number);
      if (st.operator !== undefined) checkHandle(st.operator, `${ws}.operator`, kind);
      if (st.keyed !== undefined) {
        checkHandle(st.keyed, `${ws}.keyed`, kind);
        const r = (st.keyed as unknown as Record<string, unknown>).keyGroupRange;
        need(
          isObj(r) &&
            isNat(r.start) &&
            isNat(r.end) &&
            (r.start as number) <= (r.end as number) &&
            (r.end as number) < (op.maxParallelism as number),
          `${ws}.keyed.keyGroupRange is invalid for maxParallelism ${op.maxParallelism}`,
        );
        const bases = (st.keyed as unknown as Record<string, unknown>).baseSegments;
        if (bases !== undefined) {
          need(kind === 'CHECKPOINT' && Array.isArray(bases), `${ws}.keyed.baseSegments is not a checkpoint's list`);
          for (const [k, h] of (bases as unknown[]).entries()) checkHandle(h, `${ws}.keyed.baseSegments[${k}]`, kind);
        }
      }
    }
    if (op.coordinator !== undefined) checkHandle(op.coordinator, `${w}.coordinator`, kind);
  }
  need(Array.isArray(m.masterStates), 'masterStates is not an array');
  for (const [i, ms] of (m.masterStates as unknown[]).entries()) {
    need(isObj(ms) && typeof ms.name === 'string', `masterStates[${i}].name is missing`);
    checkHandle(ms.handle, `masterStates[${i}].handle`, kind);
  }
}

/** Validates a parsed manifest; CHECKPOINT_CORRUPT naming `label` when invalid. */
export function validateManifest(raw: unknown, label: string): CheckpointManifest {
  try {
    checkManifest(raw);
    return raw;
  } catch (err) {
    if (err instanceof Invalid)
      throw new SluiceError('CHECKPOINT_CORRUPT', `Checkpoint metadata ${label} is invalid: ${err.message}`);
    throw err;
  }
}

/** Every state handle a manifest references, with a label saying where it belongs. */
export function manifestHandles(m: CheckpointManifest): Array<{ label: string; handle: StateHandle }> {
  const out: Array<{ label: string; handle: StateHandle }> = [];
  for (const op of m.operators) {
    for (const st of op.subtasks) {
      if (st.keyed) {
        for (const [k, h] of (st.keyed.baseSegments ?? []).entries())
          out.push({ label: `keyed base segment ${k + 1} of ${op.uid}#${st.subtaskIndex}`, handle: h });
        out.push({ label: `keyed state of ${op.uid}#${st.subtaskIndex}`, handle: st.keyed });
      }
      if (st.operator) out.push({ label: `operator state of ${op.uid}#${st.subtaskIndex}`, handle: st.operator });
    }
    if (op.coordinator) out.push({ label: `coordinator state of ${op.uid}`, handle: op.coordinator });
  }
  for (const ms of m.masterStates) out.push({ label: `master state ${ms.name}`, handle: ms.handle });
  return out;
}

/** Location of a handle's file, relative to the directory holding `_metadata`. */
export function handlePath(dir: string, handle: StateHandle): string {
  return joinLocation(dir, handle.file);
}

/**
 * Writes `<dir>/_metadata` last and atomically (the store's `publish`). Throws CHECKPOINT_STORAGE on any
 * storage failure and refuses to overwrite an existing `_metadata`.
 */
export async function writeManifest(
  dir: string,
  manifest: CheckpointManifest,
  store: SnapshotStore = storeFor(dir),
): Promise<string> {
  try {
    checkManifest(manifest);
  } catch (err) {
    throw new SluiceError(
      'CHECKPOINT_STORAGE',
      `Refusing to write an invalid manifest for checkpoint ${manifest.checkpointId}: ${(err as Error).message}`,
    );
  }
  const target = store.join(dir, METADATA_FILE);
  const exists = await guardWrite('Checking checkpoint metadata', target, () => store.exists(target));
  if (exists)
    throw new SluiceError(
      'CHECKPOINT_STORAGE',
      `${target} already exists; a completed checkpoint is never overwritten`,
    );
  const bytes = Buffer.from(JSON.stringify(manifest, null, 1) + '\n', 'utf8');
  await guardWrite('Publishing checkpoint metadata', target, () => store.publish(target, bytes));
  return target;
}

/** Reads and validates a `_metadata` file (CHECKPOINT_CORRUPT when unreadable or invalid). */
export async function readManifest(
  metadataPath: string,
  store: SnapshotStore = storeFor(metadataPath),
): Promise<CheckpointManifest> {
  let text: string;
  try {
    text = (await store.get(metadataPath)).toString('utf8');
  } catch (err) {
    throw new SluiceError(
      'CHECKPOINT_CORRUPT',
      `Checkpoint metadata ${metadataPath} cannot be read: ${(err as Error).message}`,
      { cause: err },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SluiceError(
      'CHECKPOINT_CORRUPT',
      `Checkpoint metadata ${metadataPath} is not valid JSON (truncated?): ${(err as Error).message}`,
      { cause: err },
    );
  }
  return validateManifest(raw, metadataPath);
}

/**
 * Reads every file the manifest references, verifying each checksum and size, and returns the decoded
 * values keyed by handle file name. Throws CHECKPOINT_CORRUPT naming the first bad file.
 */
export async function verifyManifestFiles(
  dir: string,
  manifest: CheckpointManifest,
  store: SnapshotStore = storeFor(dir),
): Promise<Map<string, unknown>> {
  const values = new Map<string, unknown>();
  for (const { handle } of manifestHandles(manifest)) {
    if (values.has(handle.file)) continue;
    values.set(handle.file, await readStateFile(handlePath(dir, handle), handle, store));
  }
  return values;
}
