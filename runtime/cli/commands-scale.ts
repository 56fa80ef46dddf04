/**
 * `sluice scale --workers N`: adds or removes task worker processes of the local background cluster
 * (`sluice cluster start`) by changing the count its supervisor keeps running (`workers.wanted`) and waiting
 * for the supervisor to get there. Scaling out starts workers that register with the running job manager; their
 * slots are free for new jobs and for rescaling running ones (`PUT /jobs/:id/resource-requirements`).
 * Scaling in removes the newest workers first. A worker that runs subtasks is drained first when the
 * cluster runs in reactive mode (its jobs are rescaled to the slots that remain, which frees the newest
 * workers); otherwise it is not taken away under a job and the command says which job to rescale or stop.
 */
import type { Command } from 'commander';
import { platform } from '../platform/index.js';
import { RestClient } from './rest-client.js';
import { SluiceError } from '../errors/catalogue.js';
import { isOwnProcess, liveWorkers, readState, writeWanted } from './local-cluster.js';

export function registerScale(program: Command): void {
  program
    .command('scale')
    .description('add or remove task workers of the local cluster started with "sluice cluster start"')
    .requiredOption('--workers <n>', 'number of task workers wanted')
    .action(async (o) => {
      const want = Number(o.workers);
      if (!Number.isInteger(want) || want < 1)
        throw new Error(`--workers must be a positive integer (got ${o.workers})`);
      const st = readState();
      const rest = new RestClient(st.jobmanager.restUrl);
      const out = (s: string) => process.stdout.write(s + '\n');
      if (!st.supervisor || !isOwnProcess(st.supervisor))
        throw new SluiceError(
          'CLI_SUPERVISOR_GONE',
          'the local cluster\'s worker supervisor is not running; restart the cluster ("sluice cluster stop", then "start")',
        );
      // Count only workers that are alive and ours: a crashed worker's pid is not counted, never signalled.
      const live = liveWorkers(st);
      if (live.length !== st.workers.length)
        out(`${st.workers.length - live.length} recorded task worker(s) are no longer running; not counted.`);
      st.workers = live;
      if (want > st.workers.length) {
        const before = new Set(st.workers.map((w) => w.workerId));
        writeWanted(want);
        const deadline = platform.clock.monotonicMs() + 30_000 * (want - st.workers.length);
        for (;;) {
          st.workers = liveWorkers(readState());
          if (st.workers.length >= want) break;
          if (platform.clock.monotonicMs() > deadline)
            throw new Error(
              `only ${st.workers.length} of ${want} task workers started; see .sluice/cluster/supervisor.log`,
            );
          await new Promise((r) => platform.clock.setTimeout(() => r(undefined), 50));
        }
        for (const w of st.workers) if (!before.has(w.workerId)) out(`Started task worker ${w.workerId}.`);
      }
      while (st.workers.length > want) {
        const w = st.workers[st.workers.length - 1]!;
        const tm = await rest
          .call<{ allocatedSlots?: Array<{ jobId: string }> }>('GET', `/taskmanagers/${encodeURIComponent(w.workerId)}`)
          .catch(() => undefined);
        const jobs = [...new Set((tm?.allocatedSlots ?? []).map((s) => s.jobId))];
        if (jobs.length) {
          const config = await rest.call<Array<{ key: string; value: string }>>('GET', '/jobmanager/config');
          if (config.find((e) => e.key === 'scheduler-mode')?.value !== 'reactive') {
            throw new Error(
              `task worker ${w.workerId} runs subtasks of job(s) ${jobs.join(', ')}; rescale them to fit the remaining workers first (PUT /jobs/<id>/resource-requirements) or stop them with a savepoint`,
            );
          }
          await drain(
            rest,
            w.workerId,
            jobs,
            st.workers.slice(0, -1).map((x) => x.workerId),
          );
          out(`Drained task worker ${w.workerId}: job(s) ${jobs.join(', ')} rescaled to the remaining workers.`);
        }
        // the supervisor stops the newest worker for good (it is not restarted)
        writeWanted(st.workers.length - 1);
        const deadline = platform.clock.monotonicMs() + 30_000;
        while (
          isOwnProcess(w) ||
          (await rest.call<{ taskmanagers: Array<{ id: string }> }>('GET', '/taskmanagers')).taskmanagers.some(
            (t) => t.id === w.workerId,
          )
        ) {
          if (platform.clock.monotonicMs() > deadline)
            throw new Error(`task worker ${w.workerId} did not leave within 30 s`);
          await new Promise((r) => platform.clock.setTimeout(() => r(undefined), 50));
        }
        st.workers.pop();
        out(`Stopped task worker ${w.workerId}.`);
      }
      if (want === st.workers.length) writeWanted(want);
      out(`The cluster has ${st.workers.length} task worker(s).`);
    });
}

/** Reactive mode: rescale the worker's jobs to the slots of the remaining workers, wait until it is idle. */
async function drain(rest: RestClient, workerId: string, jobs: string[], remaining: string[]): Promise<void> {
  const tms = (await rest.call<{ taskmanagers: Array<{ id: string; slotsNumber: number }> }>('GET', '/taskmanagers'))
    .taskmanagers;
  const slots = tms.filter((t) => remaining.includes(t.id)).reduce((n, t) => n + t.slotsNumber, 0);
  for (const jobId of jobs) {
    const reqs = await rest.call<Record<string, { parallelism: { lowerBound: number; upperBound: number } }>>(
      'GET',
      `/jobs/${jobId}/resource-requirements`,
    );
    const body = Object.fromEntries(
      Object.entries(reqs).map(([v, r]) => [
        v,
        { parallelism: { lowerBound: 1, upperBound: Math.min(r.parallelism.upperBound, slots) } },
      ]),
    );
    await rest.call('PUT', `/jobs/${jobId}/resource-requirements`, body);
  }
  const deadline = platform.clock.monotonicMs() + 60_000;
  for (;;) {
    const tm = await rest.call<{ allocatedSlots?: unknown[] }>('GET', `/taskmanagers/${encodeURIComponent(workerId)}`);
    if (!tm.allocatedSlots?.length) return;
    if (platform.clock.monotonicMs() > deadline)
      throw new Error(`task worker ${workerId} still runs subtasks after 60 s of draining`);
    await new Promise((r) => platform.clock.setTimeout(() => r(undefined), 100));
  }
}
