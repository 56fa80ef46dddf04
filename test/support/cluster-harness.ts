/**
 * Test harness: a real mini cluster (job manager + task worker processes from dist/) on ephemeral
 * loopback ports, with captured process output and helpers to run the CLI and wait on conditions.
 * Every process started here is stopped in the test's teardown, also when the test fails.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MiniCluster } from '../../runtime/cli/mini-cluster.js';
import { RestClient } from '../../runtime/cli/rest-client.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/runtime/cli/main.js', import.meta.url));

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestCluster {
  mini: MiniCluster;
  rest: RestClient;
  restUrl: string;
  lines: string[];
}

export async function startCluster(t: Teardown, opts: { workers: number; slots?: number; extraArgs?: string[] }): Promise<TestCluster> {
  const lines: string[] = [];
  const mini = new MiniCluster({ workers: opts.workers, slotsPerWorker: opts.slots ?? 1, secret: 'test-secret', extraArgs: opts.extraArgs, onLog: (l: string) => void lines.push(l) });
  t.teardown(() => mini.stop());
  await mini.start();
  return { mini, rest: new RestClient(mini.restUrl), restUrl: mini.restUrl, lines };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(t: Teardown, args: string[], timeoutMs = 120_000): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, SLUICE_SECRET: 'test-secret' } });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sluice ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout:${stdout}\nstderr:${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
