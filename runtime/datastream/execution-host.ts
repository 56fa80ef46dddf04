/**
 * The execution host hook: a process that evaluates a job bundle (CLI planning, job manager, task worker)
 * installs a host on globalThis before importing the bundle; `env.execute()` then hands the built graph
 * to it instead of running locally. A global symbol is used so the bundle's copy of the API and the
 * runtime's copy meet.
 *
 * Without a host, `execute()` runs the job in this process through the local executor. runtime/executor sits
 * above the builders in the layering, so this module only holds a loader for it: the package entry
 * (`runtime/exports/index.ts`) registers `() => import('../executor/local-executor.js')`, which keeps the
 * executor, tasks and checkpoints unloaded until a job actually runs locally.
 */
import { SluiceError } from '../errors/catalogue.js';
import type { StreamExecutionEnvironment } from './environment.js';
import type { JobClient } from './job-client.js';
import type { CollectFeed } from './collect-iterator.js';

export interface JobExecutionResult {
  jobId: string;
  jobName: string;
  netRuntimeMs: number;
  accumulators: Record<string, unknown>;
}

export interface ExecutionHost {
  execute(env: StreamExecutionEnvironment, jobName: string): Promise<JobExecutionResult>;
  executeAsync?(env: StreamExecutionEnvironment, jobName: string): Promise<JobClient>;
  /**
   * Runs the job on a cluster and returns what the collect sink `sinkId` received (the client's host only;
   * hosts without it capture the graph through `execute`).
   */
  executeAndCollect?(env: StreamExecutionEnvironment, jobName: string, sinkId: string): Promise<unknown[]>;
  /** The results of collect sink `sinkId` of a submitted job, batch by batch (`collectAsync()` on a cluster). */
  collectFeed?(jobId: string, sinkId: string): CollectFeed;
}

/** What `execute()`/`executeAsync()` use when no host is installed: in-process execution. */
export interface LocalExecutor {
  /** Starts the job in this process; resolves once its tasks run, with a client for it. */
  executeLocallyAsync: NonNullable<ExecutionHost['executeAsync']>;
}

const KEY = Symbol.for('sluice.executionHost');
let localExecutorLoader: (() => Promise<LocalExecutor>) | undefined;

/** Registers how to load the local executor (done once by the package entry). */
export function setLocalExecutorLoader(load: () => Promise<LocalExecutor>): void {
  localExecutorLoader = load;
}

/** The local executor, loaded on first use; fails clearly when no entry registered one. */
export async function loadLocalExecutor(): Promise<LocalExecutor> {
  if (!localExecutorLoader)
    throw new SluiceError(
      'LOCAL_EXECUTOR_MISSING',
      'no execution host is installed and no local executor is registered: import the job API from "sluice"',
    );
  return localExecutorLoader();
}

export function getExecutionHost(): ExecutionHost | undefined {
  return (globalThis as Record<symbol, ExecutionHost | undefined>)[KEY];
}

export function setExecutionHost(host: ExecutionHost | undefined): void {
  (globalThis as Record<symbol, ExecutionHost | undefined>)[KEY] = host;
}
