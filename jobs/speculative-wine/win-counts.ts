/**
 * Win counts from the job's output. Responsibility: read the committed `part-*` files of a FileSink
 * directory (lines `id,prediction,winner`, winners joined with `+` when consensus credits several) and
 * count records, distinct ids and wins per model; `formatWins` prints them one model a line.
 */
import { join } from 'node:path';
import { platform } from 'sluice/platform';

export interface WinSummary {
  records: number;
  distinctIds: number;
  wins: Record<string, number>;
  /** Wins summed over models (> records when consensus credits several models per record). */
  credits: number;
}

export function readOutputLines(dir: string): string[] {
  const lines: string[] = [];
  for (const f of platform.files
    .list(dir)
    .filter((x) => x.startsWith('part-'))
    .sort())
    for (const l of platform.files.readText(join(dir, f)).split('\n')) if (l) lines.push(l);
  return lines;
}

export function winCounts(lines: string[], models: string[] = []): WinSummary {
  const wins: Record<string, number> = Object.fromEntries(models.map((m) => [m, 0]));
  const ids = new Set<string>();
  let credits = 0;
  for (const l of lines) {
    const [id, , winner = ''] = l.split(',');
    ids.add(id!);
    for (const w of winner.split('+').filter(Boolean)) {
      wins[w] = (wins[w] ?? 0) + 1;
      credits++;
    }
  }
  return { records: lines.length, distinctIds: ids.size, wins, credits };
}

export function formatWins(s: WinSummary): string {
  const rows = Object.entries(s.wins).sort((a, b) => b[1] - a[1]);
  return [
    `records ${s.records} (distinct ids ${s.distinctIds}), credits ${s.credits}`,
    ...rows.map(
      ([m, n]) =>
        `  ${m.padEnd(10)} won ${String(n).padStart(7)}  (${((100 * n) / Math.max(1, s.records)).toFixed(1)}%)`,
    ),
  ].join('\n');
}
