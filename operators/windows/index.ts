/** operators/windows: windows, assigners, triggers, evictors, window functions and the window operator. */
export { TimeWindow, GlobalWindow, windowFromNamespace } from './window.js';
export type { Window } from './window.js';
export { isMergingAssigner, requireEventTimestamp } from './window-assigner.js';
export type { MergingWindowAssigner, WindowAssigner, WindowAssignerContext } from './window-assigner.js';
export { TumblingEventTimeWindows, SlidingEventTimeWindows, EventTimeSessionWindows } from './event-time-assigners.js';
export {
  TumblingProcessingTimeWindows,
  SlidingProcessingTimeWindows,
  ProcessingTimeSessionWindows,
} from './processing-time-assigners.js';
export { GlobalWindows, NeverTrigger } from './global-windows.js';
export { TriggerResult } from './trigger.js';
export type { OnMergeContext, Trigger, TriggerContext } from './trigger.js';
export { EventTimeTrigger, ProcessingTimeTrigger, CountTrigger, PurgingTrigger } from './triggers.js';
export { ContinuousEventTimeTrigger, ContinuousProcessingTimeTrigger } from './continuous-triggers.js';
export { CountEvictor, TimeEvictor } from './evictors.js';
export { DeltaTrigger, ProcessingTimeoutTrigger } from './delta-timeout-triggers.js';
export { DeltaEvictor } from './delta-evictor.js';
export { EuclideanDistance } from './delta-function.js';
export type { DeltaFunction } from './delta-function.js';
export type { Evictor, EvictorContext, TimestampedValue } from './evictors.js';
export { MergingWindowSet, MERGING_WINDOW_SET_STATE } from './merging-window-set.js';
export type { MergeFunction } from './merging-window-set.js';
export type {
  KeyedStateStore,
  ProcessWindowContext,
  ProcessWindowFunction,
  WindowFunctionSpec,
} from './window-functions.js';
export { WindowOperator, WINDOW_TIMER_SERVICE } from './window-operator.js';
export type { WindowOperatorOptions } from './window-operator.js';
export { WINDOW_CONTENTS_STATE } from './window-contents.js';
