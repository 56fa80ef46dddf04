/**
 * Benchmark harness: runs named benchmarks in one invocation, prints a table and appends it to
 * BENCHMARKS.md with the machine, Node version, commit and command. Numbers are measured, never typed in;
 * targets are compared as ratios within the same run.
 */
import { execSync } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  note?: string;
  target?: { op: '>=' | '<='; value: number };
}

function isMet(r: BenchResult): boolean | undefined {
  if (!r.target) return undefined;
  return r.target.op === '>=' ? r.value >= r.target.value : r.value <= r.target.value;
}

/**
 * The results as a Markdown table; when a target is missed, a line after it names each miss with its measured
 * value and how to get the profiles that explain it.
 */
export function table(results: BenchResult[]): string {
  const rows = results.map((r) => {
    const met = isMet(r);
    const target = r.target ? `${r.target.op} ${fmt(r.target.value)}` : '';
    return `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${target} | ${met === undefined ? '' : met ? 'met' : '**missed**'} | ${r.note ?? ''} |`;
  });
  const lines = ['| benchmark | result | target | status | note |', '|---|---|---|---|---|', ...rows];
  const missed = results.filter((r) => isMet(r) === false);
  if (missed.length) {
    const each = missed.map(
      (r) => `${r.name}: ${fmt(r.value)} ${r.unit}, target ${r.target!.op} ${fmt(r.target!.value)}`,
    );
    lines.push(
      '',
      `Missed: ${each.join('; ')}. The workers' CPU profiles of a run name the costs: the same command with` +
        ' `--profile` (the profiler slows the run, so read its shares, not its rates).',
    );
  }
  return lines.join('\n');
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(n < 10 ? 2 : 1);
}

export function header(command: string): string {
  let commit = 'unknown';
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    /* not a git checkout */
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `## ${new Date().toISOString()} — commit ${commit}\n\nMachine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; command: \`${command}\`\n`;
}

export function appendReport(path: string, text: string): void {
  if (!existsSync(path))
    writeFileSync(
      path,
      '# sluice benchmarks\n\nAppended by `npm run bench`. Each section is one run on one machine; compare ratios within a run.\n\n',
    );
  appendFileSync(path, text + '\n\n');
}
