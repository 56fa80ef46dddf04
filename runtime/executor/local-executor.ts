/**
 * Local execution (Flink's LocalStreamEnvironment): runs every subtask of a job in this process, with
 * in-process bounded channels. Used when `env.execute()` runs outside a cluster (tests, scripts) and by
 * `executeAndCollect`. Same tasks, operators and partitioners as on a cluster; only the channels differ.
 * The configuration is found as the CLI finds it ($SLUICE_CONFIG_FILE, else ./cluster.yaml, else the
 * defaults) and applies through `jobSettings`, with what the program sets on its environment winning.
 */
import { SluiceError } from '../errors/catalogue.js';
import { buildJobGraph, taskNameWithSubtasks, type JobGraph } from '../graph/job-graph.js';
import { type TaskKey, taskKey } from '../api/task-key.js';
import { platform } from '../platform/index.js';
import { createLocalChannel } from '../task/local-channel.js';
import type { StreamExecutionEnvironment } from '../datastream/environment.js';
import type { JobExecutionResult } from '../datastream/execution-host.js';
import { createTask } from '../task/task-factory.js';
import type { StreamTask, InputSpec } from '../task/stream-task.js';
import type { TaskOutputChannel } from '../task/channel.js';
import { LocalCheckpoints } from './local-checkpoints.js';
import { localJobClient } from './local-job-client.js';
import type { JobClient } from '../datastream/job-client.js';
import { loadConfiguration } from '../config/load.js';
import { jobSettings } from '../config/job-settings.js';
import type { SluiceConfig } from '../config/sluice-config.js';

export interface LocalJob {
  jobId: string;
  result: Promise<JobExecutionResult>;
  cancel(): Promise<void>;
  tasks: StreamTask[];
  checkpoints: LocalCheckpoints;
  /** The job graph as run (parallelism and max parallelism resolved from the program and the configuration). */
  jobGraph: JobGraph;
  /** The configuration the job runs with (the default savepoint directory comes from it). */
  config: SluiceConfig;
}

export async function startLocally(
  env: StreamExecutionEnvironment,
  jobName: string,
  config: SluiceConfig = loadConfiguration().typed,
): Promise<LocalJob> {
  const jobId = platform.random.id32();
  const started = platform.clock.monotonicMs();
  const settings = jobSettings(config, env);
  const jg = buildJobGraph(env.graph, {
    defaultParallelism: settings.defaultParallelism,
    defaultMaxParallelism: settings.defaultMaxParallelism,
  });
  const jobConfig: Record<string, string> = { ...env.getConfig().getGlobalJobParameters(), $jobId: jobId };
  // channels: outputs[edgeId][producer][consumer] and inputs per (vertex, subtask)
  const outputs = new Map<string, TaskOutputChannel[][]>();
  const inputs = new Map<TaskKey, InputSpec[]>();
  for (const v of jg.vertices) {
    for (const e of v.outputs) {
      const target = jg.vertices.find((x) => x.id === e.targetVertexId)!;
      const perProducer: TaskOutputChannel[][] = [];
      for (let p = 0; p < v.parallelism; p++) {
        const row: TaskOutputChannel[] = [];
        for (let c = 0; c < target.parallelism; c++) {
          const pointwise = e.partitioner === 'forward';
          if (pointwise && c !== p) {
            row.push(nullChannel);
            continue;
          }
          const ch = createLocalChannel();
          row.push(ch.output);
          const k = taskKey(target.id, c);
          inputs.set(k, [...(inputs.get(k) ?? []), { channel: ch.input, logicalInput: e.inputIndex }]);
        }
        perProducer.push(e.partitioner === 'forward' ? [row[p]!] : row);
      }
      outputs.set(e.id, perProducer);
    }
  }
  const tasks: StreamTask[] = [];
  let remaining = 0;
  let failure: Error | undefined;
  let failedTask: string | undefined;
  let settle!: () => void;
  const done = new Promise<void>((r) => (settle = r));
  const participants: Array<{ key: TaskKey; task: StreamTask; isSource: boolean }> = [];
  const coordinator = new LocalCheckpoints(settings.checkpointing, () => participants, {
    jobId,
    jobGraph: jg,
    checkpointsDir: config['execution.checkpointing.dir'],
  });
  for (const v of jg.vertices) {
    for (let s = 0; s < v.parallelism; s++) {
      remaining++;
      const out = new Map<string, TaskOutputChannel[]>();
      for (const e of v.outputs) out.set(e.id, outputs.get(e.id)![s]!);
      const key = taskKey(v.id, s);
      const task = await createTask({
        jobGraph: jg,
        vertex: v,
        subtaskIndex: s,
        attemptNumber: 0,
        jobConfig,
        inputs: inputs.get(key) ?? [],
        outputs: out,
        restore: undefined,
        clock: platform.clock,
        checkpointMode: settings.checkpointing.mode,
        checkpointingEnabled: settings.checkpointing.intervalMs > 0,
        autoWatermarkIntervalMs: settings.autoWatermarkIntervalMs,
        stateBackend: settings.stateBackend,
        listener: {
          onStateChange: (state, err) => {
            if (state === 'FAILED') {
              failure ??= err;
              failedTask ??= taskNameWithSubtasks(v, s);
              void Promise.all(tasks.map((t) => t.cancel())).then(settle);
            }
            if (state === 'FINISHED' || state === 'CANCELED' || state === 'FAILED') {
              coordinator.taskEnded(key);
              if (--remaining === 0) settle();
            }
          },
          acknowledgeCheckpoint: (id, snaps, timing) => coordinator.acknowledge(key, id, snaps, timing),
          reportFinalState: (snaps, firstCheckpointId) => coordinator.taskFinished(key, snaps, firstCheckpointId),
          declineCheckpoint: (id, reason) => coordinator.decline(key, id, reason),
        },
      });
      tasks.push(task);
      participants.push({ key, task, isSource: v.isSource });
    }
  }
  for (const t of tasks) await t.start(false);
  coordinator.start();
  const result = done.then(() => {
    coordinator.stop();
    if (failure)
      throw new SluiceError('TASK_FAILED', `job "${jobName}" failed: ${failedTask} failed: ${failure.message}`, {
        cause: failure,
      });
    return { jobId, jobName, netRuntimeMs: Math.round(platform.clock.monotonicMs() - started), accumulators: {} };
  });
  return {
    jobId,
    result,
    tasks,
    checkpoints: coordinator,
    jobGraph: jg,
    config,
    cancel: async () => {
      await Promise.all(tasks.map((t) => t.cancel()));
    },
  };
}

/** executeAsync() without a cluster: the job started in this process, and its JobClient. */
export async function executeLocallyAsync(
  env: StreamExecutionEnvironment,
  jobName: string,
  config?: SluiceConfig,
): Promise<JobClient> {
  return localJobClient(await startLocally(env, jobName, config));
}

const nullChannel: TaskOutputChannel = {
  emit() {},
  flush() {},
  isWritable: () => true,
  onWritable: (cb) => cb(),
};
