/**
 * A job's checkpointing options on the job manager: the timing from `jobSettings` (the job's
 * `enableCheckpointing` over the configuration) plus storage, retention and restore from the typed
 * configuration. A submission's savepoint path and allowNonRestoredState (`-s`, `-n`, REST) win over
 * `execution.state-recovery.*`.
 */
import type { SluiceConfig } from '../config/sluice-config.js';
import type { CheckpointTiming } from '../config/job-settings.js';
import type { JobCheckpointingOptions } from './job-checkpointing.js';

export function checkpointingOptions(
  config: SluiceConfig,
  timing: CheckpointTiming,
  savepointPath: string | undefined,
  allowNonRestoredState: boolean,
): JobCheckpointingOptions {
  return {
    ...timing,
    checkpointsDir: config['execution.checkpointing.dir'],
    numRetained: config['execution.checkpointing.num-retained'],
    retention: config['execution.checkpointing.externalized-checkpoint-retention'],
    initialRestorePath: savepointPath ?? config['execution.state-recovery.path'],
    claimMode: config['execution.state-recovery.claim-mode'] === 'CLAIM' ? 'CLAIM' : 'NO_CLAIM',
    allowNonRestoredState: allowNonRestoredState || config['execution.state-recovery.ignore-unclaimed-state'],
  };
}
