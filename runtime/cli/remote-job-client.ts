/**
 * The JobClient of a job on a cluster (Flink's RestClusterClient-backed job client), over the job
 * manager's REST API: status `GET /jobs/:id/status`, cancel `PATCH /jobs/:id?mode=cancel`, savepoints
 * `POST /jobs/:id/savepoints` and stop-with-savepoint `POST /jobs/:id/stop`, each polled to completion,
 * accumulators `GET /jobs/:id/accumulators`. The execution result comes from `awaitResult`, which the
 * client host starts at submission (it also prints Flink's lines when the job ends).
 *
 * Invariant: a failed savepoint operation rejects with the job manager's failure message; a request the
 * cluster refuses rejects with its `{"errors":[…]}` message (RestClient).
 */
import { SluiceError } from '../errors/catalogue.js';
import type { JobExecutionResult } from '../datastream/execution-host.js';
import type { JobClient, JobStatus } from '../datastream/job-client.js';
import type { RestClient } from './rest-client.js';

/** The completed operation's savepoint path, or its failure as an error. */
function savepointPath(op: Record<string, unknown>): string {
  const failure = op['failure-cause'] as { 'stack-trace'?: string; class?: string } | undefined;
  if (failure) throw new SluiceError('CHECKPOINT_DECLINED', failure['stack-trace'] ?? 'savepoint failed');
  return String(op.location);
}

/** User accumulators from `/jobs/:id/accumulators` (numbers where they parse as one, as the result's). */
export async function restAccumulators(client: RestClient, jobId: string): Promise<Record<string, unknown>> {
  const acc = await client.call<{ 'user-task-accumulators'?: Array<{ name: string; value: string }> }>(
    'GET',
    `/jobs/${jobId}/accumulators`,
  );
  const out: Record<string, unknown> = {};
  for (const a of acc['user-task-accumulators'] ?? []) out[a.name] = Number(a.value);
  return out;
}

export function remoteJobClient(client: RestClient, jobId: string, result: Promise<JobExecutionResult>): JobClient {
  const operation = async (path: string, body: Record<string, unknown>): Promise<string> => {
    const t = await client.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/${path}`, body);
    return savepointPath(await client.poll(`/jobs/${jobId}/savepoints/${t['request-id']}`));
  };
  return {
    getJobID: () => jobId,
    getJobStatus: async () => (await client.call<{ status: JobStatus }>('GET', `/jobs/${jobId}/status`)).status,
    async cancel() {
      await client.call('PATCH', `/jobs/${jobId}?mode=cancel`);
    },
    triggerSavepoint: (dir, formatType = 'CANONICAL') =>
      operation('savepoints', { 'cancel-job': false, formatType, ...(dir ? { 'target-directory': dir } : {}) }),
    stopWithSavepoint: (drain, dir, formatType = 'CANONICAL') =>
      operation('stop', { drain, formatType, ...(dir ? { targetDirectory: dir } : {}) }),
    getAccumulators: () => restAccumulators(client, jobId),
    getJobExecutionResult: () => result,
  };
}
