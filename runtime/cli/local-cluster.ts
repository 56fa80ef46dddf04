/**
 * The local background cluster of `sluice cluster start|stop` and `sluice scale`: its state file
 * (`.sluice/cluster/cluster.json`: job manager, supervisor and worker pids and ready info, the config file and
 * `-D` overrides it was started with), the wanted worker count (`.sluice/cluster/workers.wanted`, which the
 * supervisor keeps), and starting one detached server process (logs in `.sluice/cluster/<name>.log`), waiting
 * for its ready file with a deadline.
 *
 * Invariants: a recorded pid is signalled only after it is verified as this cluster's process (alive, and its
 * command line is sluice's CLI running that role); a dead or reused pid is dropped from the state, never
 * signalled. Once the supervisor runs, it alone writes the state file's `workers`; `scale` only writes the
 * wanted count.
 */
import { SluiceError } from '../errors/catalogue.js';
import { type ChildProcess, platform } from '../platform/index.js';
import { nodeFlagsFor } from './node-flags.js';

export const STATE_FILE = '.sluice/cluster/cluster.json';
export const WANTED_FILE = '.sluice/cluster/workers.wanted';

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
  /** The process that keeps the wanted number of workers running (absent until it has started). */
  supervisor?: ProcessInfo;
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
  platform.files.writeFileAtomic(STATE_FILE, JSON.stringify(s, null, 2));
}

/** The number of task workers the supervisor keeps running. */
export function readWanted(): number {
  return Number(platform.files.readText(WANTED_FILE).trim());
}

export function writeWanted(n: number): void {
  platform.files.writeFileAtomic(WANTED_FILE, `${n}\n`);
}

/** Starts `sluice <args>` detached and resolves with its ready info once its ready file appears. */
export async function spawnDetached(name: string, args: string[], config: string | undefined): Promise<ProcessInfo> {
  return (await spawnServer(name, args, config)).info;
}

/** As `spawnDetached`, also giving the child's handle (its `exit` event carries the code or signal). */
export async function spawnServer(
  name: string,
  args: string[],
  config: string | undefined,
): Promise<{ info: ProcessInfo; child: ChildProcess }> {
  platform.files.mkdirs('.sluice/cluster');
  const ready = `.sluice/cluster/${name}.ready`;
  platform.files.remove(ready);
  const log = platform.files.openForAppend(`.sluice/cluster/${name}.log`);
  const child = platform.processes.spawn(
    process.execPath,
    [
      ...nodeFlagsFor(args[0], process.env),
      process.argv[1]!,
      ...args,
      '--ready-file',
      ready,
      ...(config ? ['-c', config] : []),
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  const deadline = platform.clock.monotonicMs() + 30_000;
  while (!platform.files.exists(ready)) {
    if (platform.clock.monotonicMs() > deadline || child.exitCode !== null)
      throw new Error(`${name} did not start; see .sluice/cluster/${name}.log`);
    await new Promise((r) => platform.clock.setTimeout(() => r(undefined), 50));
  }
  return { info: { ...JSON.parse(platform.files.readText(ready)), pid: child.pid!, name }, child };
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
