/**
 * Process commands: `jobmanager`, `taskworker`, `supervisor` (internal: the local cluster's worker
 * supervisor), `cluster start|stop`. Server processes print one `SLUICE_READY {json}` line (and write it to
 * --ready-file) once they serve, and shut down cleanly on SIGTERM/SIGINT.
 */
import type { Command } from 'commander';
import { platform } from '../platform/index.js';
import { startLoopWatchdog } from '../taskworker/loop-watchdog.js';
import { TaskWorker } from '../taskworker/task-worker.js';
import { createHaServices, highAvailabilityEnabled } from '../ha/create-ha-services.js';
import { LeaderJobManager } from './leader-job-manager.js';
import { loadClusterConfig, type ClusterSettings } from './cluster-settings.js';
import { createProcessLog, processLogOptions } from '../diagnostics/process-log.js';
import { dynamicPropertiesOption } from './dynamic-option.js';
import { SluiceError } from '../errors/catalogue.js';
import {
  STATE_FILE,
  WANTED_FILE,
  isOwnProcess,
  readState,
  spawnDetached,
  terminate,
  writeState,
  writeWanted,
  type LocalClusterState,
} from './local-cluster.js';
import { WorkerSupervisor } from './worker-supervisor.js';

/** Back-off of worker restarts: 0.5 s doubling to 30 s; a worker that ran a minute starts over at 0.5 s. */
const SUPERVISOR_BACKOFF = { initialBackoffMs: 500, maxBackoffMs: 30_000, stableAfterMs: 60_000, pollMs: 250 };

function announce(info: Record<string, unknown>, readyFile?: string): void {
  const line = `SLUICE_READY ${JSON.stringify(info)}`;
  process.stdout.write(line + '\n');
  // atomically: the parent polls for the file and reads it as soon as it exists
  if (readyFile) platform.files.writeFileAtomic(readyFile, JSON.stringify(info));
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
      const ha = await createHaServices(s.typed, {
        contenderId: `jobmanager pid ${process.pid}`,
        log,
        recordRunningJobs: true,
      });
      let leader: LeaderJobManager | undefined;
      const stop = async () => {
        await leader?.stop();
      };
      leader = new LeaderJobManager(s, ha, plog, async () => {
        await stop();
        process.exit(0);
      });
      let announced = false;
      leader.onServing = (sv) => {
        if (announced) return;
        announced = true;
        announce({ restUrl: sv.restUrl, rpcHost: sv.rpc.host, rpcPort: sv.rpc.port, pid: process.pid }, o.readyFile);
      };
      await leader.start();
      if (!announced) {
        // a standby: ready, serving nothing until it is granted leadership
        announced = true;
        announce({ standby: true, pid: process.pid }, o.readyFile);
        log('Job manager is a standby: waiting for leadership.');
      }
      onSignals(stop, Boolean(o.exitWithParent));
    });

  program
    .command('taskworker')
    .description('run a task worker in the foreground')
    .option('--jobmanager <host:port>', 'job manager RPC address (not with high availability: the leader is looked up)')
    .option('--slots <n>', 'taskmanager.numberOfTaskSlots')
    .option('--data-port <port>', 'data-plane port (0 = ephemeral)', '0')
    .option('--ready-file <path>', 'write the ready line to this file')
    .option('--exit-with-parent', 'stop when stdin closes (the parent process is gone)')
    .option('-c, --config <file>', 'cluster.yaml')
    .addOption(dynamicPropertiesOption())
    .action(async (o) => {
      const s = loadClusterConfig(o.config, o.D, { 'taskmanager.numberOfTaskSlots': o.slots });
      const plog = createProcessLog(processLogOptions(s.config, 'taskworker'));
      const log = (m: string) => plog.info(m);
      const ha = highAvailabilityEnabled(s.typed)
        ? await createHaServices(s.typed, { contenderId: `taskworker pid ${process.pid}`, log })
        : undefined;
      if (!ha && !o.jobmanager)
        throw new SluiceError(
          'CONFIG_INVALID',
          'taskworker needs --jobmanager <host:port> (or high-availability.type: zookeeper to find the leader)',
        );
      const [host, port] = String(o.jobmanager ?? ':0').split(':');
      const w = new TaskWorker({
        jobManagerHost: host!,
        jobManagerPort: Number(port),
        dataPort: Number(o.dataPort),
        secret: s.secret,
        config: s.typed,
        log,
        processLog: plog,
        leaderRetrieval: ha?.leaderRetrieval(),
      });
      w.onClosed(() => void ha?.close());
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
  program
    .command('supervisor', { hidden: true })
    .description('keep the local cluster\'s wanted number of task workers running (started by "cluster start")')
    .requiredOption('--jobmanager <host:port>', 'job manager RPC address')
    .option('--ready-file <path>', 'write the ready line to this file')
    .option('-c, --config <file>', 'cluster.yaml')
    .addOption(dynamicPropertiesOption())
    .action((o) => {
      const sup = new WorkerSupervisor({
        workerArgs: ['--jobmanager', String(o.jobmanager), ...(o.D as string[]).flatMap((kv) => ['-D', kv])],
        config: o.config,
        ...SUPERVISOR_BACKOFF,
        log: (line) => process.stdout.write(`${new Date(platform.clock.nowMs()).toISOString()} ${line}\n`),
      });
      sup.start();
      announce({ pid: process.pid }, o.readyFile);
      onSignals(() => sup.stop());
    });

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
      writeState({
        ...(o.config ? { config: o.config } : {}),
        ...(dynamic.length ? { dynamicProperties: dynamic } : {}),
        jobmanager: jm,
        workers: [],
      });
      writeWanted(workerCount);
      await spawnDetached(
        'supervisor',
        ['supervisor', '--jobmanager', `${jm.rpcHost}:${jm.rpcPort}`, ...dArgs],
        o.config,
      );
      const workers = await waitForWorkers(workerCount, 30_000 * Math.max(1, workerCount));
      process.stdout.write(
        `Started a cluster: job manager ${jm.restUrl} (dashboard and REST), ${workers.length} task worker(s) with ${s.slotsPerWorker} slot(s) each. Logs in .sluice/cluster/.\n`,
      );
    });
  cluster.command('stop').action(async () => {
    const st = readState();
    const live = st.workers.filter(isOwnProcess).length;
    // the supervisor first, so that nothing restarts what is stopped next; it stops its workers itself
    if (st.supervisor) await terminate(st.supervisor, 20_000);
    const after = platform.files.exists(STATE_FILE) ? readState() : st;
    const stragglers = [...new Map([...st.workers, ...after.workers].map((w) => [w.pid, w])).values()];
    await Promise.all(stragglers.map((w) => terminate(w)));
    const jm = await terminate(st.jobmanager);
    platform.files.remove(STATE_FILE);
    platform.files.remove(WANTED_FILE);
    const gone = st.workers.length - live;
    process.stdout.write(
      `Stopped the cluster (${live} task worker(s)${gone ? `; ${gone} recorded worker(s) were already gone` : ''}${jm ? ' and the job manager' : '; the job manager was already gone'}).\n`,
    );
  });
}

/** Waits until the supervisor records `n` live workers; their entries. */
async function waitForWorkers(n: number, timeoutMs: number): Promise<LocalClusterState['workers']> {
  const deadline = platform.clock.monotonicMs() + timeoutMs;
  for (;;) {
    const workers = readState().workers.filter(isOwnProcess);
    if (workers.length >= n) return workers;
    if (platform.clock.monotonicMs() > deadline)
      throw new Error(`${n - workers.length} task worker(s) did not start; see .sluice/cluster/supervisor.log`);
    await new Promise((r) => platform.clock.setTimeout(() => r(undefined), 50));
  }
}
