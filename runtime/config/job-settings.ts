/**
 * The settings of one job, from the typed configuration and the job's own environment, read the same way
 * by the job manager (cluster runs) and the local executor (`env.execute()` without a cluster). As in
 * Flink, what the program sets in code wins over the configuration: `env.setParallelism`,
 * `env.setMaxParallelism`, `env.getConfig().setAutoWatermarkInterval` and `env.enableCheckpointing(ms,
 * mode)` (interval and mode together) override `parallelism.default`, `pipeline.max-parallelism`,
 * `pipeline.auto-watermark-interval` and `execution.checkpointing.interval`/`.mode`.
 *
 * Invariant: no defaults here — every fallback is an option default in options.ts.
 */
import type { SluiceConfig } from './sluice-config.js';

/** What a job's StreamExecutionEnvironment tells about itself (structural, so config does not import the API). */
export interface JobEnvironmentView {
  getParallelism(): number; // -1 = not set
  getMaxParallelism(): number; // -1 = not set
  getConfig(): { autoWatermarkIntervalIfSet(): number | undefined };
  readonly checkpointConfig: { intervalMs: number; mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE' }; // intervalMs -1 = not set
}

export interface CheckpointTiming {
  /** -1: checkpointing disabled. */
  intervalMs: number;
  mode: 'EXACTLY_ONCE' | 'AT_LEAST_ONCE';
  timeoutMs: number;
  minPauseMs: number;
  maxConcurrent: number;
  tolerableFailures: number;
}

/** The job's keyed state backend (`state.backend.*`), as sent to the tasks that open one per keyed operator. */
export type StateBackendSpec =
  | { type: 'hashmap' }
  | {
      type: 'rocksdb';
      /** `state.backend.rocksdb.localdir`: parent of the per-subtask database directories. */
      rocksdbLocalDir: string;
      /** `state.backend.rocksdb.block.cache-size`. */
      rocksdbBlockCacheBytes: number;
      /** `state.backend.rocksdb.writebuffer.size`. */
      rocksdbWriteBufferBytes: number;
      /** `execution.checkpointing.incremental`: checkpoints write delta segments (the heap backend ignores it). */
      incremental?: boolean;
    };

export interface JobSettings {
  stateBackend: StateBackendSpec;
  defaultParallelism: number;
  /** -1: derived per operator from its parallelism. */
  defaultMaxParallelism: number;
  autoWatermarkIntervalMs: number;
  checkpointing: CheckpointTiming;
}

/** `parallelismOverride`: a submission's own parallelism (`sluice run -p`, REST `parallelism`), above all else. */
export function jobSettings(config: SluiceConfig, env: JobEnvironmentView, parallelismOverride?: number): JobSettings {
  return {
    stateBackend: stateBackendSpec(config),
    defaultParallelism:
      parallelismOverride ?? (env.getParallelism() > 0 ? env.getParallelism() : config['parallelism.default']),
    defaultMaxParallelism: env.getMaxParallelism() > 0 ? env.getMaxParallelism() : config['pipeline.max-parallelism'],
    autoWatermarkIntervalMs: env.getConfig().autoWatermarkIntervalIfSet() ?? config['pipeline.auto-watermark-interval'],
    checkpointing: checkpointTiming(config, env.checkpointConfig),
  };
}

export function checkpointTiming(config: SluiceConfig, job: JobEnvironmentView['checkpointConfig']): CheckpointTiming {
  const inCode = job.intervalMs > 0;
  return {
    intervalMs: inCode ? job.intervalMs : (config['execution.checkpointing.interval'] ?? -1),
    mode: inCode ? job.mode : config['execution.checkpointing.mode'],
    timeoutMs: config['execution.checkpointing.timeout'],
    minPauseMs: config['execution.checkpointing.min-pause'],
    maxConcurrent: config['execution.checkpointing.max-concurrent-checkpoints'],
    tolerableFailures: config['execution.checkpointing.tolerable-failed-checkpoints'],
  };
}

export function stateBackendSpec(config: SluiceConfig): StateBackendSpec {
  if (config['state.backend.type'] !== 'rocksdb') return { type: 'hashmap' };
  return {
    type: 'rocksdb',
    rocksdbLocalDir: config['state.backend.rocksdb.localdir'],
    rocksdbBlockCacheBytes: config['state.backend.rocksdb.block.cache-size'],
    rocksdbWriteBufferBytes: config['state.backend.rocksdb.writebuffer.size'],
    incremental: config['execution.checkpointing.incremental'],
  };
}
