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

const log = (msg: string) => process.stderr.write(`${new Date(platform.clock.nowMs()).toISOString()} ${msg}\n`);

export function registerClusterCommands(program: Command): void {
  program
    .command('jobmanager')
    .description('run a job manager (REST + control plane) in the foreground')
    .option('--rest-port <port>', 'REST port (rest.port)')
    .option('--rpc-port <port>', 'control-plane port (jobmanager.rpc.port)')
    .option('--ready-file <path>', 'write the ready line to this file')
    .option('--exit-with-parent', 'stop when stdin closes (the parent process is gone)')
    .option('-c, --config <file>', 'cluster.yaml')
    .option('-D <key=value...>', 'configuration override', [])
    .action(async (o) => {
      const s: ClusterSettings = loadClusterConfig(o.config, o.D, {
        'rest.port': o.restPort,
        'jobmanager.rpc.port': o.rpcPort,
      });
      const jm = new JobManager({
        rpcHost: s.rpcHost,
        rpcPort: s.rpcPort,
        secret: s.secret,
        heartbeatIntervalMs: s.heartbeatIntervalMs,
        heartbeatTimeoutMs: s.heartbeatTimeoutMs,
        defaultParallelism: s.defaultParallelism,
        config: s.flat,
        log,
      });
      const rpc = await jm.start();
      const rest = createRestServer({
        facade: createClusterFacade(jm, async () => {
          await rest.close();
          await jm.stop();
          process.exit(0);
        }),
        config: s.config,
        logger: { info: log, error: log },
      });
      const addr = await rest.listen();
      const restUrl = `http://${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`;
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
    .option('-D <key=value...>', 'configuration override', [])
    .action(async (o) => {
      const s = loadClusterConfig(o.config, o.D, { 'taskmanager.numberOfTaskSlots': o.slots });
      const [host, port] = String(o.jobmanager).split(':');
      const w = new TaskWorker({
        jobManagerHost: host!,
        jobManagerPort: Number(port),
        numSlots: s.slotsPerWorker,
        bindHost: s.dataBindHost,
        dataPort: Number(o.dataPort),
        secret: s.secret,
        heartbeatIntervalMs: s.heartbeatIntervalMs,
        buffersPerChannel: s.buffersPerChannel,
        log,
      });
      await w.start();
      // a loop blocked well past the heartbeat timeout (the job manager has given up on this worker) ends the
      // process; the margin keeps a loaded machine's long pauses (GC, bundle evaluation) from tripping it
      const watchdog = startLoopWatchdog({ blockedLimitMs: Math.max(2 * s.heartbeatTimeoutMs, 10_000) });
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
    .option('--workers <n>', 'number of task workers', '2')
    .option('-c, --config <file>', 'cluster.yaml')
    .action(async (o) => {
      if (platform.files.exists(STATE_FILE))
        throw new Error(`a cluster is already recorded in ${STATE_FILE}; run "sluice cluster stop" first`);
      const s = loadClusterConfig(o.config, [], {});
      const jm = (await spawnDetached('jobmanager', ['jobmanager'], o.config)) as LocalClusterState['jobmanager'];
      const workers: LocalClusterState['workers'] = [];
      for (let i = 0; i < Number(o.workers); i++)
        workers.push(
          (await spawnDetached(
            `taskworker-${i}`,
            ['taskworker', '--jobmanager', `${jm.rpcHost}:${jm.rpcPort}`],
            o.config,
          )) as LocalClusterState['workers'][number],
        );
      writeState({ ...(o.config ? { config: o.config } : {}), jobmanager: jm, workers });
      process.stdout.write(
        `Started a cluster: job manager ${jm.restUrl} (dashboard and REST), ${workers.length} task worker(s) with ${s.slotsPerWorker} slot(s) each. Logs in .sluice/cluster/.\n`,
      );
    });
  cluster.command('stop').action(async () => {
    const st = readState();
    for (const p of [...st.workers, st.jobmanager]) terminate(p.pid);
    platform.files.remove(STATE_FILE);
    process.stdout.write(`Stopped the cluster (${st.workers.length} task worker(s) and the job manager).\n`);
  });
}
