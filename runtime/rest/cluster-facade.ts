/**
 * What the REST server needs from the job manager: a narrow, data-shaped interface (plain objects in,
 * plain objects out) that the job manager implements. The REST layer owns HTTP concerns (paths, status
 * codes, `{"errors":[…]}`, id validation, key order, string metric values, omitted zero fields); the
 * facade owns the data.
 *
 * Conventions: any method may return a Promise. A lookup of an unknown job, vertex, trigger, checkpoint
 * or task manager returns `undefined` (→ 404). A facade may also throw a SluiceError; its `httpStatus`
 * becomes the response status. Job, vertex and trigger ids are 32 lower-case hex characters.
 */
import type { JobStatus } from '../api/job-status.js';
export type MaybePromise<T> = T | Promise<T>;

export type { JobStatus };
export type ExecutionState =
  | 'CREATED'
  | 'SCHEDULED'
  | 'DEPLOYING'
  | 'RUNNING'
  | 'FINISHED'
  | 'CANCELING'
  | 'CANCELED'
  | 'FAILED'
  | 'RECONCILING'
  | 'INITIALIZING';
export type JsonObject = Record<string, unknown>;

/** `/overview` numbers; the REST layer adds version fields and omits zero `*Blocked` counts. */
export interface ClusterOverviewData {
  taskManagers: number;
  slotsTotal: number;
  slotsAvailable: number;
  jobsRunning: number;
  jobsFinished: number;
  jobsCancelled: number;
  jobsFailed: number;
  taskManagersBlocked?: number;
  slotsFreeAndBlocked?: number;
}

export interface ResourceProfile {
  cpuCores: number;
  taskHeapMemory: number;
  taskOffHeapMemory: number;
  managedMemory: number;
  networkMemory: number;
  extendedResources: Record<string, number>;
}

/** One task worker, in Flink's `TaskManagerInfo` field names. */
export interface TaskManagerData {
  id: string;
  path: string;
  dataPort: number;
  jmxPort: number;
  /** Epoch ms of the last heartbeat (Flink serializes `lastHeartbeat` under this name). */
  timeSinceLastHeartbeat: number;
  slotsNumber: number;
  freeSlots: number;
  totalResource: ResourceProfile;
  freeResource: ResourceProfile;
  hardware: { cpuCores: number; physicalMemory: number; freeMemory: number; managedMemory: number };
  memoryConfiguration: Record<string, number>;
  blocked?: boolean;
}

export interface TaskManagerDetailsData extends TaskManagerData {
  metrics: Record<string, unknown>;
  allocatedSlots: { jobId: string; resource: Partial<ResourceProfile> }[];
}

/** One row of `/jobs/overview` (`JobDetails`); `tasks` keyed by ExecutionState (any case). */
export interface JobOverviewData {
  jid: string;
  name: string;
  state: JobStatus;
  startTime: number;
  endTime: number;
  duration: number;
  lastModification: number;
  tasks: Partial<Record<ExecutionState, number>>;
  pendingOperators?: number;
}

/** `/jobs/:id/execution-result`. */
export type ExecutionResultData =
  | { status: 'IN_PROGRESS' }
  | {
      status: 'COMPLETED';
      result: {
        jobId: string;
        applicationStatus: 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'UNKNOWN';
        netRuntimeMs: number;
        accumulatorResults?: JsonObject;
        failure?: FailureCause;
      };
    };

/** A failed async operation or job; rendered as Flink's `failure-cause`. */
export interface FailureCause {
  className: string;
  message: string;
  stackTrace?: string;
}

/** Savepoint / stop-with-savepoint status; `location` is a `file:` URI of the savepoint directory. */
export type SavepointOperation =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED'; location?: string; failure?: FailureCause };
export type CheckpointOperation =
  | { status: 'IN_PROGRESS' }
  | { status: 'COMPLETED'; checkpointId?: number; failure?: FailureCause };

export interface SavepointRequest {
  targetDirectory?: string;
  cancelJob: boolean;
  formatType: 'CANONICAL' | 'NATIVE';
  /** Client-chosen trigger id (idempotent trigger); the facade returns it when given. */
  triggerId?: string;
}
export interface StopRequest {
  targetDirectory?: string;
  /** Emit MAX_WATERMARK before the savepoint. */
  drain: boolean;
  formatType: 'CANONICAL' | 'NATIVE';
  triggerId?: string;
}
export interface CheckpointRequest {
  checkpointType: 'CONFIGURED' | 'FULL' | 'INCREMENTAL';
  triggerId?: string;
}

export interface JarData {
  id: string;
  name: string;
  uploaded: number;
  entry?: { name: string; description: string | null }[];
}

export interface JarRunRequest {
  programArgs: string[];
  parallelism?: number;
  jobId?: string;
  savepointPath?: string;
  allowNonRestoredState: boolean;
  claimMode?: 'CLAIM' | 'NO_CLAIM' | 'LEGACY';
  entryClass?: string;
  flinkConfiguration: Record<string, string>;
}

export type MetricScope =
  | { kind: 'jobmanager' }
  | { kind: 'job'; jobId: string }
  | { kind: 'vertex'; jobId: string; vertexId: string }
  | { kind: 'subtask'; jobId: string; vertexId: string; subtaskIndex: number }
  | { kind: 'taskmanager'; taskManagerId: string };

/** One read of queryable state (`GET /jobs/:jobid/state/:name?key=…`). */
export interface QueriedStateData {
  name: string;
  key: unknown;
  /** The state's kind (value, list, map, reducing, aggregating) or `view` (an operator's view by key). */
  kind: string;
  value: unknown;
  operatorName: string;
  vertexId: string;
  subtaskIndex: number;
  keyGroup: number;
}

/** Per-model serving statistics for `/jobs/:id/models` (DESIGN §8). Extra fields pass through. */
export interface ModelStatsData {
  name: string;
  version: string;
  sha256: string;
  since: number;
  usage: number;
  failures: number;
  durationMs: { total: number; min: number; max: number; p50: number; p95: number; p99: number };
  batchSize: { min: number; max: number; avg: number };
  [extra: string]: unknown;
}

/** A cluster process whose diagnostics (logs, thread dump, environment) are asked for. */
export type ProcessTarget = { kind: 'jobmanager' } | { kind: 'taskmanager'; taskManagerId: string };
/** A log file of a process: by name from its list, or its main log / standard output. */
export type LogFileRef = { name: string } | { main: 'log' | 'stdout' };
export interface LogInfoData {
  name: string;
  size: number;
  mtime: number;
}
export type FlameGraphType = 'FULL' | 'ON_CPU' | 'OFF_CPU';

export type ResourceRequirements = Record<string, { parallelism: { lowerBound: number; upperBound: number } }>;

/**
 * A collect fetch's answer as REST serves it: the results msgpack-encoded back to back, in base64 (tuples
 * keep their class); `version` '' when no sink can answer now; `complete` once the job finished and the
 * results come from what the sink left (every result fetched is then final).
 */
export interface CollectResultsReply {
  version: string;
  offset: number;
  lastCheckpointedOffset: number;
  checkpointed: boolean;
  complete: boolean;
  count: number;
  serializedResults: string;
  jobStatus: JobStatus;
}

export interface ClusterFacade {
  overview(): MaybePromise<ClusterOverviewData>;
  taskManagers(): MaybePromise<TaskManagerData[]>;
  taskManager(id: string): MaybePromise<TaskManagerDetailsData | undefined>;

  jobs(): MaybePromise<{ id: string; status: JobStatus }[]>;
  jobsOverview(): MaybePromise<JobOverviewData[]>;
  /** `JobDetailsInfo` in Flink's shape (upper-case task-state keys, `plan` included). */
  jobDetails(jobId: string): MaybePromise<JsonObject | undefined>;
  jobStatus(jobId: string): MaybePromise<JobStatus | undefined>;
  /** The plan object (`{jid, name, type, nodes}`); REST wraps it as `{"plan":…}`. */
  jobPlan(jobId: string): MaybePromise<JsonObject | undefined>;
  /** `JobExceptionsInfoWithHistory` limited to `maxExceptions` entries, filtered by labels. */
  jobExceptions(
    jobId: string,
    opts: { maxExceptions: number; failureLabelFilter: Record<string, string> },
  ): MaybePromise<JsonObject | undefined>;
  jobExecutionResult(jobId: string): MaybePromise<ExecutionResultData | undefined>;
  /** `JobConfigInfo` (`{jid, name, execution-config}`) for `/jobs/:id/config`. */
  jobConfig(jobId: string): MaybePromise<JsonObject | undefined>;
  /** Requests cancellation; resolves once the request is accepted (not when the job is CANCELED). */
  cancelJob(jobId: string): MaybePromise<void>;

  triggerSavepoint(jobId: string, req: SavepointRequest): MaybePromise<string>;
  /** Stop with savepoint; polled through `savepointStatus`. The job ends FINISHED. */
  triggerStop(jobId: string, req: StopRequest): MaybePromise<string>;
  savepointStatus(jobId: string, triggerId: string): MaybePromise<SavepointOperation | undefined>;
  triggerCheckpoint(jobId: string, req: CheckpointRequest): MaybePromise<string>;
  checkpointStatus(jobId: string, triggerId: string): MaybePromise<CheckpointOperation | undefined>;
  /** `CheckpointingStatistics` (checkpoints/stats.ts). */
  checkpointStats(jobId: string): MaybePromise<JsonObject | undefined>;
  /** `CheckpointConfigInfo` (checkpoints/checkpoint-config-info.ts); REST lower-cases `mode`. */
  checkpointConfig(jobId: string): MaybePromise<JsonObject | undefined>;
  checkpointDetails(jobId: string, checkpointId: number): MaybePromise<JsonObject | undefined>;

  /** `JobVertexDetailsInfo` (`{id, name, parallelism, maxParallelism, now, subtasks[…]}`). */
  vertexDetails(jobId: string, vertexId: string): MaybePromise<JsonObject | undefined>;
  /** One execution of a subtask: the current one, or attempt `attempt` (`SubtaskExecutionAttemptDetailsInfo`). */
  subtaskAttempt(
    jobId: string,
    vertexId: string,
    subtaskIndex: number,
    attempt?: number,
  ): MaybePromise<JsonObject | undefined>;
  /** `SubtasksTimesInfo`. */
  subtaskTimes(jobId: string, vertexId: string): MaybePromise<JsonObject | undefined>;
  /** `JobVertexTaskManagersInfo`. */
  vertexTaskManagers(jobId: string, vertexId: string): MaybePromise<JsonObject | undefined>;
  /** `JobVertexBackPressureInfo`. */
  vertexBackPressure(jobId: string, vertexId: string): MaybePromise<JsonObject | undefined>;
  /** `JobVertexAccumulatorsInfo`, `SubtasksAllAccumulatorsInfo`, `SubtaskExecutionAttemptAccumulatorsInfo`. */
  vertexAccumulators(jobId: string, vertexId: string): MaybePromise<JsonObject | undefined>;
  subtasksAccumulators(jobId: string, vertexId: string): MaybePromise<JsonObject | undefined>;
  attemptAccumulators(
    jobId: string,
    vertexId: string,
    subtaskIndex: number,
    attempt: number,
  ): MaybePromise<JsonObject | undefined>;
  /** `JobAccumulatorsInfo` (user counters over the job). */
  jobAccumulators(jobId: string): MaybePromise<JsonObject | undefined>;
  /** `VertexFlameGraph` (`{endTimestamp: -2}` when disabled); undefined for an unknown vertex or subtask. */
  vertexFlameGraph(
    jobId: string,
    vertexId: string,
    o: { type: FlameGraphType; subtaskIndex?: number },
  ): MaybePromise<JsonObject | undefined>;

  /** Diagnostics of a process; undefined when the task manager is unknown (or the log file does not exist). */
  processEnvironment(target: ProcessTarget): MaybePromise<JsonObject | undefined>;
  processLogs(target: ProcessTarget): MaybePromise<LogInfoData[] | undefined>;
  processLogFile(target: ProcessTarget, file: LogFileRef): MaybePromise<Uint8Array | undefined>;
  processThreadDump(target: ProcessTarget): MaybePromise<JsonObject | undefined>;
  /**
   * Optional: a client's fetch of a collect sink's results — acknowledges those below `offset` of
   * `version` and answers the next batch; undefined for an unknown job.
   */
  collectResults?(
    jobId: string,
    sinkId: string,
    request: { version: string; offset: number },
  ): MaybePromise<CollectResultsReply | undefined>;
  /** A detached client's heartbeat (`PATCH /jobs/:id/clientHeartbeat`): the client is alive until then. */
  clientHeartbeat(jobId: string, expiredTimestampMs: number): MaybePromise<void>;

  /** All metrics of a scope by id; undefined when the scope (job, vertex, TM) does not exist. */
  metrics(scope: MetricScope): MaybePromise<Record<string, number | string> | undefined>;

  /** Takes over an uploaded bundle: `file` is a temp file the caller deletes after this settles. */
  storeJar(jar: { id: string; name: string; file: string; sizeBytes: number }): MaybePromise<{ path: string }>;
  jars(): MaybePromise<JarData[]>;
  deleteJar(jarId: string): MaybePromise<boolean>;
  /** Starts the job; resolves with its id. Unknown jar: throw SluiceError REST_NOT_FOUND. */
  runJar(jarId: string, req: JarRunRequest): MaybePromise<string>;
  /** Optional `POST /jars/:id/plan`: the plan object of the job the jar builds. */
  planJar?(jarId: string, req: JarRunRequest): MaybePromise<JsonObject>;

  /** Optional `POST /savepoint-disposal`: deletes a savepoint directory; returns a trigger id. */
  triggerSavepointDisposal?(savepointPath: string, triggerId?: string): MaybePromise<string>;
  savepointDisposalStatus?(triggerId: string): MaybePromise<SavepointOperation | undefined>;
  /** Optional per-subtask checkpoint statistics (`TaskCheckpointStatisticsWithSubtaskDetails`). */
  checkpointSubtaskDetails?(
    jobId: string,
    checkpointId: number,
    vertexId: string,
  ): MaybePromise<JsonObject | undefined>;

  jobModels(jobId: string): MaybePromise<ModelStatsData[] | undefined>;
  /**
   * Reads queryable state `name` for `key` from the subtask owning the key (undefined: unknown job; a
   * SluiceError for an undeclared name, a key without value, or a subtask that is not running).
   */
  queryState?(jobId: string, name: string, key: unknown): MaybePromise<QueriedStateData | undefined>;
  resourceRequirements(jobId: string): MaybePromise<ResourceRequirements | undefined>;
  updateResourceRequirements(jobId: string, req: ResourceRequirements): MaybePromise<void>;

  /** Shuts the cluster down; called after the `DELETE /cluster` response is sent. */
  shutdown(): MaybePromise<void>;
}
