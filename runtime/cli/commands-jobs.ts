/**
 * Job commands with Flink's verbs and output lines: run, list, cancel, info. `run` bundles the job
 * module, uploads it and starts it through REST; with no reachable cluster it starts the mini cluster,
 * runs attached and stops every process it started (also on Ctrl-C or failure).
 */
import type { Command } from 'commander';
import { SluiceError } from '../errors/catalogue.js';
import { bundleJob, evaluateBundle, storeBundle } from '../bundle/job-bundle.js';
import { buildJobGraph } from '../graph/job-graph.js';
import { planJson } from '../graph/plan.js';
import { MiniCluster } from './mini-cluster.js';
import { formatList, type JobOverview } from './list-format.js';
import { loadClusterConfig } from './cluster-settings.js';
import { restClientOf } from './rest-target.js';
import { loadConfiguration, parseDynamicProperties } from '../config/load.js';
import { isJobLevelKey } from '../config/job-overrides.js';
import { ClientExecutionHost, clientHeartbeatOf } from './client-host.js';
import { runProgram } from './run-program.js';
import { dynamicPropertiesOption } from './dynamic-option.js';

const out = (l: string) => process.stdout.write(l + '\n');

export function registerJobCommands(program: Command): void {
  program
    .command('run')
    .description('bundle and run a job module (starts a mini cluster when none is reachable)')
    .argument('<job>', 'job module (.ts or .js)')
    .argument('[args...]', 'program arguments')
    .option('-m, --jobmanager <host:port>', 'REST address of the job manager')
    .option('-p, --parallelism <n>', 'default parallelism')
    .option('-d, --detached', 'do not wait for the job to finish')
    .option('-s, --fromSavepoint <path>', 'restore from a savepoint or retained checkpoint')
    .option('-n, --allowNonRestoredState', 'skip state that cannot be mapped to the new program')
    .option('--workers <n>', 'mini cluster: number of task workers (default: sluice.mini-cluster.workers)')
    .option('--no-progress', 'attached mode: no progress lines (records/s, checkpoints, models serving) on stderr')
    .option('-c, --config <file>', 'cluster.yaml')
    .addOption(dynamicPropertiesOption('configuration override, also passed to a mini cluster (repeatable)'))
    .passThroughOptions()
    .action(async (job: string, args: string[], o) => {
      const bundle = await bundleJob(job);
      let client = await restClientOf(o.jobmanager, o.config, o.D);
      let mini: MiniCluster | undefined;
      if (!(await client.reachable())) {
        if (o.jobmanager)
          throw new SluiceError('CLI_CLUSTER_UNREACHABLE', `no job manager reachable at ${client.baseUrl}`);
        const s = loadClusterConfig(o.config, o.D, {});
        const extraArgs = [
          ...(o.config ? ['-c', o.config] : []),
          ...(o.D as string[]).filter((kv) => !kv.startsWith('rest.port=')).flatMap((kv) => ['-D', kv]),
        ];
        const workers = o.workers === undefined ? s.miniClusterWorkers : Number(o.workers);
        mini = new MiniCluster({
          workers,
          slotsPerWorker: s.slotsPerWorker,
          secret: s.secret,
          extraArgs,
          onLog: (l) => process.stderr.write(l + '\n'),
        });
        process.stderr.write(
          `No cluster at ${client.baseUrl}; starting a mini cluster with ${workers} task worker(s)…\n`,
        );
        await mini.start();
        client = client.at(mini.restUrl);
        process.stderr.write(`Mini cluster up: REST and dashboard at ${mini.restUrl}\n`);
      }
      let hostOf: ClientExecutionHost | undefined;
      const cleanup = async () => {
        if (mini) await mini.stop();
      };
      const onInt = () => {
        process.stderr.write('\nInterrupted: cancelling the job and stopping the mini cluster…\n');
        void (async () => {
          const jobId = hostOf?.jobId;
          if (jobId) await client.call('PATCH', `/jobs/${jobId}?mode=cancel`).catch(() => {});
          await cleanup();
          process.exit(130);
        })();
      };
      process.once('SIGINT', onInt);
      try {
        const jarId = await client.uploadBundle(
          job
            .split('/')
            .pop()!
            .replace(/\.[cm]?[jt]s$/, '') + '.mjs',
          bundle.code,
        );
        const body: Record<string, unknown> = { programArgsList: args };
        if (o.parallelism) body.parallelism = Number(o.parallelism);
        if (o.fromSavepoint) body.savepointPath = o.fromSavepoint;
        if (o.allowNonRestoredState) body.allowNonRestoredState = true;
        // -D job-level keys (checkpointing, restart strategy, pipeline.*) configure this job, as `flink run -D`.
        const dynamic = parseDynamicProperties(o.D as string[]);
        const jobLevel = dynamic.filter(([k]) => isJobLevelKey(k));
        if (jobLevel.length) body.flinkConfiguration = Object.fromEntries(jobLevel);
        if (!mini)
          // rest.* and security.ssl.rest.* are the CLI's own: where it connects and its TLS material
          for (const [k] of dynamic)
            if (!isJobLevelKey(k) && !k.startsWith('rest.') && !k.startsWith('security.ssl.rest.'))
              process.stderr.write(
                `-D ${k}: a cluster setting; the running cluster at ${client.baseUrl} keeps its own\n`,
              );
        // The program's main runs here, once (Flink's client): execute() submits and, attached, returns
        // when the job has ended, so the code after it runs in this process too.
        const host = new ClientExecutionHost({
          client,
          jarId,
          runBody: body,
          detached: Boolean(o.detached) && !mini,
          progress: o.progress !== false,
          out,
          err: (l) => process.stderr.write(l + '\n'),
          clientHeartbeat: clientHeartbeatOf(
            loadConfiguration({ file: o.config, dynamicProperties: o.D ?? [], overrides: {} }).typed,
          ),
        });
        hostOf = host;
        await runProgram(storeBundle(bundle.code).path, args, host);
      } finally {
        process.removeListener('SIGINT', onInt);
        await cleanup();
      }
    });

  program
    .command('list')
    .description('list jobs')
    .option('-m, --jobmanager <host:port>', 'REST address of the job manager')
    .option('-r, --running', 'running jobs')
    .option('-s, --scheduled', 'scheduled jobs')
    .option('-a, --all', 'all jobs, including terminated')
    .action(async (o) => {
      const client = await restClientOf(o.jobmanager);
      out('Waiting for response...');
      const r = await client.call<{ jobs: JobOverview[] }>('GET', '/jobs/overview');
      const none = !o.running && !o.scheduled && !o.all;
      for (const l of formatList(r.jobs, {
        running: o.running || none,
        scheduled: o.scheduled || none,
        all: Boolean(o.all),
      }))
        out(l);
    });

  program
    .command('cancel')
    .description('cancel a running job')
    .argument('<jobId>')
    .option('-m, --jobmanager <host:port>', 'REST address of the job manager')
    .action(async (jobId: string, o) => {
      const client = await restClientOf(o.jobmanager);
      out(`Cancelling job ${jobId}.`);
      await client.call('PATCH', `/jobs/${jobId}?mode=cancel`);
      out(`Cancelled job ${jobId}.`);
    });

  program
    .command('info')
    .description('print the plan JSON of a job module (Flink /jobs/:id/plan shape) without running it')
    .argument('<job>')
    .argument('[args...]')
    .option('-p, --parallelism <n>', 'default parallelism', '1')
    .passThroughOptions()
    .action(async (job: string, args: string[], o) => {
      const bundle = await bundleJob(job);
      const { path } = storeBundle(bundle.code);
      const { env, jobName } = await evaluateBundle(path, args);
      const p = env.getParallelism() > 0 ? env.getParallelism() : Number(o.parallelism);
      const jg = buildJobGraph(env.graph, { defaultParallelism: p, defaultMaxParallelism: env.getMaxParallelism() });
      jg.jobName = jobName;
      out(JSON.stringify(planJson(jg, '00000000000000000000000000000000'), null, 2));
    });
}
