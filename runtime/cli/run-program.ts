/**
 * Runs a job program in the client, as Flink's client runs `main`: the stored bundle is imported once with
 * the client's execution host installed and the program arguments set, so the code before and after
 * `execute()` runs here and nowhere else (the cluster's processes only rebuild the graph from it).
 */
import { pathToFileURL } from 'node:url';
import { SluiceError } from '../errors/catalogue.js';
import { getExecutionHost, setExecutionHost } from '../datastream/execution-host.js';
import { setJobArgs } from '../bundle/job-args.js';
import type { ClientExecutionHost } from './client-host.js';

export async function runProgram(bundlePath: string, args: string[], host: ClientExecutionHost): Promise<void> {
  const previous = getExecutionHost();
  setExecutionHost(host);
  setJobArgs(args);
  try {
    await import(`${pathToFileURL(bundlePath).href}?client`);
  } catch (e) {
    // Before submission the program was building its dataflow (the same message as when the job manager
    // evaluates a bundle); after it, the error is the program's own (or the job's failure) and passes as is.
    if (e instanceof SluiceError || host.jobId !== undefined) throw e;
    throw new SluiceError(
      'JOB_BUILD_FAILED',
      `job module threw while building its dataflow: ${(e as Error)?.message ?? e}`,
      { cause: e },
    );
  } finally {
    setExecutionHost(previous);
  }
  if (host.jobId === undefined)
    throw new SluiceError('JOB_NO_EXECUTE', 'the job program finished without calling env.execute()');
}
