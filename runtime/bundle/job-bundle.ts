/**
 * Job bundles: `sluice run` bundles a job module with esbuild (npm packages, including `sluice` itself,
 * stay external), and every process that needs the graph evaluates the same bundle. The bundle file is
 * stored under the sluice package root (`.sluice/bundles/<sha256>.mjs`) so `import 'sluice'` resolves to
 * this installation by package self-reference, and native packages resolve from its node_modules.
 *
 * Invariant: evaluation installs an execution host that captures the environment at `env.execute()` and
 * never lets the job's code after execute run inside the job manager or a worker. The job's `main` runs in
 * the client (`sluice run`); here its top-level code only rebuilds the graph, so what it writes through
 * `console` while being evaluated is kept out of the process's output (`sluice run` already showed it once).
 */
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import type { StreamExecutionEnvironment } from '../datastream/environment.js';
import { getExecutionHost, setExecutionHost, type ExecutionHost } from '../datastream/execution-host.js';
import { setJobArgs } from './job-args.js';

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface JobBundle {
  code: string;
  sha256: string;
  entry: string;
}

export async function bundleJob(entryPath: string): Promise<JobBundle> {
  const entry = resolve(entryPath);
  if (!platform.files.exists(entry)) throw new SluiceError('JOB_BUILD_FAILED', `job module not found: ${entryPath}`);
  try {
    const out = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
      sourcemap: 'inline',
    });
    const code = out.outputFiles[0]!.text;
    return { code, sha256: createHash('sha256').update(code).digest('hex'), entry };
  } catch (e) {
    throw new SluiceError('JOB_BUILD_FAILED', `could not bundle ${entryPath}: ${(e as Error).message}`, { cause: e });
  }
}

export function bundlePath(sha256: string): string {
  return join(PACKAGE_ROOT, '.sluice', 'bundles', `${sha256}.mjs`);
}

/** Bundles kept in `.sluice/bundles/`; older ones are deleted when a new one is stored. */
export const RETAINED_BUNDLES = 32;

/**
 * Writes a bundle under its sha256 (once) and keeps only the newest RETAINED_BUNDLES files. Deleting an old
 * bundle is safe: every process that evaluates a bundle stores it again from the code it was given (a job's
 * deployment carries the code), so a pruned file is re-created when it is next needed.
 */
export function storeBundle(code: string): { sha256: string; path: string } {
  const sha256 = createHash('sha256').update(code).digest('hex');
  const path = bundlePath(sha256);
  if (!platform.files.exists(path)) {
    platform.files.writeFileAtomic(path, code);
    pruneBundles(dirname(path), path, RETAINED_BUNDLES);
  }
  return { sha256, path };
}

/** Deletes all but the newest `retained` bundle files of `dir` (never `keep`, the one just written). */
export function pruneBundles(dir: string, keep: string, retained: number): void {
  const files = platform.files
    .list(dir)
    .filter((n) => n.endsWith('.mjs'))
    .map((n) => join(dir, n))
    .flatMap((p) => {
      try {
        return [{ p, mtimeMs: platform.files.stat(p).mtimeMs }];
      } catch {
        return []; // removed meanwhile by another process
      }
    })
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const f of files.slice(retained)) if (f.p !== keep) platform.files.remove(f.p);
}

let evaluation = 0;

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
let quieted = 0;
let saved: Partial<Record<(typeof CONSOLE_METHODS)[number], (...a: unknown[]) => void>> = {};

/** Silences `console` while a bundle's top-level code runs (nested and concurrent evaluations counted). */
function quietConsole(): () => void {
  if (quieted++ === 0) {
    saved = {};
    for (const m of CONSOLE_METHODS) {
      saved[m] = console[m];
      console[m] = () => {};
    }
  }
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    if (--quieted === 0) for (const m of CONSOLE_METHODS) console[m] = saved[m]!;
  };
}

export interface EvaluatedJob {
  env: StreamExecutionEnvironment;
  jobName: string;
}

/**
 * Evaluates a stored bundle with `args` and returns the environment it built. Fails with
 * JOB_BUILD_FAILED when the module throws and JOB_NO_EXECUTE when it never calls execute().
 */
export async function evaluateBundle(path: string, args: string[], timeoutMs = 60_000): Promise<EvaluatedJob> {
  const previous = getExecutionHost();
  let captured!: (j: EvaluatedJob) => void;
  const capture = new Promise<EvaluatedJob>((r) => (captured = r));
  const host: ExecutionHost = {
    execute: (env, jobName) => {
      captured({ env, jobName });
      return new Promise(() => {}); // never: code after execute() does not run in cluster processes
    },
    executeAsync: (env, jobName) => {
      captured({ env, jobName });
      return new Promise(() => {});
    },
  };
  setExecutionHost(host);
  setJobArgs(args);
  const restoreConsole = quietConsole();
  try {
    const url = `${pathToFileURL(path).href}?evaluation=${++evaluation}`;
    const moduleDone = import(url).then(
      () => {
        throw new SluiceError('JOB_NO_EXECUTE', `job module ${path} finished without calling env.execute()`);
      },
      (e: Error) => {
        throw new SluiceError('JOB_BUILD_FAILED', `job module threw while building its dataflow: ${e?.message ?? e}`, {
          cause: e,
        });
      },
    );
    let timer: ReturnType<typeof platform.clock.setTimeout> | undefined;
    const timeout = new Promise<never>((_, rej) => {
      timer = platform.clock.setTimeout(
        () => rej(new SluiceError('JOB_NO_EXECUTE', `job module did not call env.execute() within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([capture, moduleDone, timeout]);
    } finally {
      if (timer) platform.clock.clear(timer);
    }
  } finally {
    restoreConsole();
    setExecutionHost(previous);
  }
}
