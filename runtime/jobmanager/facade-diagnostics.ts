/**
 * The vertex-detail and diagnostics part of the job manager's ClusterFacade: subtask attempts and times,
 * vertex task managers, back pressure, accumulators, flame graphs, and each process's logs, environment and
 * thread dump — the job manager's answered here, a worker's through the `diagnostics` RPC request.
 *
 * Invariants: an unknown job, vertex, subtask or task manager answers undefined (→ 404); a worker that
 * disconnects during a request is unknown too; the job manager's log directory is the only one read here.
 */
import {
  answerDiagnostics,
  type DiagnosticsAnswers,
  type DiagnosticsRequest,
} from '../diagnostics/diagnostics-request.js';
import type { FlameNode } from '../diagnostics/cpu-profile.js';
import type { ProcessLog } from '../diagnostics/process-log.js';
import type { ClusterFacade, ProcessTarget } from '../rest/cluster-facade.js';
import { platform } from '../platform/index.js';
import { FlameGraphs, type FlameGraphOptions } from './flame-graphs.js';
import type { JobManager } from './job-manager.js';
import {
  attemptAccumulators,
  jobAccumulators,
  subtaskAttempt,
  subtaskTimes,
  subtasksAccumulators,
  vertexAccumulators,
  vertexBackPressure,
  vertexTaskManagers,
} from './vertex-views.js';

type Part = Pick<
  ClusterFacade,
  | 'subtaskAttempt'
  | 'subtaskTimes'
  | 'vertexTaskManagers'
  | 'vertexBackPressure'
  | 'vertexAccumulators'
  | 'subtasksAccumulators'
  | 'attemptAccumulators'
  | 'jobAccumulators'
  | 'vertexFlameGraph'
  | 'processEnvironment'
  | 'processLogs'
  | 'processLogFile'
  | 'processThreadDump'
  | 'clientHeartbeat'
>;

/** Extra time a worker gets beyond the profile's own duration to answer. */
const PROFILE_SLACK_MS = 10_000;

export function diagnosticsFacade(jm: JobManager, o: { processLog?: ProcessLog; flameGraph: FlameGraphOptions }): Part {
  const job = (id: string) => jm.jobs.get(id);
  const ask = async <K extends DiagnosticsRequest['kind']>(
    target: ProcessTarget,
    req: Extract<DiagnosticsRequest, { kind: K }>,
    timeoutMs = 30_000,
  ): Promise<DiagnosticsAnswers[K] | undefined> => {
    if (target.kind === 'jobmanager') return (await answerDiagnostics(req, o.processLog)) as DiagnosticsAnswers[K];
    const w = jm.registry.workers.get(target.taskManagerId);
    if (!w) return undefined;
    // The reply schema cannot follow the request's kind; the worker answered with answerDiagnostics(req).
    const answer = w.conn.call({ kind: 'diagnostics', body: req }, timeoutMs) as Promise<DiagnosticsAnswers[K]>;
    return answer.catch((e: Error) => {
      if (w.conn.closed) return undefined; // lost while answering: unknown now
      throw e;
    });
  };
  const flameGraphs = new FlameGraphs(
    o.flameGraph,
    async (workerIds, durationMs, intervalMs) => {
      const trees = await Promise.all(
        workerIds.map((id) =>
          ask<'cpuProfile'>(
            { kind: 'taskmanager', taskManagerId: id },
            { kind: 'cpuProfile', durationMs, intervalMs },
            durationMs + PROFILE_SLACK_MS,
          ).catch(() => undefined),
        ),
      );
      return trees.filter((t): t is FlameNode => t !== undefined);
    },
    jm.o.log,
  );

  return {
    subtaskAttempt: (id, vid, i, attempt) => (job(id) ? subtaskAttempt(job(id)!, vid, i, attempt) : undefined),
    subtaskTimes: (id, vid) => (job(id) ? subtaskTimes(job(id)!, vid) : undefined),
    vertexTaskManagers: (id, vid) => (job(id) ? vertexTaskManagers(job(id)!, vid) : undefined),
    vertexBackPressure: (id, vid) => (job(id) ? vertexBackPressure(job(id)!, vid) : undefined),
    vertexAccumulators: (id, vid) => (job(id) ? vertexAccumulators(job(id)!, vid) : undefined),
    subtasksAccumulators: (id, vid) => (job(id) ? subtasksAccumulators(job(id)!, vid) : undefined),
    attemptAccumulators: (id, vid, i, n) => (job(id) ? attemptAccumulators(job(id)!, vid, i, n) : undefined),
    jobAccumulators: (id) => (job(id) ? jobAccumulators(job(id)!) : undefined),
    vertexFlameGraph: (id, vid, q) => (job(id) ? flameGraphs.get(job(id)!, vid, q.type, q.subtaskIndex) : undefined),
    processEnvironment: (t) => ask(t, { kind: 'environment' }) as never,
    processLogs: (t) => ask(t, { kind: 'logList' }),
    processLogFile: async (t, file) => (await ask(t, { kind: 'logFile', file })) ?? undefined,
    processThreadDump: (t) => ask(t, { kind: 'threadDump' }) as never,
    clientHeartbeat: (id, expiredTimestampMs) => {
      const j = job(id);
      if (j) j.clientExpiresAtMs = Math.max(j.clientExpiresAtMs, expiredTimestampMs, platform.clock.nowMs());
    },
  };
}
