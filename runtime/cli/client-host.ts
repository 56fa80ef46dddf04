import { SluiceError } from '../errors/catalogue.js';
import type { StreamExecutionEnvironment } from '../datastream/environment.js';
import type { ExecutionHost, JobExecutionResult } from '../datastream/execution-host.js';
import type { JobClient } from '../datastream/job-client.js';
import { remoteJobClient, restAccumulators } from './remote-job-client.js';
import { remoteCollectFeed } from './remote-collect-feed.js';
import type { CollectFeed } from '../datastream/collect-iterator.js';
import type { RestClient } from './rest-client.js';
import { startJobProgress } from './job-progress.js';
import type { SluiceConfig } from '../config/sluice-config.js';

export interface ClientHostOptions {
  client: RestClient;
  jarId: string;
  /** The `/jars/:id/run` body (program arguments, parallelism, savepoint, job-level configuration). */
  runBody: Record<string, unknown>;
  detached: boolean;
  progress: boolean;
  out(line: string): void;
  err(line: string): void;
  /** client.heartbeat.interval and client.heartbeat.timeout (ms) for collect feeds; Flink's defaults when absent. */
  clientHeartbeat?: { intervalMs: number; timeoutMs: number };
}

export class ClientExecutionHost implements ExecutionHost {
  /** The submitted job's id (set by the first execute). */
  jobId: string | undefined;

  constructor(private readonly o: ClientHostOptions) {}

  /** Attached: executeAsync() and the job's result; detached: resolves at submission. */
  async execute(env: StreamExecutionEnvironment, jobName: string): Promise<JobExecutionResult> {
    if (this.o.detached) {
      const jobId = await this.submit();
      return { jobId, jobName, netRuntimeMs: 0, accumulators: {} };
    }
    return (await this.executeAsync(env, jobName)).getJobExecutionResult();
  }

  /** Submits, and resolves with a REST-backed JobClient; the result is awaited from submission on. */
  async executeAsync(_env: StreamExecutionEnvironment, jobName: string): Promise<JobClient> {
    const jobId = await this.submit();
    const result = this.awaitResult(jobId, jobName);
    result.catch(() => {}); // observed by whoever awaits it; not an unhandled rejection meanwhile
    return remoteJobClient(this.o.client, jobId, result);
  }

  async executeAndCollect(_env: StreamExecutionEnvironment, jobName: string, sinkId: string): Promise<unknown[]> {
    const jobId = await this.submit();
    const stop = this.progress(jobId);
    const results: unknown[] = [];
    try {
      const feed = this.feed(jobId, sinkId, true);
      for (let batch = await feed.next(); batch; batch = await feed.next()) for (const v of batch) results.push(v);
    } finally {
      stop();
    }
    await this.finished(jobId, jobName);
    return results;
  }

  /** The results of collect sink `sinkId` of job `jobId`, fetched from the job manager batch by batch. */
  collectFeed(jobId: string, sinkId: string): CollectFeed {
    return this.feed(jobId, sinkId, false);
  }

  private feed(jobId: string, sinkId: string, exact: boolean): CollectFeed {
    const hb = this.o.clientHeartbeat ?? { intervalMs: 30_000, timeoutMs: 180_000 }; // Flink's defaults
    return remoteCollectFeed(this.o.client, jobId, sinkId, (status) => this.failure(jobId, status), {
      exact,
      heartbeatIntervalMs: hb.intervalMs,
      heartbeatTimeoutMs: hb.timeoutMs,
      warn: this.o.err,
    });
  }

  private async submit(): Promise<string> {
    if (this.jobId)
      throw new SluiceError(
        'JOB_MULTIPLE_EXECUTE',
        `this program already submitted job ${this.jobId}; sluice runs one job per program (the cluster rebuilds the graph of its first execute()): run the next job as its own program`,
      );
    this.jobId = ''; // refuse a concurrent second execute() while this one submits
    const r = await this.o.client.call<{ jobid: string }>(
      'POST',
      `/jars/${encodeURIComponent(this.o.jarId)}/run`,
      this.o.runBody,
    );
    this.jobId = r.jobid;
    this.o.out(`Job has been submitted with JobID ${r.jobid}`);
    return r.jobid;
  }

  private progress(jobId: string): () => void {
    return this.o.progress ? startJobProgress(this.o.client, jobId, this.o.err) : () => {};
  }

  private async awaitResult(jobId: string, jobName: string): Promise<JobExecutionResult> {
    const stop = this.progress(jobId);
    const status = await this.o.client.waitForTerminal(jobId).finally(stop);
    if (status !== 'FINISHED') throw await this.failure(jobId, status);
    return this.finished(jobId, jobName);
  }

  /** Flink's lines after an attached job ends, and its result (runtime and user accumulators from REST). */
  private async finished(jobId: string, jobName: string): Promise<JobExecutionResult> {
    const details = await this.o.client.call<{ duration?: number }>('GET', `/jobs/${jobId}`);
    const accumulators = await restAccumulators(this.o.client, jobId);
    const netRuntimeMs = Math.max(0, Math.round(details.duration ?? 0));
    this.o.out('Program execution finished');
    this.o.out(`Job with JobID ${jobId} has finished.`);
    this.o.out(`Job Runtime: ${netRuntimeMs} ms`);
    return { jobId, jobName, netRuntimeMs, accumulators };
  }

  private async failure(jobId: string, status: string): Promise<SluiceError> {
    const ex = await this.o.client
      .call<{ exceptionHistory?: { entries?: Array<{ stacktrace: string }> } }>('GET', `/jobs/${jobId}/exceptions`)
      .catch(() => undefined);
    const first = ex?.exceptionHistory?.entries?.[0];
    if (status === 'CANCELED') return new SluiceError('JOB_CANCELED', `Job ${jobId} was cancelled`);
    return new SluiceError('TASK_FAILED', `Job ${jobId} ended ${status}${first ? `: ${first.stacktrace}` : ''}`);
  }
}

/** The client heartbeat settings of the client's configuration (cluster.yaml and -D; Flink's defaults). */
export function clientHeartbeatOf(c: Pick<SluiceConfig, 'client.heartbeat.interval' | 'client.heartbeat.timeout'>): {
  intervalMs: number;
  timeoutMs: number;
} {
  return { intervalMs: c['client.heartbeat.interval'], timeoutMs: c['client.heartbeat.timeout'] };
}
