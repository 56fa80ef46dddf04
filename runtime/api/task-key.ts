/**
 * TaskKey: the identity of one subtask of a job graph (Flink's ExecutionVertexID) — a job vertex id and a
 * subtask index — as the one string form "vertexId#subtaskIndex" that maps, checkpoint acknowledgements,
 * restore assignments and control-plane messages use. `taskKey` is the only constructor (and formatter),
 * `parseTaskKey` the only parser of untrusted text, `taskKeyParts` the only way back to the parts.
 *
 * Invariants: a TaskKey always holds a non-empty vertex id without '#' and a non-negative integer subtask
 * index written in decimal without leading zeros, so `taskKey(parts(k)) === k` and equal subtasks give
 * equal strings.
 */
import { SluiceError } from '../errors/catalogue.js';

declare const taskKeyBrand: unique symbol;
/** "vertexId#subtaskIndex", only made by `taskKey` or `parseTaskKey`. */
export type TaskKey = string & { readonly [taskKeyBrand]: true };

export interface TaskKeyParts {
  readonly vertexId: string;
  readonly subtaskIndex: number;
}

const SEPARATOR = '#';
const INDEX = /^(0|[1-9][0-9]*)$/;

/** The key of subtask `subtaskIndex` of job vertex `vertexId`. */
export function taskKey(vertexId: string, subtaskIndex: number): TaskKey {
  if (vertexId.length === 0 || vertexId.includes(SEPARATOR))
    throw new SluiceError('TASK_KEY_INVALID', `a vertex id must be non-empty and contain no '#' (got "${vertexId}")`);
  if (!Number.isSafeInteger(subtaskIndex) || subtaskIndex < 0)
    throw new SluiceError(
      'TASK_KEY_INVALID',
      `a subtask index must be a non-negative integer (got ${subtaskIndex} for vertex ${vertexId})`,
    );
  return `${vertexId}${SEPARATOR}${subtaskIndex}` as TaskKey;
}

/** Reads "vertexId#subtaskIndex" from text (a message, a file); refuses anything `taskKey` would not make. */
export function parseTaskKey(text: string): TaskKey {
  if (!isTaskKey(text))
    throw new SluiceError('TASK_KEY_INVALID', `"${text}" is not a task key ("vertexId#subtaskIndex")`);
  return text;
}

/** True when `text` is a well-formed task key. */
export function isTaskKey(text: string): text is TaskKey {
  const at = text.indexOf(SEPARATOR);
  const index = text.slice(at + 1);
  return at > 0 && INDEX.test(index) && Number.isSafeInteger(Number(index));
}

/** The vertex id and subtask index of a key. */
export function taskKeyParts(key: TaskKey): TaskKeyParts {
  const at = key.lastIndexOf(SEPARATOR);
  return { vertexId: key.slice(0, at), subtaskIndex: Number(key.slice(at + 1)) };
}
