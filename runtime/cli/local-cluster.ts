/**
 * The local background cluster of `sluice cluster start|stop` and `sluice scale`: its state file
 * (`.sluice/cluster/cluster.json`: job manager and worker pids and ready info, the config file and `-D`
 * overrides it was started with) and starting one detached server process (logs in
 * `.sluice/cluster/<name>.log`), waiting for its ready file with a deadline.
 *
 * Invariant: a recorded pid is signalled only after it is verified as this cluster's process (alive, and its
 * command line is sluice's CLI running that role); a dead or reused pid is dropped from the state, never
 * signalled.
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';

export const STATE_FILE = '.sluice/cluster/cluster.json';

export interface ProcessInfo {
  pid: number;
  name: string;
  [k: string]: unknown;
}

export interface LocalClusterState {
  config?: string;
  /** The `-D key=value` overrides it was started with (scale starts new workers with them too). */
  dynamicProperties?: string[];
  jobmanager: ProcessInfo & { restUrl: string; rpcHost: string; rpcPort: number };
  workers: Array<ProcessInfo & { workerId: string }>;
}

export function readState(): LocalClusterState {
  if (!platform.files.exists(STATE_FILE))
    throw new SluiceError(
      'CLI_NO_CLUSTER',
      `no running cluster recorded in ${STATE_FILE}; start one with "sluice cluster start"`,
    );
  return JSON.parse(platform.files.readText(STATE_FILE)) as LocalClusterState;
}

export function writeState(s: LocalClusterState): void {
  platform.files.mkdirs('.sluice/cluster');
  platform.files.writeText(STATE_FILE, JSON.stringify(s, null, 2));
}

/** Starts `sluice <args>` detached and resolves with its ready info once its ready file appears. */
export async function spawnDetached(name: string, args: string[], config: string | undefined): Promise<ProcessInfo> {
  platform.files.mkdirs('.sluice/cluster');
  const ready = `.sluice/cluster/${name}.ready`;
  platform.files.remove(ready);
  const log = platform.files.openForAppend(`.sluice/cluster/${name}.log`);
  const child = platform.processes.spawn(
    process.execPath,
    [process.argv[1]!, ...args, '--ready-file', ready, ...(config ? ['-c', config] : [])],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  const deadline = platform.clock.monotonicMs() + 30_000;
  while (!platform.files.exists(ready)) {
    if (platform.clock.monotonicMs() > deadline || child.exitCode !== null)
      throw new Error(`${name} did not start; see .sluice/cluster/${name}.log`);
    await new Promise((r) => platform.clock.setTimeout(() => r(undefined), 50));
  }
  return { ...JSON.parse(platform.files.readText(ready)), pid: child.pid!, name };
}

/** The role (`jobmanager`, `taskworker`) a recorded process runs, from its name (`taskworker-3`). */
const roleOf = (p: ProcessInfo) => p.name.replace(/-\d+$/, '');

/**
 * Whether `p` is alive and still the process this cluster started: its command line (/proc) runs sluice's CLI
 * with the recorded role. A pid the system reused for another program is not ours.
 */
export function isOwnProcess(p: ProcessInfo): boolean {
  let argv: string[];
  try {
    argv = platform.files.readText(`/proc/${p.pid}/cmdline`).split('\0');
  } catch {
    return false; // gone
  }
  return argv.includes(roleOf(p)) && argv.some((a) => /runtime[/\\]cli[/\\]main\.[jt]s$/.test(a));
}

/** The recorded workers that are alive and ours. */
export function liveWorkers(s: LocalClusterState): LocalClusterState['workers'] {
  return s.workers.filter(isOwnProcess);
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a verified process of this cluster: SIGTERM, then SIGKILL if it has not exited within `graceMs` (a
 * process whose event loop is blocked never runs its SIGTERM handler). Returns false for a process that was
 * not ours or already gone (nothing is signalled then).
 */
export async function terminate(p: ProcessInfo, graceMs = 5000): Promise<boolean> {
  if (!isOwnProcess(p)) return false;
  signal(p.pid, 'SIGTERM');
  const deadline = platform.clock.monotonicMs() + graceMs;
  while (isOwnProcess(p)) {
    if (platform.clock.monotonicMs() > deadline) {
      signal(p.pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => platform.clock.setTimeout(() => r(undefined), 50));
  }
  return true;
}
