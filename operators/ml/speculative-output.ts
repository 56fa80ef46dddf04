/**
 * What speculative serving emits: one `SpeculativeScored` per record (the chosen prediction, the winning model(s),
 * which models answered and which missed), or the record itself on `SPECULATIVE_UNSCORED_TAG` when every model
 * failed on its batch; `scoredRecord` builds one row's output from the scorer's `SpeculativeResult`.
 *
 * Invariants: model ids are `name@version` (a name may itself contain `@`: the version follows the last one);
 * `model`/`version` are the first winner's, `winners` every credited id; `predictions` is set only when a model
 * answers more than one value per row; timestamps are epoch ms.
 */
import { OutputTag } from '../../runtime/api/output-tag.js';
import type { SpeculativeResult } from './speculative.js';

/** Records that no model could score (every model failed on their batch). */
export const SPECULATIVE_UNSCORED_TAG = new OutputTag<unknown>('speculative-unscored');

export interface SpeculativeScored<T> {
  record: T;
  timestampMs: number;
  prediction: number;
  predictions?: number[];
  /** The first winner's name and version; `winners` lists every credited model id (consensus may credit several). */
  model: string;
  version: string;
  winners: string[];
  /** Model ids that answered in time, and those that missed the deadline, were busy or failed. */
  answered: string[];
  missed: string[];
  batchSize: number;
  servedAtMs: number;
}

/** Row `i` of a batch of `batchSize` records scored as `r`; `answered` are the ids not in `r.droppedOut`. */
export function scoredRecord<T>(
  record: T,
  timestampMs: number,
  i: number,
  r: SpeculativeResult,
  answered: string[],
  batchSize: number,
  servedAtMs: number,
): SpeculativeScored<T> {
  const ow = r.outputWidth;
  const [name, version] = splitId(r.winners[i]![0]!);
  const s: SpeculativeScored<T> = {
    record,
    timestampMs,
    prediction: r.predictions[i * ow]!,
    model: name,
    version,
    winners: r.winners[i]!,
    answered,
    missed: r.droppedOut,
    batchSize,
    servedAtMs,
  };
  if (ow > 1) s.predictions = Array.from(r.predictions.subarray(i * ow, (i + 1) * ow));
  return s;
}

function splitId(id: string): [string, string] {
  const at = id.lastIndexOf('@');
  return [id.slice(0, at), id.slice(at + 1)];
}
