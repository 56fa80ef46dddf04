/**
 * Process commands: `jobmanager`, `taskworker`, `cluster start|stop`. Server processes print one
 * `SLUICE_READY {json}` line (and write it to --ready-file) once they serve, and shut down cleanly on
 * SIGTERM/SIGINT.
 */
import type { Command } from 'commander';
import { platform } from '../platform/index.js';
import { JobManager } from '../jobmanager/job-manager.js';
import { TaskWorker } from '../taskworker/task-worker.js';
import { startRest } from '../jobmanager/rest-server.js';
import { loadClusterConfig, type ClusterSettings } from './cluster-settings.js';

function announce(info: Record<string, unknown>, readyFile?: string): void {
  const line = `SLUICE_READY ${JSON.stringify(info)}`;
  process.stdout.write(line + '\n');
  if (readyFile) platform.fs.writeFileSync(readyFile, JSON.stringify(info));
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const h = () => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', h);
  process.on('SIGINT', h);
}

const log = (msg: string) => process.stderr.write(`${new Date().toISOString()} ${msg}\n`);

export function registerClusterCommands(program: Command): void {
  program
    .command('jobmanager')
    .description('run a job manager (REST + control plane) in the foreground')
    .option('--rest-port <port>', 'REST port (rest.port)')
    .option('--rpc-port <port>', 'control-plane port (jobmanager.rpc.port)')
    .option('--ready-file <path>', 'write the ready line to this file')
    .option('-c, --config <file>', 'cluster.yaml')
    .option('-D <key=value...>', 'configuration override', [])
    .action(async (o) => {
      const s: ClusterSettings = loadClusterConfig(o.config, o.D, { 'rest.port': o.restPort, 'jobmanager.rpc.port': o.rpcPort });
      const jm = new JobManager({ rpcHost: s.rpcHost, rpcPort: s.rpcPort, secret: s.secret, heartbeatIntervalMs: s.heartbeatIntervalMs, heartbeatTimeoutMs: s.heartbeatTimeoutMs, defaultParallelism: s.defaultParallelism, config: s.flat, log });
      const rpc = await jm.start();
      const rest = await startRest(jm, s, log, async () => {
        await rest.close();
        await jm.stop();
        process.exit(0);
      });
      announce({ restUrl: rest.url, rpcHost: rpc.host, rpcPort: rpc.port, pid: process.pid }, o.readyFile);
      log(`Job manager ready: REST ${rest.url}, RPC ${rpc.host}:${rpc.port}`);
      onSignals(async () => {
        await rest.close();
        await jm.stop();
      });
    });

  program
    .command('taskworker')
    .description('run a task worker in the foreground')
    .requiredOption('--jobmanager <host:port>', 'job manager RPC address')
    .option('--slots <n>', 'taskmanager.numberOfTaskSlots')
    .option('--data-port <port>', 'data-plane port (0 = ephemeral)', '0')
    .option('--ready-file <path>', 'write the ready line to this file')
    .option('-c, --config <file>', 'cluster.yaml')
    .option('-D <key=value...>', 'configuration override', [])
    .action(async (o) => {
      const s = loadClusterConfig(o.config, o.D, { 'taskmanager.numberOfTaskSlots': o.slots });
      const [host, port] = String(o.jobmanager).split(':');
      const w = new TaskWorker({ jobManagerHost: host!, jobManagerPort: Number(port), numSlots: s.slotsPerWorker, bindHost: s.dataBindHost, dataPort: Number(o.dataPort), secret: s.secret, heartbeatIntervalMs: s.heartbeatIntervalMs, log });
      await w.start();
      w.onClosed(() => process.exit(0));
      announce({ workerId: w.id, pid: process.pid }, o.readyFile);
      onSignals(() => w.stop());
    });
}
