/**
 * Flink's `list` output: section headers, `dd.MM.yyyy HH:mm:ss : <jobId> : <name> (<STATE>)` lines sorted
 * by start time, and the "No … jobs." lines Flink's scripts grep for.
 */
export interface JobOverview {
  jid: string;
  name: string;
  state: string;
  'start-time': number;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function flinkDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function line(j: JobOverview): string {
  return `${flinkDate(j['start-time'])} : ${j.jid} : ${j.name} (${j.state})`;
}

export function formatList(
  jobs: JobOverview[],
  opts: { running: boolean; scheduled: boolean; all: boolean },
): string[] {
  const out: string[] = [];
  const sorted = [...jobs].sort((a, b) => a['start-time'] - b['start-time']);
  const running = sorted.filter((j) => ['RUNNING', 'RESTARTING', 'FAILING', 'CANCELLING'].includes(j.state));
  const scheduled = sorted.filter((j) => ['CREATED', 'INITIALIZING'].includes(j.state));
  const terminated = sorted.filter((j) => ['FINISHED', 'FAILED', 'CANCELED', 'SUSPENDED'].includes(j.state));
  if (opts.running || opts.all) {
    if (running.length) {
      out.push('------------------ Running/Restarting Jobs -------------------');
      out.push(...running.map(line));
      out.push('--------------------------------------------------------------');
    } else out.push('No running jobs.');
  }
  if (opts.scheduled || opts.all) {
    if (scheduled.length) {
      out.push('----------------------- Scheduled Jobs -----------------------');
      out.push(...scheduled.map(line));
      out.push('--------------------------------------------------------------');
    } else out.push('No scheduled jobs.');
  }
  if (opts.all) {
    if (terminated.length) {
      out.push('---------------------- Terminated Jobs -----------------------');
      out.push(...terminated.map(line));
      out.push('--------------------------------------------------------------');
    }
  }
  return out;
}
