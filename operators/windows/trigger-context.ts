/**
 * The trigger context of the window operator (Flink's WindowOperator.Context as a TriggerContext and
 * OnMergeContext): timers and partitioned state scoped to the current key and one window, whose namespace
 * ("start:end" / "global") is the timer namespace, so timers come back to the operator for that window.
 *
 * mergePartitionedState folds the state of the merged windows into the merge result for reducing and list
 * state (Flink's MergingState); aggregating state is refused because its handle exposes only the result,
 * not the accumulator (STATE_NOT_MERGEABLE).
 */
import type { InternalTimerService, KeyedStateBackend } from '../../runtime/api/operator.js';
import type { ListState, ReducingState, StateDescriptor, StateOf } from '../../runtime/api/state.js';
import { SluiceError } from '../../runtime/errors/catalogue.js';
import type { OnMergeContext, TriggerContext } from './trigger.js';
import type { Window } from './window.js';

export interface WindowTriggerContext<W extends Window> {
  bind(window: W): TriggerContext;
  bindMerge(window: W, mergedWindows: W[]): OnMergeContext;
}

export function createTriggerContext<W extends Window>(
  backend: KeyedStateBackend,
  timers: InternalTimerService,
): WindowTriggerContext<W> {
  let ns = '';
  let merged: W[] = [];
  const ctx: OnMergeContext = {
    getCurrentProcessingTime: () => timers.currentProcessingTime(),
    getCurrentWatermark: () => timers.currentWatermark(),
    registerProcessingTimeTimer: (t) => timers.registerProcessingTimeTimer(ns, t),
    registerEventTimeTimer: (t) => timers.registerEventTimeTimer(ns, t),
    deleteProcessingTimeTimer: (t) => timers.deleteProcessingTimeTimer(ns, t),
    deleteEventTimeTimer: (t) => timers.deleteEventTimeTimer(ns, t),
    getPartitionedState: <D extends StateDescriptor>(desc: D): StateOf<D> => backend.getPartitionedState(ns, desc),
    mergePartitionedState: (desc) => {
      if (merged.length === 0) return;
      if (desc.kind === 'reducing') {
        const target = backend.getPartitionedState(ns, desc) as ReducingState<unknown>;
        for (const m of merged) {
          const src = backend.getPartitionedState(m.toString(), desc) as ReducingState<unknown>;
          const v = src.get();
          src.clear();
          if (v !== undefined) target.add(v);
        }
      } else if (desc.kind === 'list') {
        const target = backend.getPartitionedState(ns, desc) as ListState<unknown>;
        for (const m of merged) {
          const src = backend.getPartitionedState(m.toString(), desc) as ListState<unknown>;
          const items = src.get();
          src.clear();
          if (items.length) target.addAll(items);
        }
      } else {
        throw new SluiceError(
          'STATE_NOT_MERGEABLE',
          `The state descriptor "${desc.name}" (${desc.kind} state) does not refer to a mergeable state: triggers can merge reducing and list state`,
        );
      }
    },
  };
  return {
    bind(window) {
      ns = window.toString();
      merged = [];
      return ctx;
    },
    bindMerge(window, mergedWindows) {
      ns = window.toString();
      merged = mergedWindows;
      return ctx;
    },
  };
}
