/** runtime/keygroups: Java hashCode semantics, Flink key-group assignment, and stream partitioners. */
export { javaHashCode, stringHashCode, bigintHashCode, doubleHashCode, numberHashCode } from '../api/java-hash.js';
export {
  murmurHash,
  assignToKeyGroup,
  computeKeyGroupForKeyHash,
  computeOperatorIndexForKeyGroup,
  assignKeyToParallelOperator,
  computeKeyGroupRangeForOperatorIndex,
  computeDefaultMaxParallelism,
  checkParallelismBounds,
  roundUpToPowerOfTwo,
  keyGroupRangeContains,
  keyGroupRangeSize,
  UPPER_BOUND_MAX_PARALLELISM,
  DEFAULT_LOWER_BOUND_MAX_PARALLELISM,
} from './key-group-assignment.js';
export { createPartitioner, rescaleSubset } from './partitioners.js';
export type { Partitioner, PartitionerKind, PartitionerOptions } from './partitioners.js';
