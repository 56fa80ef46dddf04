/**
 * The jobs an earlier job manager ran, as a new one finds them in the HA job store: with high availability
 * it recovers each from its latest completed checkpoint (`recoverHaJobs`, `JobManager.recoverJobs`); without, it reports each as lost,
 * naming its newest retained checkpoint to resume from (`reportJobsLostWithoutHa`, `JobManager.reportLostJobs`).
 *
 * Invariants: a job this job manager already runs is not recovered again; one job that cannot be recovered
 * does not stop the others; without HA a reported job leaves the job store (it is reported once).
 */
import { CheckpointStorage } from '../../checkpoints/storage.js';
import type { JobManager } from './job-manager.js';

/** A job an earlier job manager (without HA) ran and nobody recovered. */
export interface LostJob {
  jobId: string;
  jobName: string;
  /** Its newest retained checkpoint that verifies, if any. */
  latestCheckpoint?: string;
}

/**
 * A new leader recovers every job of the HA job store from its latest completed checkpoint (or, without
 * one, from the savepoint it was submitted with, else from the start).
 */
export async function recoverHaJobs(jm: Pick<JobManager, 'o' | 'jobs' | 'submit'>): Promise<string[]> {
  const ha = jm.o.ha;
  if (!ha?.recoversJobs) return [];
  const recovered: string[] = [];
  for (const jobId of await ha.jobStore.jobIds()) {
    if (jm.jobs.has(jobId)) continue;
    try {
      const stored = await ha.jobStore.get(jobId);
      if (!stored) continue;
      const pointer = await ha.checkpointPointers.get(jobId);
      const { job, bundleCode } = stored;
      const from = pointer
        ? `checkpoint ${pointer.checkpointId} at ${pointer.externalPath}`
        : job.savepointPath
          ? `savepoint ${job.savepointPath}`
          : 'its start (no checkpoint completed)';
      jm.o.log(`Recovering job ${jobId} (${job.jobName}) from ${from}.`);
      await jm.submit(
        bundleCode,
        {
          args: job.args,
          parallelism: job.parallelism,
          jobId,
          savepointPath: pointer?.externalPath ?? job.savepointPath,
          allowNonRestoredState: job.allowNonRestoredState,
          flinkConfiguration: job.flinkConfiguration,
        },
        true,
      );
      recovered.push(jobId);
    } catch (e) {
      jm.o.log(`Could not recover job ${jobId}: ${(e as Error).message}`);
    }
  }
  return recovered;
}

/**
 * Without HA: the jobs an earlier job manager recorded as running are gone. Says so, loudly, with the
 * newest retained checkpoint of each (to resume with `sluice run -s`), and keeps the list for REST.
 */
export async function reportJobsLostWithoutHa(jm: Pick<JobManager, 'o' | 'lostJobs'>): Promise<LostJob[]> {
  const ha = jm.o.ha;
  if (!ha || ha.recoversJobs) return [];
  const storage = new CheckpointStorage({
    checkpointsDir: jm.o.config['execution.checkpointing.dir'],
    numRetained: jm.o.config['execution.checkpointing.num-retained'],
    retention: jm.o.config['execution.checkpointing.externalized-checkpoint-retention'],
  });
  for (const jobId of await ha.jobStore.jobIds()) {
    const stored = await ha.jobStore.get(jobId).catch(() => undefined);
    const found = await storage.findRestorableCheckpoint(storage.jobDir(jobId)).catch(() => undefined);
    const lost: LostJob = {
      jobId,
      jobName: stored?.job.jobName ?? '',
      latestCheckpoint: found?.snapshot?.externalPath,
    };
    jm.lostJobs.push(lost);
    jm.o.log(
      `Job ${jobId}${lost.jobName ? ` (${lost.jobName})` : ''} was running when the previous job manager stopped; it is lost: ` +
        `without high availability (high-availability.type: zookeeper) jobs are not recovered. ` +
        (lost.latestCheckpoint
          ? `Its latest retained checkpoint is ${lost.latestCheckpoint}; resume it with: sluice run -s ${lost.latestCheckpoint} <job>`
          : 'It left no retained checkpoint.'),
    );
    await ha.jobStore.remove(jobId).catch(() => {});
  }
  return jm.lostJobs;
}
