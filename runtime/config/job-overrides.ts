/**
 * A job's own configuration: the cluster's typed configuration with per-job settings on top — the REST run
 * request's `flinkConfiguration` and `sluice run -D` — as Flink applies a job's configuration. Only
 * job-level keys (parallelism, pipeline, checkpointing, state recovery, restart strategy, state backend)
 * may be set per job; a cluster setting (ports, heartbeats, slots, security, …) or a key sluice does not
 * know is refused, naming the key, rather than accepted and ignored.
 *
 * Invariant: the result is validated exactly as a cluster.yaml would be (types, bounds, supported values,
 * cross-key rules).
 */
import { SluiceError } from '../errors/catalogue.js';
import { canonicalKey } from './configuration.js';
import { OPTION_SPECS } from './options.js';
import { type SluiceConfig, toSluiceConfig } from './sluice-config.js';
import { validateCrossKeys, validateEntry } from './validate.js';

const JOB_LEVEL = [
  'parallelism.default',
  'pipeline.',
  'execution.checkpointing.',
  'execution.state-recovery.',
  'restart-strategy.',
  'state.backend.type',
  'state.backend.rocksdb.block.cache-size',
  'state.backend.rocksdb.writebuffer.size',
  'state.backend.rocksdb.timer-service.factory',
  'collect-sink.batch-size.max',
  'client.heartbeat.',
];

export function isJobLevelKey(key: string): boolean {
  const k = canonicalKey(key);
  return OPTION_SPECS[k] !== undefined && JOB_LEVEL.some((p) => k === p || (p.endsWith('.') && k.startsWith(p)));
}

/** `where` names the source in messages, e.g. "flinkConfiguration". */
export function withJobOverrides(
  cluster: SluiceConfig,
  overrides: Readonly<Record<string, string>>,
  where: string,
): SluiceConfig {
  const entries = Object.entries(overrides);
  if (entries.length === 0) return cluster;
  const own = new Map<string, string>();
  for (const [key, value] of entries) {
    validateEntry(key, value, where);
    if (!isJobLevelKey(key))
      throw new SluiceError(
        'CONFIG_UNSUPPORTED',
        `${where}: ${key} cannot be set per job; ${OPTION_SPECS[canonicalKey(key)] ? 'it is a cluster setting (cluster.yaml, or -D on the cluster processes)' : 'sluice does not know this key'}. Per job: parallelism.default, pipeline.*, execution.checkpointing.*, execution.state-recovery.*, restart-strategy.*, state.backend.type, state.backend.rocksdb.* (but localdir), collect-sink.batch-size.max, client.heartbeat.*`,
      );
    own.set(canonicalKey(key), value);
  }
  const get = (k: string) => own.get(k) ?? asText(cluster[k as keyof SluiceConfig]);
  validateCrossKeys(get, where);
  return toSluiceConfig(get);
}

/** A typed value back in a syntax its option parses to the same value (durations in ms, sizes in bytes). */
function asText(v: string | number | boolean | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}
