/**
 * The control-plane messages, one table per direction: what the job manager sends task workers (deploy,
 * cancel, checkpoint trigger and notification, diagnostics, queryable state and collect fetches — all calls) and what task workers send the job manager
 * (registration and collect sinks opening and ending — calls — then heartbeats, task states and checkpoint
 * acknowledgements, final states and declines — notifications). Types are inferred from the schemas, so what is checked on receipt is what
 * the code is typed against.
 *
 * Invariants: every field a receiver reads is in the schema; subtasks travel as (vertexId, subtaskIndex)
 * and restore maps are keyed by TaskKey; adding or changing a kind changes RPC_PROTOCOL_VERSION.
 */
import { z } from 'zod';
import { CHECKPOINT_KINDS } from '../api/elements.js';
import { isTaskKey, type TaskKey } from '../api/task-key.js';
import { TASK_STATES } from '../api/task-state.js';
import { type Body, call, direction, type Kind, type Message, note, type Reply } from './protocol.js';
import type { RpcConnection } from './rpc-connection.js';

const count = z.int().nonnegative();
const vertexId = z.string().regex(/^[^#]+$/, 'a vertex id is non-empty and has no "#"');
/**
 * Metric values: any number (a gauge may read NaN or ±Infinity, which msgpack carries) or string. Metrics
 * are advisory, so a value of another type is dropped rather than refusing the heartbeat or task state.
 */
const metrics = z.record(z.string(), z.unknown()).transform((m) => {
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number' || typeof v === 'string') out[k] = v;
  return out;
});
/** User accumulators (user counters) by name; advisory like metrics, so a non-number value is dropped. */
const accumulators = z.record(z.string(), z.unknown()).transform((m) => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[k] = v;
  return out;
});
const checkpointMode = z.enum(['EXACTLY_ONCE', 'AT_LEAST_ONCE']);

/** One attempt of one job (messages for another attempt are stale and ignored). */
const jobAttempt = { jobId: z.string().min(1), attempt: count };
/** One subtask of one job attempt. */
const subtask = { ...jobAttempt, vertexId, subtaskIndex: count };

const operatorSnapshot = z.object({
  uid: z.string(),
  keyed: z.unknown().optional(),
  keyGroupRange: z.object({ start: count, end: count }).optional(),
  operator: z.unknown().optional(),
});
const operatorRestore = z.object({ keyed: z.array(z.unknown()).optional(), operator: z.unknown().optional() });
/** What the job manager asks a worker about its process (the worker's DiagnosticsRequest). */
const diagnosticsRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('logList') }),
  z.object({
    kind: z.literal('logFile'),
    file: z.union([z.object({ name: z.string().min(1) }), z.object({ main: z.enum(['log', 'stdout']) })]),
  }),
  z.object({ kind: z.literal('threadDump') }),
  z.object({ kind: z.literal('environment') }),
  z.object({ kind: z.literal('cpuProfile'), durationMs: z.number().positive(), intervalMs: z.number().positive() }),
]);
const keyGroupRange = z.object({ start: count, end: count });
/** A subtask's answer to a queryable-state read; `no-task` when the attempt or subtask does not run here. */
const queryableStateAnswer = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('ok'),
    kind: z.enum(['value', 'list', 'map', 'reducing', 'aggregating', 'view']),
    operatorName: z.string(),
    keyGroup: count,
    value: z.unknown(),
  }),
  z.object({ status: z.literal('empty'), operatorName: z.string(), keyGroup: count }),
  z.object({ status: z.literal('unknown') }),
  z.object({ status: z.literal('not-owner'), keyGroup: count, keyGroupRange }),
  z.object({ status: z.literal('no-task') }),
]);
/** A collect sink's answer to a fetch (runtime/api/collect-buffer.ts). */
const collectBatch = z.object({
  version: z.string(),
  offset: count,
  lastCheckpointedOffset: count,
  checkpointed: z.boolean(),
  results: z.array(z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'not bytes')),
});
const taskKeySchema = z.custom<TaskKey>((v) => typeof v === 'string' && isTaskKey(v), 'not a task key');

export const toTaskWorker = direction('job manager → task worker', {
  /** Runs `tasks` of a job attempt on this worker; replies once they are created (they start right after). */
  deploy: call(
    z.object({
      ...jobAttempt,
      bundleCode: z.string(),
      bundleSha256: z.string(),
      args: z.array(z.string()),
      defaultParallelism: z.int().positive(),
      /** -1: derived per operator from its parallelism (Flink's default), as in the job graph. */
      defaultMaxParallelism: z.union([z.literal(-1), z.int().positive()]).optional(),
      fingerprint: z.string(),
      tasks: z.array(z.object({ vertexId, subtaskIndex: count })),
      /** Per vertex id, per subtask: the worker running it and its data address. */
      placement: z.record(z.string(), z.array(z.object({ workerId: z.string(), host: z.string(), dataPort: count }))),
      restore: z.partialRecord(taskKeySchema, z.record(z.string(), operatorRestore)).optional(),
      checkpointMode: checkpointMode.optional(),
      /**
       * Periodic checkpoints are on: a task that reached its end of input waits for the final checkpoint
       * (which holds its final state) before it ends, and its two-phase sinks commit only then.
       */
      checkpointingEnabled: z.boolean().optional(),
      autoWatermarkIntervalMs: count.optional(),
      /** The job's keyed state backend; absent: hashmap. */
      stateBackend: z
        .discriminatedUnion('type', [
          z.object({ type: z.literal('hashmap') }),
          z.object({
            type: z.literal('rocksdb'),
            rocksdbLocalDir: z.string(),
            rocksdbBlockCacheBytes: count,
            rocksdbWriteBufferBytes: count,
            incremental: z.boolean().optional(),
          }),
        ])
        .optional(),
    }),
    z.null(),
  ),
  /** Cancels the job's tasks on this worker; false when the worker runs a newer attempt (stale cancel). */
  cancel: call(z.object(jobAttempt), z.boolean()),
  /** Injects a barrier into the job attempt's source tasks here; false when that attempt is not running here. */
  triggerCheckpoint: call(
    z.object({
      ...jobAttempt,
      checkpointId: count,
      timestampMs: z.number(),
      kind: z.enum(CHECKPOINT_KINDS),
      drain: z.boolean().optional(),
    }),
    z.boolean(),
  ),
  /** A checkpoint completed or was aborted (delivered to the job's tasks here); false when the job runs no task here. */
  notifyCheckpoint: call(z.object({ ...jobAttempt, checkpointId: count, completed: z.boolean() }), z.boolean()),
  /**
   * Logs, a thread dump, the environment or a CPU profile of the worker's process. The answer's shape
   * depends on the request's kind (DiagnosticsAnswers in runtime/diagnostics) and is served to REST as is.
   */
  diagnostics: call(diagnosticsRequest, z.unknown()),
  /** Reads a queryable state by key in one subtask of the running attempt (runtime/api/queryable-state.ts). */
  queryState: call(z.object({ ...subtask, name: z.string().min(1), key: z.unknown() }), queryableStateAnswer),
  /**
   * A client's fetch of a collect sink's results, forwarded to the worker running the sink: acknowledges
   * what lies below `offset` of `version`; `no-sink` when that sink of that attempt does not run here.
   */
  collectFetch: call(
    z.object({ ...jobAttempt, sinkId: z.string().min(1), version: z.string(), offset: count }),
    z.union([collectBatch.extend({ status: z.literal('ok') }), z.object({ status: z.literal('no-sink') })]),
  ),
});

export const toJobManager = direction('task worker → job manager', {
  /** A worker offers its slots and data port; the job manager names it. */
  register: call(
    z.object({
      host: z.string(),
      dataPort: count,
      numSlots: z.int().positive(),
      hardware: z.object({ cpuCores: count, physicalMemory: z.number(), freeMemory: z.number() }),
      memory: z.object({ heapLimitBytes: z.number() }).optional(),
    }),
    z.object({ workerId: z.string() }),
  ),
  heartbeat: note(
    z.object({ workerId: z.string(), metrics: metrics.optional(), accumulators: accumulators.optional() }),
  ),
  /** A subtask changed state; terminal states carry its last metric values and accumulators. */
  taskState: note(
    z.object({
      ...subtask,
      state: z.enum(TASK_STATES),
      error: z.string().optional(),
      metrics: metrics.optional(),
      accumulators: accumulators.optional(),
    }),
  ),
  ackCheckpoint: note(
    z.object({
      ...subtask,
      checkpointId: count,
      snapshots: z.array(operatorSnapshot),
      /** The subtask's synchronous and asynchronous snapshot durations (absent from older workers). */
      timing: z
        .object({ syncDurationMs: z.number().nonnegative(), asyncDurationMs: z.number().nonnegative() })
        .optional(),
    }),
  ),
  /**
   * The subtask's state after its end of input: it stands in for its acknowledgements of checkpoints from
   * `firstCheckpointId` on (the one after the last it took itself).
   */
  finalState: note(z.object({ ...subtask, snapshots: z.array(operatorSnapshot), firstCheckpointId: count })),
  declineCheckpoint: note(z.object({ ...subtask, checkpointId: count, reason: z.string() })),
  /**
   * A collect sink opened on this worker (Flink's CollectSinkAddressEvent): the job manager routes its
   * client's fetches here and replies with the job's collect-sink.batch-size.max in bytes.
   */
  collectSinkOpened: call(
    z.object({ ...jobAttempt, sinkId: z.string().min(1), version: z.string().min(1) }),
    z.object({ maxBatchBytes: z.int().positive() }),
  ),
  /** A collect sink's input ended: what its client has not fetched, kept by the job manager from now on. */
  collectSinkEnded: call(z.object({ ...jobAttempt, sinkId: z.string().min(1), remaining: collectBatch }), z.boolean()),
});

export type ToTaskWorker = typeof toTaskWorker.kinds;
export type ToJobManager = typeof toJobManager.kinds;
export type ToTaskWorkerMessage<K extends Kind<ToTaskWorker> = Kind<ToTaskWorker>> = Message<ToTaskWorker, K>;
export type ToJobManagerMessage<K extends Kind<ToJobManager> = Kind<ToJobManager>> = Message<ToJobManager, K>;
export type DeployRequest = Body<ToTaskWorker, 'deploy'>;
export type RegisterReply = Reply<ToJobManager, 'register'>;

/** The job manager's end of a connection with a task worker. */
export type ConnectionToTaskWorker = RpcConnection<ToTaskWorker, ToJobManager>;
/** A task worker's end of its connection with the job manager. */
export type ConnectionToJobManager = RpcConnection<ToJobManager, ToTaskWorker>;

/** The two ends, as RpcConnection takes them. */
export const jobManagerEnd = { sends: toTaskWorker, receives: toJobManager } as const;
export const taskWorkerEnd = { sends: toJobManager, receives: toTaskWorker } as const;
