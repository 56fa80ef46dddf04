/**
 * Processes of an HA cluster for failover tests: job managers and task workers that find each other through
 * ZooKeeper (no addresses passed between them), all with the same `-D` configuration plus their own
 * arguments. They run on loopback unless `launch` places them elsewhere (on network-namespace hosts). Each
 * process's output lines are kept under the name it was started with; every process still alive is
 * SIGKILLed in the test's teardown.
 */
import { spawnReady, type ProcessHandle } from '../runtime/cli/mini-cluster.js';
import { RestClient } from '../runtime/cli/rest-client.js';
import { waitFor } from './wait-for.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** The line a job manager logs when it is granted leadership and serves. */
export const LEADS = /Job manager leads \(session [0-9a-f]+\): REST (\S+),/;

/** Starts `sluice <args>` (named `name`) with `env`, passing its output lines to `onLine`; resolves once ready. */
export type Launch = (
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  onLine: (l: string) => void,
) => Promise<ProcessHandle>;

export interface HaClusterOptions {
  /** Where processes run (default: this host, through the mini cluster's spawn). */
  launch?: Launch;
  /** The REST bearer token the helper's own requests send (a REST endpoint off loopback requires one). */
  restToken?: string;
}

export interface HaCluster {
  /** Output lines per process name ("jm1", "w", …). */
  lines: Record<string, string[]>;
  /** Starts `sluice <args>` with the cluster's configuration; resolves once it is ready (leading or standing by). */
  start(name: string, args: string[]): Promise<ProcessHandle>;
  jobManager(name: string, extraArgs?: string[]): Promise<ProcessHandle>;
  worker(slots: number, name?: string, extraArgs?: string[]): Promise<ProcessHandle>;
  /** The REST URL the named job manager logs once it leads. */
  leadsAt(name: string, timeoutMs?: number): Promise<string>;
  /** Waits until `count` task workers are registered with the job manager at `restUrl`. */
  workersRegistered(restUrl: string, count: number, timeoutMs?: number): Promise<void>;
}

const launchHere: Launch = (_name, args, env, onLine) => spawnReady(args, env, onLine, 60_000);

export function haCluster(t: Teardown, config: Record<string, string>, o: HaClusterOptions = {}): HaCluster {
  const launch = o.launch ?? launchHere;
  const args = Object.entries(config).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
  const env = { ...process.env, SLUICE_SECRET: 'test-secret' };
  const lines: Record<string, string[]> = {};
  const procs: ProcessHandle[] = [];
  t.teardown(() => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGKILL');
  });
  const start = async (name: string, a: string[]) => {
    lines[name] ??= [];
    const p = await launch(name, [...a, ...args], env, (l) => void lines[name]!.push(l));
    procs.push(p);
    return p;
  };
  return {
    lines,
    start,
    jobManager: (name, extraArgs = []) =>
      start(name, ['jobmanager', '--rest-port', '0', '--rpc-port', '0', ...extraArgs]),
    worker: (slots, name = 'w', extraArgs = []) => start(name, ['taskworker', '--slots', String(slots), ...extraArgs]),
    leadsAt: (name, timeoutMs = 60_000) =>
      waitFor(`${name} leads`, () => lines[name]?.map((l) => LEADS.exec(l)?.[1]).find(Boolean), timeoutMs),
    workersRegistered: async (restUrl, count, timeoutMs = 60_000) => {
      const rest = new RestClient(restUrl, o.restToken);
      await waitFor(
        `${count} workers registered with ${restUrl}`,
        async () =>
          (await rest.call<{ taskmanagers: unknown[] }>('GET', '/taskmanagers')).taskmanagers.length === count,
        timeoutMs,
      );
    },
  };
}
