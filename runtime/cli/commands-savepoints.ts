/**
 * Savepoint commands with Flink's output lines: `savepoint <jobId> [dir]`, `stop [--savepointPath dir]
 * [--drain] <jobId>` (the job ends FINISHED) and `checkpoint <jobId>`; each triggers the asynchronous REST
 * operation and polls it to completion.
 */
import type { Command } from 'commander';
import { SluiceError } from '../errors/catalogue.js';
import type { RestClient } from './rest-client.js';
import { restClientOf } from './rest-target.js';

const out = (l: string) => process.stdout.write(l + '\n');

async function client(m: string | undefined): Promise<RestClient> {
  return restClientOf(m);
}

function result(op: Record<string, unknown>): Record<string, unknown> {
  const failure = op['failure-cause'] as { 'stack-trace'?: string } | undefined;
  if (failure) throw new SluiceError('CHECKPOINT_DECLINED', failure['stack-trace'] ?? 'operation failed');
  return op;
}

export function registerSavepointCommands(program: Command): void {
  program
    .command('savepoint')
    .description('trigger a savepoint of a running job')
    .argument('<jobId>')
    .argument('[targetDirectory]')
    .option('-m, --jobmanager <host:port>', 'REST address of the job manager')
    .action(async (jobId: string, dir: string | undefined, o) => {
      const c = await client(o.jobmanager);
      out(`Triggering savepoint for job ${jobId}.`);
      out('Waiting for response...');
      const body: Record<string, unknown> = { 'cancel-job': false };
      if (dir) body['target-directory'] = dir;
      const t = await c.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/savepoints`, body);
      const op = result(await c.poll(`/jobs/${jobId}/savepoints/${t['request-id']}`));
      out(`Savepoint completed. Path: ${op.location}`);
      out('You can resume your program from this savepoint with the run command.');
    });

  program
    .command('stop')
    .description('stop a job with a savepoint (it ends FINISHED)')
    .argument('<jobId>')
    .option('-p, --savepointPath <dir>', 'savepoint directory')
    .option('-d, --drain', 'emit MAX_WATERMARK before the savepoint (end event time)')
    .option('-m, --jobmanager <host:port>', 'REST address of the job manager')
    .action(async (jobId: string, o) => {
      const c = await client(o.jobmanager);
      out(`Suspending job "${jobId}" with a savepoint.`);
      const body: Record<string, unknown> = { drain: Boolean(o.drain) };
      if (o.savepointPath) body.targetDirectory = o.savepointPath;
      const t = await c.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/stop`, body);
      const op = result(await c.poll(`/jobs/${jobId}/savepoints/${t['request-id']}`));
      out(`Savepoint completed. Path: ${op.location}`);
    });

  program
    .command('checkpoint')
    .description('trigger a checkpoint of a running job')
    .argument('<jobId>')
    .option('-m, --jobmanager <host:port>', 'REST address of the job manager')
    .action(async (jobId: string, o) => {
      const c = await client(o.jobmanager);
      out(`Triggering checkpoint for job ${jobId}.`);
      const t = await c.call<{ 'request-id': string }>('POST', `/jobs/${jobId}/checkpoints`, {});
      const op = result(await c.poll(`/jobs/${jobId}/checkpoints/${t['request-id']}`));
      out(`Checkpoint(CONFIGURED) ${op.checkpointId} for job ${jobId} completed.`);
    });
}
