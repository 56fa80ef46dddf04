/** runtime/state: heap and RocksDB keyed state backends, timers, operator state store, and their snapshot shapes. */
export {
  createKeyedStateBackend,
  HeapKeyedStateBackend,
  materializeKeyedSnapshot,
} from './heap-keyed-state-backend.js';
export type {
  KeyedSnapshotVersion,
  KeyedStateBackendOptions,
  TimerSnapshotParticipant,
} from './heap-keyed-state-backend.js';
export { copyStateValue } from './copy-state-value.js';
export { decodeKeyGroups, encodeKeyGroup } from './key-group-codec.js';
export { canonicalKey, timerIdentity } from './key-codec.js';
export type { CanonicalKey } from './key-codec.js';
export type * from './snapshot-types.js';
export { createTimerServiceManager, TimerServiceManager } from './timer-service-manager.js';
export type { TimerServiceManagerOptions } from './timer-service-manager.js';
export { HeapInternalTimerService } from './internal-timer-service.js';
export { TimerHeap } from './timer-heap.js';
export type { TimerEntry } from './timer-heap.js';
export { createOperatorStateStore, HeapOperatorStateStore } from './operator-state-store.js';
export { recordEntries, normalizeKeyedSnapshot, normalizeOperatorSnapshot } from './snapshot-types.js';
export { SubtaskQueryableStates } from './queryable-state-registry.js';
export { openKeyedStateBackend, DEFAULT_STATE_BACKEND } from './keyed-backend.js';
export type { RuntimeKeyedStateBackend, StateBackendSpec, OpenKeyedBackendOptions } from './keyed-backend.js';
export { RocksDbKeyedStateBackend } from './rocksdb-keyed-state-backend.js';
export type { FreezeContext, RocksDbKeyedStateBackendOptions } from './rocksdb-keyed-state-backend.js';
