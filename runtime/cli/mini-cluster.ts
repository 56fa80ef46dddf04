/**
 * Mini cluster: a job manager and N task worker processes on loopback, started as child processes of the
 * CLI (the embedded default). Each child prints one `SLUICE_READY {json}` line when it serves; the mini
 * cluster waits for those lines with a deadline and stops every process it started, also on failure.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { SluiceError } from '../errors/catalogue.js';
import { platform, type ChildProcess } from '../platform/index.js';
import { nodeFlagsFor } from './node-flags.js';

/** The CLI entry: this directory's main.js when running from dist/, else the built copy in dist/. */
function cliMain(): string {
  const here = fileURLToPath(new URL('./main.js', import.meta.url));
  if (platform.files.exists(here)) return here;
  return fileURLToPath(new URL('../../dist/runtime/cli/main.js', import.meta.url));
}
const MAIN = cliMain();

export interface MiniClusterOptions {
  workers: number;
  slotsPerWorker: number;
  secret: string;
  extraArgs?: string[];
  /** Where child stderr/stdout goes (default: inherit stderr, swallow stdout after READY). */
  onLog?: (line: string) => void;
  startTimeoutMs?: number;
}

export interface ProcessHandle {
  child: ChildProcess;
  ready: Record<string, unknown>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnReady(
  args: string[],
  env: NodeJS.ProcessEnv,
  onLog: (l: string) => void,
  timeoutMs: number,
): Promise<ProcessHandle> {
  // stdin stays open as a lifeline: the child exits when it closes (this process died without stop()).
  // SLUICE_CPU_PROF_DIR=<dir>: every cluster process writes a V8 CPU profile into <dir>/<role> (jobmanager,
  // taskworker) when it exits (profiling benchmarks and jobs; Node refuses --cpu-prof in NODE_OPTIONS).
  const prof = env.SLUICE_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${join(env.SLUICE_CPU_PROF_DIR, args[0] ?? 'process')}`]
    : [];
  const child = platform.processes.spawn(
    process.execPath,
    [...prof, ...nodeFlagsFor(args[0], env), '--enable-source-maps', MAIN, ...args, '--exit-with-parent'],
    { env, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    const timer = platform.clock.setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new SluiceError(
          'RPC_CONNECTION_LOST',
          `process "${args.join(' ')}" did not become ready within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    let ready = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!ready && line.startsWith('SLUICE_READY ')) {
        ready = true;
        platform.clock.clear(timer);
        resolve({
          child,
          ready: JSON.parse(line.slice('SLUICE_READY '.length)),
          kill: (s = 'SIGTERM') => void child.kill(s),
        });
      } else onLog(line);
    });
    createInterface({ input: child.stderr! }).on('line', onLog);
    child.once('exit', (code, sig) => {
      if (!ready) {
        platform.clock.clear(timer);
        reject(
          new SluiceError(
            'RPC_CONNECTION_LOST',
            `process "${args.join(' ')}" exited before it was ready (code ${code}, signal ${sig})`,
          ),
        );
      }
    });
  });
}

export class MiniCluster {
  jobManager: ProcessHandle | undefined;
  readonly workers: ProcessHandle[] = [];
  restUrl = '';
  rpc = { host: '127.0.0.1', port: 0 };

  constructor(private readonly o: MiniClusterOptions) {}

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, SLUICE_SECRET: this.o.secret };
  }

  /** Set by stop(): the children's shutdown chatter (lost connections) is not the user's business. */
  private stopping = false;

  private log(): (l: string) => void {
    const log = this.o.onLog ?? ((l: string) => process.stderr.write(l + '\n'));
    return (l) => {
      if (!this.stopping) log(l);
    };
  }

  async start(): Promise<void> {
    const log = this.log();
    const timeout = this.o.startTimeoutMs ?? 30_000;
    try {
      this.jobManager = await spawnReady(
        ['jobmanager', '--rest-port', '0', '--rpc-port', '0', ...(this.o.extraArgs ?? [])],
        this.env(),
        log,
        timeout,
      );
      const r = this.jobManager.ready as { restUrl: string; rpcHost: string; rpcPort: number };
      this.restUrl = r.restUrl;
      this.rpc = { host: r.rpcHost, port: r.rpcPort };
      for (let i = 0; i < this.o.workers; i++) await this.addWorker();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async addWorker(): Promise<ProcessHandle> {
    const log = this.log();
    const w = await spawnReady(
      [
        'taskworker',
        '--jobmanager',
        `${this.rpc.host}:${this.rpc.port}`,
        '--slots',
        String(this.o.slotsPerWorker),
        ...(this.o.extraArgs ?? []),
      ],
      this.env(),
      log,
      this.o.startTimeoutMs ?? 30_000,
    );
    this.workers.push(w);
    return w;
  }

  /** Stops the workers, then the job manager (SIGTERM, SIGKILL after 5 s). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.terminate(this.workers);
    if (this.jobManager) await this.terminate([this.jobManager]);
  }

  private async terminate(all: ProcessHandle[]): Promise<void> {
    await Promise.all(
      all.map(
        (p) =>
          new Promise<void>((res) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return res();
            const t = platform.clock.setTimeout(() => p.child.kill('SIGKILL'), 5000);
            p.child.once('exit', () => {
              platform.clock.clear(t);
              res();
            });
            p.child.kill('SIGTERM');
          }),
      ),
    );
  }
}
