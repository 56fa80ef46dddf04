/**
 * The JobClient of a job run in this process (Flink's MiniCluster job client): status from the job's
 * tasks and its result, cancellation of every task, savepoints through the job's checkpoint coordinator
 * (written to the target directory — the argument, else execution.checkpointing.savepoint-dir — as on a
 * cluster), stop-with-savepoint ending the job FINISHED.
 *
 * Invariants: the status moves RUNNING → CANCELLING → CANCELED on cancel(), RUNNING → FINISHED or FAILED
 * otherwise, and never leaves a terminal status; the execution result of a cancelled job rejects with
 * JOB_CANCELED (the local run itself ends without error when its tasks are cancelled).
 */
import { SluiceError } from '../errors/catalogue.js';
import type { JobExecutionResult } from '../datastream/execution-host.js';
import type { JobClient, JobStatus } from '../datastream/job-client.js';
import type { LocalJob } from './local-executor.js';

export function localJobClient(job: LocalJob): JobClient {
  let status: JobStatus = 'RUNNING';
  let cancelRequested = false;
  let ended: JobExecutionResult | undefined;
  const result: Promise<JobExecutionResult> = job.result.then(
    (r) => {
      if (cancelRequested && status !== 'FINISHED') {
        status = 'CANCELED';
        throw new SluiceError('JOB_CANCELED', `Job ${job.jobId} was cancelled`);
      }
      status = 'FINISHED';
      ended = r;
      return r;
    },
    (e: unknown) => {
      status = cancelRequested ? 'CANCELED' : 'FAILED';
      throw e;
    },
  );
  result.catch(() => {}); // observed by whoever awaits it; not an unhandled rejection meanwhile
  const running = (what: string) => {
    if (status !== 'RUNNING') throw new SluiceError('JOB_NOT_RUNNING', `job ${job.jobId} is ${status}; cannot ${what}`);
  };
  const target = (dir: string | null | undefined): string => {
    const d = dir || job.config['execution.checkpointing.savepoint-dir'];
    if (!d)
      throw new SluiceError(
        'SAVEPOINT_NO_TARGET',
        'No savepoint directory given and none configured (execution.checkpointing.savepoint-dir)',
      );
    return d;
  };
  return {
    getJobID: () => job.jobId,
    getJobStatus: async () => status,
    async cancel() {
      if (status !== 'RUNNING') return;
      cancelRequested = true;
      status = 'CANCELLING';
      await job.cancel();
    },
    async triggerSavepoint(dir) {
      running('take a savepoint');
      const info = await job.checkpoints.coordinator.trigger('SAVEPOINT', target(dir));
      return info.externalPath;
    },
    async stopWithSavepoint(drain, dir) {
      running('stop it with a savepoint');
      const info = await job.checkpoints.coordinator.trigger('SYNC_SAVEPOINT', target(dir), drain);
      await job.result.catch(() => undefined);
      return info.externalPath;
    },
    // local execution keeps no accumulators while it runs; a finished job's result carries them
    getAccumulators: async () => ended?.accumulators ?? {},
    getJobExecutionResult: () => result,
  };
}
