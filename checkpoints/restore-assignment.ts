/**
 * Restore and rescale mapping: decides, for a new program, which part of a snapshot every new subtask
 * restores.
 *
 * - State maps to operators by `uid`. State whose uid is not in the new program fails the restore with
 *   Flink's message (RESTORE_UNMATCHED_STATE) unless `allowNonRestoredState` (-n) drops it; entries that
 *   hold no state at all (see isEmptyStateValue) are ignored either way (Flink skips empty operator
 *   state too), so stateless operators never block a restore. Program operators
 *   without state start empty.
 * - Max parallelism (the number of key groups) is fixed for a job's state: a different value is
 *   RESTORE_MAX_PARALLELISM_CHANGED — unless the program did not configure it explicitly
 *   (`maxParallelismConfigured: false`), in which case the snapshot's value is adopted, as Flink does.
 * - Keyed state: new subtask j restores every old subtask snapshot whose key-group range intersects
 *   range(maxP, newP, j); the keyed backend keeps only the key groups of its own range.
 * - Operator state: see operator-state-redistribution.ts. Coordinator and master state pass through.
 *
 * Pure: no I/O. Accepts a verified RestoredSnapshot (or any object with the same operator shape).
 */
import type { KeyGroupRange } from '../runtime/api/operator.js';
import { SluiceError } from '../runtime/errors/index.js';
import { computeKeyGroupRangeForOperatorIndex } from '../runtime/keygroups/index.js';
import { redistributeOperatorState, type OperatorStateSnapshotLike } from './operator-state-redistribution.js';
import { isEmptyStateValue } from './empty-state.js';
import type { RestoredOperatorState } from './restored-snapshot.js';

export interface ProgramOperator {
  uid: string;
  parallelism: number;
  maxParallelism: number;
  /** False when maxParallelism is a default the job did not set; then the snapshot's value is adopted. */
  maxParallelismConfigured?: boolean;
}

export interface RestoreOptions {
  allowNonRestoredState: boolean;
}

export interface SubtaskRestoreAssignment {
  subtaskIndex: number;
  /** The new subtask's key-group range. */
  keyGroupRange: KeyGroupRange;
  /** Opaque keyed snapshots intersecting the range, in old-subtask order (the backend filters by key group). */
  keyed: unknown[];
  /** Ranges of the old snapshots in `keyed` (same order), for logs and tests. */
  keyedSourceRanges: KeyGroupRange[];
  /** Redistributed operator state, undefined when the operator had none. */
  operator?: OperatorStateSnapshotLike;
}

export interface OperatorRestoreAssignment {
  uid: string;
  parallelism: number;
  maxParallelism: number;
  previousParallelism: number;
  subtasks: SubtaskRestoreAssignment[];
  coordinator?: unknown;
}

export interface RestoreAssignment {
  operators: Map<string, OperatorRestoreAssignment>;
  masterStates: Map<string, unknown>;
  /** Uids whose state was dropped because of allowNonRestoredState. */
  skippedUids: string[];
  /** Uids in the snapshot with no state at all (ignored). */
  emptyUids: string[];
  /** Program operators with no state in the snapshot (they start empty). */
  newUids: string[];
  /** Operators whose unconfigured max parallelism was taken from the snapshot. */
  adoptedMaxParallelism: Array<{ uid: string; maxParallelism: number }>;
}

/** The minimal shape checked for mapping: works for manifest entries and restored operator states alike. */
export interface SnapshotOperatorShape {
  uid: string;
  parallelism: number;
  maxParallelism: number;
  subtasks: Array<{ keyed?: unknown; operator?: unknown }>;
  coordinator?: unknown;
}

export function unmatchedStateMessage(uid: string): string {
  return (
    `Cannot map checkpoint/savepoint state for operator ${uid} to the new program, because the operator is not ` +
    `available in the new program. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI.`
  );
}

function hasState(op: SnapshotOperatorShape): boolean {
  const keyedValue = (k: unknown) => (k && typeof k === 'object' && 'state' in k ? (k as { state: unknown }).state : k);
  return (
    op.coordinator !== undefined ||
    op.subtasks.some(
      (s) => (s.keyed !== undefined && !isEmptyStateValue(keyedValue(s.keyed))) || !isEmptyStateValue(s.operator),
    )
  );
}

export interface StateMapping {
  matched: Array<{ state: SnapshotOperatorShape; program: ProgramOperator; maxParallelism: number; adopted: boolean }>;
  skippedUids: string[];
  emptyUids: string[];
  newUids: string[];
}

/**
 * Checks that a snapshot's operators (manifest entries or restored states) map onto the new program;
 * usable before any state file is read. Throws RESTORE_UNMATCHED_STATE / RESTORE_MAX_PARALLELISM_CHANGED.
 */
export function checkStateMapping(
  state: readonly SnapshotOperatorShape[],
  program: readonly ProgramOperator[],
  o: RestoreOptions,
): StateMapping {
  const byUid = new Map(program.map((p) => [p.uid, p]));
  const out: StateMapping = { matched: [], skippedUids: [], emptyUids: [], newUids: [] };
  const seen = new Set<string>();
  for (const op of state) {
    const target = byUid.get(op.uid);
    if (!hasState(op)) {
      out.emptyUids.push(op.uid);
      continue;
    }
    if (!target) {
      if (!o.allowNonRestoredState) throw new SluiceError('RESTORE_UNMATCHED_STATE', unmatchedStateMessage(op.uid));
      out.skippedUids.push(op.uid);
      continue;
    }
    seen.add(op.uid);
    let maxParallelism = target.maxParallelism;
    let adopted = false;
    if (target.maxParallelism !== op.maxParallelism) {
      if (target.maxParallelismConfigured === false) {
        maxParallelism = op.maxParallelism;
        adopted = true;
      } else {
        throw new SluiceError(
          'RESTORE_MAX_PARALLELISM_CHANGED',
          `Cannot restore state for operator ${op.uid}: the snapshot was taken with max parallelism ${op.maxParallelism}, ` +
            `but the new program sets max parallelism ${target.maxParallelism}. Max parallelism (the number of key groups) ` +
            `is fixed for a job's state; set it back to ${op.maxParallelism} for this operator (setMaxParallelism) to restore.`,
        );
      }
    }
    if (target.parallelism > maxParallelism) {
      throw new SluiceError(
        'RESTORE_MAX_PARALLELISM_CHANGED',
        `The state for operator ${op.uid} can not be restored. The maximum parallelism (${maxParallelism}) of the restored ` +
          `state is lower than the configured parallelism (${target.parallelism}). Please reduce the parallelism of the task ` +
          `to be lower or equal to the maximum parallelism.`,
      );
    }
    out.matched.push({ state: op, program: target, maxParallelism, adopted });
  }
  for (const p of program) if (!seen.has(p.uid)) out.newUids.push(p.uid);
  return out;
}

function intersects(a: KeyGroupRange, b: KeyGroupRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Computes what every new subtask of every program operator restores from `snapshot`. */
export function assignRestoreState(
  snapshot: { operators: readonly RestoredOperatorState[]; masterStates?: ReadonlyMap<string, unknown> },
  program: readonly ProgramOperator[],
  o: RestoreOptions,
): RestoreAssignment {
  const mapping = checkStateMapping(snapshot.operators, program, o);
  const result: RestoreAssignment = {
    operators: new Map(),
    masterStates: new Map(snapshot.masterStates ?? []),
    skippedUids: mapping.skippedUids,
    emptyUids: mapping.emptyUids,
    newUids: mapping.newUids,
    adoptedMaxParallelism: [],
  };
  for (const { state, program: target, maxParallelism, adopted } of mapping.matched) {
    const op = state as RestoredOperatorState;
    if (adopted) result.adoptedMaxParallelism.push({ uid: op.uid, maxParallelism });
    const newP = target.parallelism;
    const previousOperator: unknown[] = Array.from({ length: op.parallelism }, () => undefined);
    for (const st of op.subtasks) previousOperator[st.subtaskIndex] = st.operator;
    const operatorParts = redistributeOperatorState(op.uid, previousOperator, newP);
    const keyedOld = [...op.subtasks]
      .sort((a, b) => a.subtaskIndex - b.subtaskIndex)
      .filter((s) => s.keyed !== undefined);
    const subtasks: SubtaskRestoreAssignment[] = [];
    for (let j = 0; j < newP; j++) {
      const keyGroupRange = computeKeyGroupRangeForOperatorIndex(maxParallelism, newP, j);
      const sources = keyedOld.filter((s) => intersects(s.keyed!.keyGroupRange, keyGroupRange));
      const sub: SubtaskRestoreAssignment = {
        subtaskIndex: j,
        keyGroupRange,
        keyed: sources.map((s) => s.keyed!.state),
        keyedSourceRanges: sources.map((s) => ({ ...s.keyed!.keyGroupRange })),
      };
      const part = operatorParts[j];
      if (part !== undefined) sub.operator = part;
      subtasks.push(sub);
    }
    const assignment: OperatorRestoreAssignment = {
      uid: op.uid,
      parallelism: newP,
      maxParallelism,
      previousParallelism: op.parallelism,
      subtasks,
    };
    if (op.coordinator !== undefined) assignment.coordinator = op.coordinator;
    result.operators.set(op.uid, assignment);
  }
  return result;
}
