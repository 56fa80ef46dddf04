/**
 * Processes of an HA cluster for failover tests: job managers and task workers on loopback that find each
 * other through ZooKeeper (no addresses passed between them), all with the same `-D` configuration. Each
 * process's output lines are kept under the name it was started with; every process still alive is
 * SIGKILLed in the test's teardown.
 */
import { spawnReady, type ProcessHandle } from '../../runtime/cli/mini-cluster.js';
import { RestClient } from '../../runtime/cli/rest-client.js';
import { waitFor } from './cluster-harness.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/** The line a job manager logs when it is granted leadership and serves. */
export const LEADS = /Job manager leads \(session [0-9a-f]+\): REST (\S+),/;

export interface HaCluster {
  /** Output lines per process name ("jm1", "w", …). */
  lines: Record<string, string[]>;
  /** Starts `sluice <args>` with the cluster's configuration; resolves once it is ready (leading or standing by). */
  start(name: string, args: string[]): Promise<ProcessHandle>;
  jobManager(name: string): Promise<ProcessHandle>;
  worker(slots: number): Promise<ProcessHandle>;
  /** The REST URL the named job manager logs once it leads. */
  leadsAt(name: string, timeoutMs?: number): Promise<string>;
  /** Waits until `count` task workers are registered with the job manager at `restUrl`. */
  workersRegistered(restUrl: string, count: number, timeoutMs?: number): Promise<void>;
}

export function haCluster(t: Teardown, config: Record<string, string>): HaCluster {
  const args = Object.entries(config).flatMap(([k, v]) => ['-D', `${k}=${v}`]);
  const env = { ...process.env, SLUICE_SECRET: 'test-secret' };
  const lines: Record<string, string[]> = {};
  const procs: ProcessHandle[] = [];
  t.teardown(() => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.kill('SIGKILL');
  });
  const start = async (name: string, a: string[]) => {
    lines[name] ??= [];
    const p = await spawnReady([...a, ...args], env, (l) => void lines[name]!.push(l), 60_000);
    procs.push(p);
    return p;
  };
  return {
    lines,
    start,
    jobManager: (name) => start(name, ['jobmanager', '--rest-port', '0', '--rpc-port', '0']),
    worker: (slots) => start('w', ['taskworker', '--slots', String(slots)]),
    leadsAt: (name, timeoutMs = 60_000) =>
      waitFor(`${name} leads`, () => lines[name]?.map((l) => LEADS.exec(l)?.[1]).find(Boolean), timeoutMs),
    workersRegistered: async (restUrl, count, timeoutMs = 60_000) => {
      const rest = new RestClient(restUrl);
      await waitFor(
        `${count} workers registered with ${restUrl}`,
        async () =>
          (await rest.call<{ taskmanagers: unknown[] }>('GET', '/taskmanagers')).taskmanagers.length === count,
        timeoutMs,
      );
    },
  };
}
