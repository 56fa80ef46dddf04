/**
 * The every-key entries of the job options (parallelism, pipeline, checkpointing, state backend, state
 * recovery, restart strategy), observed through the settings a job gets (jobSettings, checkpointingOptions)
 * and the delays its restart strategy gives. every-key-job.test.ts runs them; every-key.test.ts checks that
 * they and the cluster entries (every-key-cluster-checks.ts) together cover every option.
 */
import type { Configuration } from '../../../runtime/config/index.js';
import { jobSettings } from '../../../runtime/config/job-settings.js';
import { pathRoots } from '../../../runtime/config/path-roots.js';
import { checkpointingOptions } from '../../../runtime/jobmanager/job-config.js';
import { createRestartStrategy } from '../../../runtime/jobmanager/restart-strategy.js';
import type { Checks } from './every-key-support.js';

/** A program that sets nothing on its environment: everything comes from the configuration. */
const plainEnv = {
  getParallelism: () => -1,
  getMaxParallelism: () => -1,
  getConfig: () => ({ autoWatermarkIntervalIfSet: () => undefined }),
  checkpointConfig: { intervalMs: -1, mode: 'EXACTLY_ONCE' as const },
};
const job = (c: Configuration) => jobSettings(c.typed, plainEnv);
/** The state backend a job gets with state.backend.type: rocksdb on top of `c`. */
const rocksdbBackend = (c: Configuration) => job(c.with({ 'state.backend.type': 'rocksdb' })).stateBackend;
const checkpointing = (c: Configuration) => checkpointingOptions(c.typed, job(c).checkpointing, undefined, false);

/** Delays the job master would get for failures at these times (ms), with a fixed jitter draw. */
function restarts(c: Configuration, extra: Record<string, string>, times = [0, 2000, 4000, 6000, 8000]) {
  const s = createRestartStrategy(c.with(extra).typed, true, () => 0);
  return { name: s.name, delays: times.map((now) => s.nextDelayMs(now)) };
}
const fixedDelay = (c: Configuration) => restarts(c, { 'restart-strategy.type': 'fixed-delay' });
/** With a fixed max of 3 failures unless the max itself is under test (the default of 1 never restarts). */
const failureRate = (c: Configuration, fixMax = true) =>
  restarts(c, {
    'restart-strategy.type': 'failure-rate',
    ...(fixMax ? { 'restart-strategy.failure-rate.max-failures-per-interval': '3' } : {}),
  });
const exponential = (c: Configuration) => restarts(c, { 'restart-strategy.type': 'exponential-delay' });

export const JOB_KEY_CHECKS = {
  'parallelism.default': { value: '3', observe: (c) => job(c).defaultParallelism },
  'pipeline.max-parallelism': { value: '64', observe: (c) => job(c).defaultMaxParallelism },
  'pipeline.auto-watermark-interval': { value: '1 s', observe: (c) => job(c).autoWatermarkIntervalMs },
  'execution.checkpointing.interval': { value: '10 s', observe: (c) => checkpointing(c).intervalMs },
  'execution.checkpointing.mode': { value: 'AT_LEAST_ONCE', observe: (c) => checkpointing(c).mode },
  'execution.checkpointing.timeout': { value: '1 min', observe: (c) => checkpointing(c).timeoutMs },
  'execution.checkpointing.min-pause': { value: '500ms', observe: (c) => checkpointing(c).minPauseMs },
  'execution.checkpointing.max-concurrent-checkpoints': { value: '2', observe: (c) => checkpointing(c).maxConcurrent },
  'execution.checkpointing.tolerable-failed-checkpoints': {
    value: '3',
    observe: (c) => checkpointing(c).tolerableFailures,
  },
  'execution.checkpointing.unaligned.enabled': { refused: 'true' },
  'execution.checkpointing.aligned-checkpoint-timeout': { refused: '30 s' },
  'execution.checkpointing.externalized-checkpoint-retention': {
    value: 'RETAIN_ON_CANCELLATION',
    observe: (c) => checkpointing(c).retention,
  },
  'execution.checkpointing.dir': { value: '/tmp/every-key-ck', observe: (c) => checkpointing(c).checkpointsDir },
  'execution.checkpointing.savepoint-dir': { value: '/tmp/every-key-sp', observe: (c) => pathRoots(c.typed) },
  'execution.checkpointing.num-retained': { value: '3', observe: (c) => checkpointing(c).numRetained },
  'execution.checkpointing.incremental': { value: 'true', observe: (c) => rocksdbBackend(c) },
  'state.backend.type': { value: 'rocksdb', observe: (c) => job(c).stateBackend },
  'state.backend.rocksdb.localdir': { value: '/tmp/every-key-rocksdb', observe: (c) => rocksdbBackend(c) },
  'state.backend.rocksdb.block.cache-size': { value: '32 mb', observe: (c) => rocksdbBackend(c) },
  'state.backend.rocksdb.writebuffer.size': { value: '16 mb', observe: (c) => rocksdbBackend(c) },
  'state.backend.rocksdb.timer-service.factory': { refused: 'ROCKSDB' },
  'execution.state-recovery.path': { value: '/tmp/sp-1', observe: (c) => checkpointing(c).initialRestorePath },
  'execution.state-recovery.ignore-unclaimed-state': {
    value: 'true',
    observe: (c) => checkpointing(c).allowNonRestoredState,
  },
  'execution.state-recovery.claim-mode': { refused: 'LEGACY' },
  'restart-strategy.type': { value: 'fixed-delay', observe: (c) => restarts(c, {}) },
  'restart-strategy.fixed-delay.attempts': { value: '3', observe: fixedDelay },
  'restart-strategy.fixed-delay.delay': { value: '5 s', observe: fixedDelay },
  'restart-strategy.failure-rate.max-failures-per-interval': {
    value: '4',
    observe: (c) => failureRate(c, false),
  },
  'restart-strategy.failure-rate.failure-rate-interval': { value: '3 s', observe: (c) => failureRate(c) },
  'restart-strategy.failure-rate.delay': { value: '5 s', observe: (c) => failureRate(c) },
  'restart-strategy.exponential-delay.initial-backoff': { value: '200 ms', observe: exponential },
  'restart-strategy.exponential-delay.max-backoff': { value: '1500 ms', observe: exponential },
  'restart-strategy.exponential-delay.backoff-multiplier': { value: '3', observe: exponential },
  'restart-strategy.exponential-delay.reset-backoff-threshold': { value: '1 s', observe: exponential },
  'restart-strategy.exponential-delay.jitter-factor': { value: '0.5', observe: exponential },
  'restart-strategy.exponential-delay.attempts-before-reset-backoff': { value: '2', observe: exponential },
} satisfies Checks;
