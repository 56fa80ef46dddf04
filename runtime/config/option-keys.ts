/**
 * How configuration keys are read beyond their specs (options.ts): the 1.x key names that still map onto 2.x
 * keys, the namespaces in which an unknown key is an error rather than a pass-through, and which keys hold
 * secrets that never leave the process.
 *
 * Invariants: every alias target is a key of OPTIONS; a key under a checked prefix that is neither an option
 * nor an alias is refused with the nearest known key (validate.ts).
 */
/** 1.x (deprecated) key → 2.x key. */
export const DEPRECATED_ALIASES: Readonly<Record<string, string>> = {
  'state.checkpoints.dir': 'execution.checkpointing.dir',
  'state.savepoints.dir': 'execution.checkpointing.savepoint-dir',
  'state.checkpoints.num-retained': 'execution.checkpointing.num-retained',
  'state.backend.incremental': 'execution.checkpointing.incremental',
  'state.backend': 'state.backend.type',
  'execution.checkpointing.unaligned': 'execution.checkpointing.unaligned.enabled',
  'execution.checkpointing.alignment-timeout': 'execution.checkpointing.aligned-checkpoint-timeout',
  'execution.savepoint.path': 'execution.state-recovery.path',
  'execution.savepoint.ignore-unclaimed-state': 'execution.state-recovery.ignore-unclaimed-state',
  'execution.savepoint-restore-mode': 'execution.state-recovery.claim-mode',
  'restart-strategy': 'restart-strategy.type',
  'high-availability': 'high-availability.type',
};

/** Namespaces whose misspelled keys are reported (with the nearest known key) instead of passed through. */
export const CHECKED_PREFIXES = [
  'sluice.',
  'rest.',
  'jobmanager.',
  'taskmanager.',
  'parallelism.',
  'pipeline.',
  'execution.',
  'state.',
  'restart-strategy.',
  'heartbeat.',
  'collect-sink.',
  'client.heartbeat.',
  'web.',
  'security.ssl.',
  'high-availability.',
];

/** Keys whose values never leave the process (Flink's `GlobalConfiguration.isSensitive`, plus ours). */
export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase();
  return [
    'password',
    'secret',
    'token',
    'apikey',
    'api-key',
    'auth-params',
    'service-key',
    'basic-auth',
    'jaas.config',
    'http-headers',
  ].some((s) => k.includes(s));
}
