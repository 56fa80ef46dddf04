/**
 * Deploying one attempt of a job to its workers: the `deploy` message each worker gets — the job's bundle and
 * settings, the graph's fingerprint, the worker's own subtasks, every subtask's placement, the restore data,
 * the checkpoint mode — sent to all of them at once.
 *
 * Invariants: every worker of an attempt gets the same bundle, settings, placement and restore data; a worker
 * lost since its slots were assigned fails the deployment with WORKER_LOST.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { RegisteredWorker, WorkerRegistry } from './worker-registry.js';
import type { JobSubmission, RecoveryHooks, RestoreMap } from './job-master-contracts.js';
import type { SlotAssignment } from './slot-allocation.js';

export interface AttemptDeployment {
  sub: JobSubmission;
  /** The fingerprint of `sub.jobGraph` (workers check the graph they rebuild against it). */
  fingerprint: string;
  attempt: number;
  slots: SlotAssignment;
  restore: RestoreMap | undefined;
  recovery: RecoveryHooks | undefined;
}

/** Sends every worker of the attempt its `deploy` message; resolves when all of them accepted it. */
export async function deployToWorkers(registry: Pick<WorkerRegistry, 'workers'>, d: AttemptDeployment): Promise<void> {
  const { sub, attempt } = d;
  await Promise.all(
    [...d.slots.perWorker.entries()].map(([wid, tasks]) =>
      workerFor(registry, wid, sub.jobId, attempt).conn.call({
        kind: 'deploy',
        body: {
          jobId: sub.jobId,
          attempt,
          bundleCode: sub.bundleCode,
          bundleSha256: sub.bundleSha256,
          args: sub.args,
          defaultParallelism: sub.defaultParallelism,
          defaultMaxParallelism: sub.defaultMaxParallelism,
          autoWatermarkIntervalMs: sub.autoWatermarkIntervalMs,
          stateBackend: sub.stateBackend,
          fingerprint: d.fingerprint,
          tasks,
          placement: d.slots.placement,
          restore: d.restore,
          checkpointMode: d.recovery?.checkpointMode,
          checkpointingEnabled: d.recovery?.checkpointingEnabled,
        },
      }),
    ),
  );
}

/** The worker chosen for a deployment; lost since the slots were assigned: the attempt fails as WORKER_LOST. */
function workerFor(
  registry: Pick<WorkerRegistry, 'workers'>,
  workerId: string,
  jobId: string,
  attempt: number,
): RegisteredWorker {
  const w = registry.workers.get(workerId);
  if (!w)
    throw new SluiceError(
      'WORKER_LOST',
      `task worker ${workerId} was lost while attempt ${attempt} of job ${jobId} was being deployed`,
    );
  return w;
}
