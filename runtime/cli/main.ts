#!/usr/bin/env node
/**
 * `sluice` command line: Flink's verbs (run, list, cancel, info, savepoint, stop, checkpoint) over REST,
 * plus the process commands (jobmanager, taskworker, cluster). Expected errors (SluiceErrors) print one line
 * `Error: <message> [CODE]` and exit 1; unexpected ones print their stack trace.
 */
import { Command } from 'commander';
import { isSluiceError } from '../errors/catalogue.js';
import { registerClusterCommands, registerClusterLifecycle } from './commands-cluster.js';
import { registerScale } from './commands-scale.js';
import { registerJobCommands } from './commands-jobs.js';
import { registerSavepointCommands } from './commands-savepoints.js';

const program = new Command();
program
  .name('sluice')
  .description('A Flink-compatible dataflow runtime for serving ML models in streams')
  .version('0.1.0');
// Options after a job module belong to the job (`sluice run job.ts out --kafka host:port`), as in Flink's CLI.
program.enablePositionalOptions();
registerClusterCommands(program);
registerClusterLifecycle(program);
registerScale(program);
registerJobCommands(program);
registerSavepointCommands(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`${failureText(e)}\n`);
  process.exit(1);
});

/**
 * An expected failure (a SluiceError: unreachable cluster, bad input, a failed job) is its message and code,
 * without a stack trace; anything else is a bug in sluice, printed with its stack for the report.
 */
function failureText(e: unknown): string {
  if (isSluiceError(e)) return `Error: ${e.message} [${e.code}]`;
  const err = e as Error;
  return `\n------------------------------------------------------------\n The program finished with the following exception:\n\n${err?.stack ?? String(err)}`;
}
