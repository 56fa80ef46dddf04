/**
 * Process commands: `jobmanager`, `taskworker`, `cluster start|stop`. Server processes print one
 * `SLUICE_READY {json}` line (and write it to --ready-file) once they serve, and shut down cleanly on
 * SIGTERM/SIGINT.
 */
import type { Command } from 'commander';
import { platform } from '../platform/index.js';
import { JobManager } from '../jobmanager/job-manager.js';
import { startLoopWatchdog } from '../taskworker/loop-watchdog.js';
import { TaskWorker } from '../taskworker/task-worker.js';
import { createRestServer } from '../rest/index.js';
import { createClusterFacade } from '../jobmanager/cluster-facade-impl.js';
import { loadClusterConfig, type ClusterSettings } from './cluster-settings.js';
import { createProcessLog, processLogOptions } from '../diagnostics/process-log.js';
import { dynamicPropertiesOption } from './dynamic-option.js';
import { SluiceError } from '../errors/catalogue.js';
import {
  STATE_FILE,
  readState,
  spawnDetached,
  terminate,
  writeState,
  type LocalClusterState,
} from './local-cluster.js';

function announce(info: Record<string, unknown>, readyFile?: string): void {
  const line = `SLUICE_READY ${JSON.stringify(info)}`;
  process.stdout.write(line + '\n');
  if (readyFile) platform.files.writeText(readyFile, JSON.stringify(info));
}

/**
 * Clean shutdown on SIGTERM/SIGINT; with `--exit-with-parent` (the mini cluster passes it) also when the
 * parent's end of stdin closes — so a parent that dies without stopping its children (a killed test, a
 * crashed CLI) does not leave servers behind.
 */
function onSignals(stop: () => Promise<void>, exitWithParent = false): void {
  let stopping = false;
  const h = () => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', h);
  process.on('SIGINT', h);
  if (exitWithParent) {
    process.stdin.on('end', h);
    process.stdin.on('close', h);
    process.stdin.on('error', h);
    process.stdin.resume();
  }
}

export function registerClusterCommands(program: Command): void {
  program
    .command('jobmanager')
    .description('run a job manager (REST + control plane) in the foreground')
    .option('--rest-port <port>', 'REST port (rest.port)')
    .option('--rpc-port <port>', 'control-plane port (jobmanager.rpc.port)')
    .option('--ready-file <path>', 'write the ready line to this file')
    .option('--exit-with-parent', 'stop when stdin closes (the parent process is gone)')
    .option('-c, --config <file>', 'cluster.yaml')
    .addOption(dynamicPropertiesOption())
    .action(async (o) => {
      const s: ClusterSettings = loadClusterConfig(o.config, o.D, {
        'rest.port': o.restPort,
        'jobmanager.rpc.port': o.rpcPort,
      });
      const plog = createProcessLog(processLogOptions(s.config, 'jobmanager'));
      const log = (m: string) => plog.info(m);
      const jm = new JobManager({
        rpcHost: s.rpcHost,
        rpcPort: s.rpcPort,
        secret: s.secret,
        config: s.typed,
        log,
      });
      const rpc = await jm.start();
      const rest = createRestServer({
        facade: createClusterFacade(
          jm,
          async () => {
            await rest.close();
            await jm.stop();
            process.exit(0);
          },
          { processLog: plog },
        ),
        config: s.config,
        logger: { info: log, error: (m) => plog.error(m) },
      });
      const addr = await rest.listen();
      const restUrl = `${addr.scheme}://${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
      announce({ restUrl, rpcHost: rpc.host, rpcPort: rpc.port, pid: process.pid }, o.readyFile);
      log(`Job manager ready: REST ${restUrl}, RPC ${rpc.host}:${rpc.port}`);
      onSignals(async () => {
        await rest.close();
        await jm.stop();
      }, Boolean(o.exitWithParent));
    });

  program
    .command('taskworker')
    .description('run a task worker in the foreground')
    .requiredOption('--jobmanager <host:port>', 'job manager RPC address')
    .option('--slots <n>', 'taskmanager.numberOfTaskSlots')
    .option('--data-port <port>', 'data-plane port (0 = ephemeral)', '0')
    .option('--ready-file <path>', 'write the ready line to this file')
    .option('--exit-with-parent', 'stop when stdin closes (the parent process is gone)')
    .option('-c, --config <file>', 'cluster.yaml')
    .addOption(dynamicPropertiesOption())
    .action(async (o) => {
      const s = loadClusterConfig(o.config, o.D, { 'taskmanager.numberOfTaskSlots': o.slots });
      const [host, port] = String(o.jobmanager).split(':');
      const plog = createProcessLog(processLogOptions(s.config, 'taskworker'));
      const log = (m: string) => plog.info(m);
      const w = new TaskWorker({
        jobManagerHost: host!,
        jobManagerPort: Number(port),
        dataPort: Number(o.dataPort),
        secret: s.secret,
        config: s.typed,
        log,
        processLog: plog,
      });
      await w.start();
      // a loop blocked well past the heartbeat timeout (the job manager has given up on this worker) ends the
      // process; the margin keeps a loaded machine's long pauses (GC, bundle evaluation) from tripping it
      const watchdog = startLoopWatchdog({ blockedLimitMs: Math.max(2 * s.config.typed['heartbeat.timeout'], 10_000) });
      w.onClosed(() => {
        watchdog.stop();
        process.exit(0);
      });
      announce({ workerId: w.id, pid: process.pid }, o.readyFile);
      onSignals(() => w.stop(), Boolean(o.exitWithParent));
    });
}

/** `cluster start|stop`: a detached local cluster whose processes outlive the CLI, logs under .sluice/cluster/. */
export function registerClusterLifecycle(program: Command): void {
  const cluster = program.command('cluster').description('start or stop a local cluster in the background');
  cluster
    .command('start')
    .option('--workers <n>', 'number of task workers (default: sluice.mini-cluster.workers)')
    .option('-c, --config <file>', 'cluster.yaml')
    .addOption(dynamicPropertiesOption('configuration override for every process of the cluster (repeatable)'))
    .action(async (o) => {
      if (platform.files.exists(STATE_FILE))
        throw new SluiceError(
          'CLI_CLUSTER_ALREADY_RUNNING',
          `a cluster is already recorded in ${STATE_FILE}; run "sluice cluster stop" first`,
        );
      const dynamic = o.D as string[];
      const s = loadClusterConfig(o.config, dynamic, {});
      const workerCount = o.workers === undefined ? s.miniClusterWorkers : Number(o.workers);
      const dArgs = dynamic.flatMap((kv) => ['-D', kv]);
      const jm = (await spawnDetached(
        'jobmanager',
        ['jobmanager', ...dArgs],
        o.config,
      )) as LocalClusterState['jobmanager'];
      const workers: LocalClusterState['workers'] = [];
      for (let i = 0; i < workerCount; i++)
        workers.push(
          (await spawnDetached(
            `taskworker-${i}`,
            ['taskworker', '--jobmanager', `${jm.rpcHost}:${jm.rpcPort}`, ...dArgs],
            o.config,
          )) as LocalClusterState['workers'][number],
        );
      writeState({
        ...(o.config ? { config: o.config } : {}),
        ...(dynamic.length ? { dynamicProperties: dynamic } : {}),
        jobmanager: jm,
        workers,
      });
      process.stdout.write(
        `Started a cluster: job manager ${jm.restUrl} (dashboard and REST), ${workers.length} task worker(s) with ${s.slotsPerWorker} slot(s) each. Logs in .sluice/cluster/.\n`,
      );
    });
  cluster.command('stop').action(async () => {
    const st = readState();
    const stopped = await Promise.all(st.workers.map((w) => terminate(w)));
    const jm = await terminate(st.jobmanager);
    platform.files.remove(STATE_FILE);
    const n = stopped.filter(Boolean).length;
    const gone = st.workers.length - n;
    process.stdout.write(
      `Stopped the cluster (${n} task worker(s)${gone ? `; ${gone} recorded worker(s) were already gone` : ''}${jm ? ' and the job manager' : '; the job manager was already gone'}).\n`,
    );
  });
}
