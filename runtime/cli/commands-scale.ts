/**
 * `sluice scale --workers N`: adds or removes task worker processes of the local background cluster
 * (`sluice cluster start`). Scaling out starts workers that register with the running job manager; their
 * slots are free for new jobs and for rescaling running ones (`PUT /jobs/:id/resource-requirements`).
 * Scaling in removes the newest workers first and only idle ones: a worker that runs subtasks is not taken
 * away under a job — the command says which job to rescale or stop first.
 */
import type { Command } from 'commander';
import { platform } from '../platform/index.js';
import { RestClient } from './rest-client.js';
import { readState, spawnDetached, terminate, writeState } from './local-cluster.js';

export function registerScale(program: Command): void {
  program
    .command('scale')
    .description('add or remove task workers of the local cluster started with "sluice cluster start"')
    .requiredOption('--workers <n>', 'number of task workers wanted')
    .action(async (o) => {
      const want = Number(o.workers);
      if (!Number.isInteger(want) || want < 1) throw new Error(`--workers must be a positive integer (got ${o.workers})`);
      const st = readState();
      const rest = new RestClient(st.jobmanager.restUrl);
      const out = (s: string) => process.stdout.write(s + '\n');
      if (want > st.workers.length) {
        let next = Math.max(-1, ...st.workers.map((w) => Number(/(\d+)$/.exec(w.name)?.[1] ?? -1))) + 1;
        while (st.workers.length < want) {
          const w = await spawnDetached(`taskworker-${next++}`, ['taskworker', '--jobmanager', `${st.jobmanager.rpcHost}:${st.jobmanager.rpcPort}`], st.config);
          st.workers.push(w as (typeof st.workers)[number]);
          writeState(st);
          out(`Started task worker ${w.workerId as string}.`);
        }
      }
      while (st.workers.length > want) {
        const w = st.workers[st.workers.length - 1]!;
        const tm = await rest.call<{ allocatedSlots?: Array<{ jobId: string }> }>('GET', `/taskmanagers/${encodeURIComponent(w.workerId)}`).catch(() => undefined);
        const jobs = [...new Set((tm?.allocatedSlots ?? []).map((s) => s.jobId))];
        if (jobs.length) {
          throw new Error(`task worker ${w.workerId} runs subtasks of job(s) ${jobs.join(', ')}; rescale them to fit the remaining workers first (PUT /jobs/<id>/resource-requirements) or stop them with a savepoint`);
        }
        terminate(w.pid);
        const deadline = platform.clock.monotonicMs() + 30_000;
        while ((await rest.call<{ taskmanagers: Array<{ id: string }> }>('GET', '/taskmanagers')).taskmanagers.some((t) => t.id === w.workerId)) {
          if (platform.clock.monotonicMs() > deadline) throw new Error(`task worker ${w.workerId} did not leave within 30 s`);
          await new Promise((r) => platform.clock.setTimeout(() => r(undefined), 50));
        }
        st.workers.pop();
        writeState(st);
        out(`Stopped task worker ${w.workerId}.`);
      }
      out(`The cluster has ${st.workers.length} task worker(s).`);
    });
}
