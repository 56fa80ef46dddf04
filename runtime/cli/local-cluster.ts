/**
 * The local background cluster of `sluice cluster start|stop` and `sluice scale`: its state file
 * (`.sluice/cluster/cluster.json`: job manager and worker pids and ready info, the config file and `-D`
 * overrides it was started with) and starting one detached server process (logs in
 * `.sluice/cluster/<name>.log`), waiting for its ready file with a deadline.
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

/** SIGTERM; true if the process existed. */
export function terminate(pid: number): boolean {
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}
