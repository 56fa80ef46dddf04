#!/usr/bin/env node
/**
 * `sluice` command line: Flink's verbs (run, list, cancel, info, savepoint, stop, checkpoint) over REST,
 * plus the process commands (jobmanager, taskworker, cluster). Errors print one clear line and exit 1.
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
  const err = e as Error;
  process.stderr.write(
    `\n------------------------------------------------------------\n The program finished with the following exception:\n\n${isSluiceError(err) ? `${err.message} [${err.code}]` : (err?.stack ?? String(err))}\n`,
  );
  process.exit(1);
});
