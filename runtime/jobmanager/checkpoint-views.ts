/**
 * Flink's `/jobs/:id/checkpoints` and `/jobs/:id/checkpoints/config` for one job, from the checkpoint
 * subsystem's statistics tracker and config-info builder.
 */
import { checkpointConfigInfo } from '../../checkpoints/checkpoint-config-info.js';
import type { JobCheckpointing } from './job-checkpointing.js';

/** `backendType`: the job's state.backend.type (Flink names the backend class). */
export function checkpointConfigView(cp: JobCheckpointing, backendType?: 'hashmap' | 'rocksdb'): unknown {
  const o = cp.o;
  return checkpointConfigInfo({
    mode: o.mode,
    intervalMs: o.intervalMs,
    timeoutMs: o.timeoutMs,
    minPauseMs: o.minPauseMs,
    maxConcurrent: o.maxConcurrent,
    retention: o.retention,
    tolerableFailedCheckpoints: o.tolerableFailures,
    stateBackend: backendType === 'rocksdb' ? 'EmbeddedRocksDBStateBackend' : 'HashMapStateBackend',
  });
}
