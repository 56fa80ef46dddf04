/**
 * Deploying one job attempt on a task worker (the `deploy` message): evaluates the job bundle, rebuilds the
 * job graph and checks its fingerprint against the job manager's, wires each subtask's input and output
 * channels through the shuffle service, creates the tasks and starts them once the deploy reply is out.
 *
 * Invariants: the attempt fence is asked after every await — a cancel of this attempt, a newer deployment or
 * the loss of the job manager stops the deployment there, cancelling the tasks it created (none has
 * started) and releasing the attempt's channels; the tasks start only if the job is still this deployment's
 * when the start runs (a cancel in between removed it, and then nothing starts).
 */
import { SluiceError } from '../errors/catalogue.js';
import { platform } from '../platform/index.js';
import type { ConnectionToJobManager, DeployRequest } from '../rpc/messages.js';
import { evaluateBundle, storeBundle } from '../bundle/job-bundle.js';
import { buildJobGraph, type JobVertex } from '../graph/job-graph.js';
import { fingerprint } from '../graph/plan.js';
import { taskKey } from '../api/task-key.js';
import type { TcpShuffle } from '../network/tcp-shuffle.js';
import { createTask } from '../task/task-factory.js';
import type { InputSpec, StreamTask } from '../task/stream-task.js';
import type { TaskOutputChannel } from '../task/channel.js';
import type { MetricRegistry } from '../task/task-metrics.js';
import type { AttemptFence } from './attempt-fence.js';
import type { RunningJob } from './running-job.js';
import { taskReports } from './task-reports.js';

/** What a deployment needs of its task worker. */
export interface DeploymentHost {
  /** The worker's id of the moment (it changes when the worker registers again). */
  workerId(): string;
  /** The worker's current connection to the job manager, for the tasks' reports. */
  connection(): ConnectionToJobManager;
  shuffle: TcpShuffle;
  metrics: MetricRegistry;
  fence: AttemptFence;
  jobs: Map<string, RunningJob>;
  /** Cancels the job's running attempt and releases its channels. */
  cancelJob(jobId: string): Promise<void>;
}

export async function deployJob(d: DeployRequest, host: DeploymentHost): Promise<void> {
  const stopped = host.fence.begin(d.jobId, d.attempt);
  const created: StreamTask[] = [];
  // checked after every await: a cancel of this attempt, a newer deployment or the loss of the job manager
  // stops this one here, cancelling the tasks it created (none of them has started)
  const stopIfSuperseded = async (): Promise<void> => {
    const why = stopped();
    if (!why) return;
    if (host.jobs.get(d.jobId)?.attempt === d.attempt) host.jobs.delete(d.jobId);
    await Promise.all(created.map((t) => t.cancel().catch(() => {})));
    host.shuffle.releaseJob(d.jobId, d.attempt);
    throw new SluiceError(
      'JOB_NOT_RUNNING',
      `attempt ${d.attempt} of job ${d.jobId} was ${why} while task worker ${host.workerId()} deployed it`,
    );
  };
  await stopIfSuperseded();
  if (host.jobs.has(d.jobId)) await host.cancelJob(d.jobId);
  const { path } = storeBundle(d.bundleCode);
  const { env } = await evaluateBundle(path, d.args);
  await stopIfSuperseded();
  const graph = buildJobGraph(env.graph, {
    defaultParallelism: d.defaultParallelism,
    defaultMaxParallelism: d.defaultMaxParallelism ?? env.getMaxParallelism(),
  });
  const fp = fingerprint(graph);
  if (fp !== d.fingerprint) {
    throw new SluiceError(
      'JOB_FINGERPRINT_MISMATCH',
      `the job bundle built a different graph on task worker ${host.workerId()} (fingerprint ${fp.slice(0, 12)} vs ${d.fingerprint.slice(0, 12)}); graph construction must be deterministic`,
    );
  }
  const job: RunningJob = { jobId: d.jobId, attempt: d.attempt, tasks: new Map(), graph };
  host.jobs.set(d.jobId, job);
  const byId = new Map(graph.vertices.map((v) => [v.id, v]));
  for (const t of d.tasks) {
    const v = byId.get(t.vertexId)!;
    const { inputs, outputs } = subtaskChannels(d, byId, t, host.shuffle, host.workerId());
    const key = taskKey(t.vertexId, t.subtaskIndex);
    const restoreMap = d.restore?.[key];
    const subtask = { jobId: d.jobId, attempt: d.attempt, vertexId: t.vertexId, subtaskIndex: t.subtaskIndex };
    const task = await createTask({
      jobGraph: graph,
      vertex: v,
      subtaskIndex: t.subtaskIndex,
      attemptNumber: d.attempt,
      jobConfig: { ...env.getConfig().getGlobalJobParameters(), $jobId: d.jobId },
      inputs,
      outputs,
      restore: restoreMap ? new Map(Object.entries(restoreMap)) : undefined,
      clock: platform.clock,
      checkpointMode: d.checkpointMode ?? env.checkpointConfig.mode,
      checkpointingEnabled: d.checkpointingEnabled,
      autoWatermarkIntervalMs: d.autoWatermarkIntervalMs ?? env.getConfig().getAutoWatermarkInterval(),
      stateBackend: d.stateBackend,
      metrics: host.metrics,
      listener: taskReports(subtask, host.metrics, host.connection),
    });
    job.tasks.set(key, task);
    created.push(task);
    await stopIfSuperseded();
  }
  // Start after the deploy reply so the job manager knows the placement before the first state report;
  // a cancel in between has removed the job (cancelJob), and then nothing starts.
  platform.clock.setImmediate(() => {
    if (host.jobs.get(d.jobId) !== job) return;
    for (const [k, task] of job.tasks) void task.start(Boolean(d.restore?.[k]));
  });
}

/**
 * The channels of one subtask: an input channel from every producing subtask (only the same index over a
 * forward edge), an output channel to every consuming subtask, in-process when the peer subtask is placed
 * on this worker. A channel's id names job, attempt, edge, producer and consumer, the same on both ends.
 */
function subtaskChannels(
  d: DeployRequest,
  byId: Map<string, JobVertex>,
  t: DeployRequest['tasks'][number],
  shuffle: TcpShuffle,
  workerId: string,
): { inputs: InputSpec[]; outputs: Map<string, TaskOutputChannel[]> } {
  const chan = (edgeId: string, p: number, c: number) => `${d.jobId}/${d.attempt}/${edgeId}/${p}/${c}`;
  const v = byId.get(t.vertexId)!;
  const inputs: InputSpec[] = [];
  for (const e of v.inputs) {
    const src = byId.get(e.sourceVertexId)!;
    for (let p = 0; p < src.parallelism; p++) {
      if (e.partitioner === 'forward' && p !== t.subtaskIndex) continue;
      inputs.push({
        channel: shuffle.createInputChannel(
          chan(e.id, p, t.subtaskIndex),
          d.placement[src.id]![p]!.workerId === workerId,
        ),
        logicalInput: e.inputIndex,
      });
    }
  }
  const outputs = new Map<string, TaskOutputChannel[]>();
  for (const e of v.outputs) {
    const target = byId.get(e.targetVertexId)!;
    const consumers = e.partitioner === 'forward' ? [t.subtaskIndex] : [...Array(target.parallelism).keys()];
    outputs.set(
      e.id,
      consumers.map((c) => {
        const pl = d.placement[target.id]![c]!;
        return shuffle.createOutputChannel(
          chan(e.id, t.subtaskIndex, c),
          pl.workerId === workerId ? 'local' : { host: pl.host, port: pl.dataPort },
        );
      }),
    );
  }
  return { inputs, outputs };
}
