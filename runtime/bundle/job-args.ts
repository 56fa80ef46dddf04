/**
 * Program arguments of the job being evaluated (Flink's `main(String[] args)`): set by the process that
 * evaluates a bundle; a job run directly with node gets process.argv.
 */
const KEY = Symbol.for('sluice.jobArgs');

export function setJobArgs(args: string[]): void {
  (globalThis as Record<symbol, unknown>)[KEY] = [...args];
}

export function jobArgs(): string[] {
  const a = (globalThis as Record<symbol, unknown>)[KEY];
  return Array.isArray(a) ? [...(a as string[])] : process.argv.slice(2);
}
