/**
 * The client-liveness rule of collect jobs, applied periodically by the job manager: a job with a collect
 * sink whose client has neither fetched nor sent a heartbeat for client.heartbeat.timeout (Flink's
 * attached-client heartbeat) is given up. A running job is cancelled — its sink is back-pressured by the
 * results nobody fetches, so it would otherwise run, blocked, forever — and a finished job's results still
 * held for the client are dropped. Each is logged as a warning naming the job and the silence.
 *
 * Invariant: the rule never touches a job without a collect sink, nor one whose client is in contact.
 */
import type { CollectCoordinator } from './collect-coordinator.js';
import type { JobMaster } from './job-master.js';

export interface CollectJobs {
  readonly jobs: ReadonlyMap<string, JobMaster>;
  readonly collects: ReadonlyMap<string, CollectCoordinator>;
}

export function watchCollectClients(jm: CollectJobs, log: (line: string) => void): void {
  for (const [jobId, c] of jm.collects) {
    const job = jm.jobs.get(jobId);
    if (!job || !c.hasSinks() || !c.clientGone(job.clientExpiresAtMs)) continue;
    const status = job.status.status;
    const silence = `its collect client has neither fetched results nor sent a heartbeat for ${c.silentForMs()} ms (client.heartbeat.timeout)`;
    if (status === 'FINISHED') {
      if (c.heldBytes() > 0)
        log(`Warning: job ${jobId}: ${silence}; dropping the ${c.heldBytes()} bytes of results it never fetched.`);
      c.discard();
      continue;
    }
    if (status === 'CANCELED' || status === 'FAILED' || status === 'CANCELLING' || status === 'SUSPENDED') continue;
    log(`Warning: job ${jobId}: ${silence}; cancelling the job (COLLECT_CLIENT_GONE).`);
    c.discard();
    job.cancel();
  }
}
