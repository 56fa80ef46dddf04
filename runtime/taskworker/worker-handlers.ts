/**
 * What a task worker does with each message the job manager sends: deploy, cancel, checkpoint triggers and
 * notices, queryable-state reads, collect fetches and diagnostics requests.
 *
 * Invariants: a message naming a job attempt reaches only that attempt's tasks (a stale attempt's trigger,
 * notice or query finds none); a cancel is fenced before anything else, so a deployment of that attempt
 * still in progress stops (attempt-fence.ts); a cancel of an attempt older than the running one is ignored.
 */
import type { DeployRequest, ToTaskWorker } from '../rpc/messages.js';
import type { Handlers } from '../rpc/protocol.js';
import { taskKey, taskKeyParts } from '../api/task-key.js';
import { answerDiagnostics } from '../diagnostics/diagnostics-request.js';
import type { ProcessLog } from '../diagnostics/process-log.js';
import { ElementKind } from '../api/elements.js';
import { findCollectSink } from '../api/collect-transport.js';
import type { AttemptFence } from './attempt-fence.js';
import type { RunningJob } from './running-job.js';

/** What the handlers need of their task worker. */
export interface HandlerHost {
  jobs: Map<string, RunningJob>;
  fence: AttemptFence;
  processLog: ProcessLog | undefined;
  deploy(d: DeployRequest): Promise<void>;
  /** Cancels the job's running attempt and releases its channels. */
  cancelJob(jobId: string): Promise<void>;
}

export function workerHandlers(host: HandlerHost): Handlers<ToTaskWorker> {
  return {
    deploy: async (d) => {
      await host.deploy(d);
      return null;
    },
    diagnostics: (req) => answerDiagnostics(req, host.processLog),
    queryState: (q) => {
      const job = host.jobs.get(q.jobId);
      const task = job?.attempt === q.attempt ? job.tasks.get(taskKey(q.vertexId, q.subtaskIndex)) : undefined;
      if (!task?.queryableStates || task.state !== 'RUNNING') return { status: 'no-task' as const };
      return task.queryableStates.query(q.name, q.key);
    },
    collectFetch: (f) => {
      const sink = findCollectSink(f);
      return sink ? { status: 'ok' as const, ...sink.serve(f.version, f.offset) } : { status: 'no-sink' as const };
    },
    cancel: async (b) => {
      host.fence.cancel(b.jobId, b.attempt);
      const running = host.jobs.get(b.jobId);
      if (running && running.attempt > b.attempt) return false; // stale cancel of an older attempt
      await host.cancelJob(b.jobId);
      return true;
    },
    triggerCheckpoint: (b) => {
      const job = host.jobs.get(b.jobId);
      if (!job || job.attempt !== b.attempt) return false;
      for (const [k, t] of job.tasks) {
        const { vertexId } = taskKeyParts(k);
        if (job.graph.vertices.find((v) => v.id === vertexId)?.isSource)
          t.triggerCheckpoint({
            kind: ElementKind.Barrier,
            checkpointId: b.checkpointId,
            timestampMs: b.timestampMs,
            checkpointKind: b.kind,
            drain: b.drain,
          });
      }
      return true;
    },
    notifyCheckpoint: (b) => {
      const job = host.jobs.get(b.jobId);
      if (!job || job.attempt !== b.attempt) return false; // a stale attempt's checkpoint: not these tasks'
      for (const t of job.tasks.values())
        b.completed ? t.notifyCheckpointComplete(b.checkpointId) : t.notifyCheckpointAborted(b.checkpointId);
      return true;
    },
  };
}
