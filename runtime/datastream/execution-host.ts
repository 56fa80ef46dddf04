/**
 * The execution host hook: a process that evaluates a job bundle (CLI planning, job manager, task worker)
 * installs a host on globalThis before importing the bundle; `env.execute()` then hands the built graph
 * to it instead of running locally. A global symbol is used so the bundle's copy of the API and the
 * runtime's copy meet.
 */
import type { StreamExecutionEnvironment } from './environment.js';

export interface JobExecutionResult {
  jobId: string;
  jobName: string;
  netRuntimeMs: number;
  accumulators: Record<string, unknown>;
}

export interface ExecutionHost {
  execute(env: StreamExecutionEnvironment, jobName: string): Promise<JobExecutionResult>;
  executeAsync?(
    env: StreamExecutionEnvironment,
    jobName: string,
  ): Promise<{ jobId: string; result: Promise<JobExecutionResult>; cancel(): Promise<void> }>;
}

const KEY = Symbol.for('sluice.executionHost');

export function getExecutionHost(): ExecutionHost | undefined {
  return (globalThis as Record<symbol, ExecutionHost | undefined>)[KEY];
}

export function setExecutionHost(host: ExecutionHost | undefined): void {
  (globalThis as Record<symbol, ExecutionHost | undefined>)[KEY] = host;
}
