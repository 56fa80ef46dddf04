/**
 * A client's collect fetch as the REST facade serves it: through the job's collect coordinator to the
 * worker running the sink (the `collectFetch` call), then encoded for REST. The batch counts as held by
 * the job manager until it is encoded.
 */
import type { CollectResultsReply } from '../rest/cluster-facade.js';
import type { JobStatus } from '../api/job-status.js';
import type { ConnectionToTaskWorker } from '../rpc/messages.js';
import type { JobManager } from './job-manager.js';

export async function collectFetch(
  jm: JobManager,
  jobId: string,
  sinkId: string,
  request: { version: string; offset: number },
): Promise<CollectResultsReply | undefined> {
  const job = jm.jobs.get(jobId);
  const coordinator = jm.collects.get(jobId);
  if (!job || !coordinator) return undefined;
  const reply = await coordinator.fetch(
    sinkId,
    request.version,
    request.offset,
    () => ({ status: job.status.status, attempt: job.attempt }),
    async (route, r) => {
      const conn = route.worker as ConnectionToTaskWorker;
      const a = await conn
        .call({ kind: 'collectFetch', body: { jobId, attempt: route.attempt, ...r } })
        .catch(() => undefined); // the worker went away: no sink answers now, the client retries
      if (a?.status !== 'ok') return undefined;
      const { status: _, ...batch } = a;
      return batch;
    },
  );
  const serializedResults = Buffer.concat(reply.results).toString('base64');
  coordinator.released(reply);
  return {
    version: reply.version,
    offset: reply.offset,
    lastCheckpointedOffset: reply.lastCheckpointedOffset,
    checkpointed: reply.checkpointed,
    complete: reply.complete,
    count: reply.results.length,
    serializedResults,
    jobStatus: reply.jobStatus as JobStatus,
  };
}
