/** operators/joins: event-time joins of two keyed streams. */
export {
  IntervalJoinOperator,
  CLEANUP_NAMESPACE_LEFT,
  CLEANUP_NAMESPACE_RIGHT,
  INTERVAL_JOIN_TIMER_SERVICE,
} from './interval-join-operator.js';
export type { IntervalJoinOptions, ProcessJoinContext, ProcessJoinFunction } from './interval-join-operator.js';
