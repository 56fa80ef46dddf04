/**
 * Reads V8 CPU profiles (`.cpuprofile`, as `node --cpu-prof` writes them) and names the top costs: self time
 * per function (name, file:line) summed over the profiles, and the garbage collector's share of the busy
 * time (samples that are not idle). The `--profile` benchmark run prints this reading for each step.
 *
 * Invariant: shares are of sampled time, so they are comparable within one run, not across machines.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileReading {
  profiles: number;
  busyMs: number;
  gcShare: number;
  top: { name: string; selfMs: number; share: number }[];
}

const IDLE = new Set(['(idle)', '(program)']);

export function readProfiles(dir: string, topN = 8): ProfileReading | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (!files.length) return undefined;
  const selfUs = new Map<string, number>();
  for (const f of files) {
    const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    const nameOf = new Map(
      p.nodes.map((n) => {
        const { functionName, url, lineNumber } = n.callFrame;
        const where = url ? ` ${relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
        return [n.id, `${functionName || '(anonymous)'}${where}`];
      }),
    );
    const samples = p.samples ?? [];
    const deltas = p.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      const name = nameOf.get(samples[i]!) ?? '(unknown)';
      selfUs.set(name, (selfUs.get(name) ?? 0) + Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0));
    }
  }
  let busy = 0;
  for (const [name, us] of selfUs) if (!IDLE.has(name)) busy += us;
  const gc = selfUs.get('(garbage collector)') ?? 0;
  const top = [...selfUs]
    .filter(([name]) => !IDLE.has(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: busy ? us / busy : 0 }));
  return { profiles: files.length, busyMs: busy / 1000, gcShare: busy ? gc / busy : 0, top };
}

export function describeReading(step: string, r: ProfileReading): string {
  const lines = [
    `- **${step}**: ${r.profiles} worker profile(s), ${Math.round(r.busyMs).toLocaleString('en-US')} ms busy; garbage collection ${(r.gcShare * 100).toFixed(1)} % of busy time. Top self time:`,
    ...r.top.map((t) => `  - ${(t.share * 100).toFixed(1)} % \`${t.name}\``),
  ];
  return lines.join('\n');
}
