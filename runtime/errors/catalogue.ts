/**
 * The one catalogue of stable error codes. Every error sluice raises on purpose is a SluiceError with a
 * code from here; messages may improve, codes never change meaning. REST maps `httpStatus` into Flink's
 * `{"errors":[…]}` body; the CLI prints `message` and exits non-zero.
 *
 * Invariant: codes are unique, upper snake case, prefixed by area.
 */
export const ErrorCodes = {
  // API and graph building
  API_INVALID_ARGUMENT: { httpStatus: 400, summary: 'an argument to the DataStream API is invalid' },
  API_STATE_WITHOUT_UID: { httpStatus: 400, summary: 'a stateful operator has no uid' },
  API_DUPLICATE_UID: { httpStatus: 400, summary: 'two operators share one uid' },
  API_PARALLELISM_ABOVE_MAX: { httpStatus: 400, summary: 'parallelism exceeds max parallelism' },
  API_CYCLIC_GRAPH: { httpStatus: 400, summary: 'the stream graph has a cycle' },
  API_UNKNOWN_SIDE_OUTPUT: { httpStatus: 400, summary: 'getSideOutput names a tag nobody emits' },
  API_NOT_KEYED: { httpStatus: 400, summary: 'keyed state or timers used on a non-keyed stream' },
  API_NO_RUNTIME_CONTEXT: { httpStatus: 400, summary: 'getRuntimeContext() called before the function was opened' },
  API_UNSUPPORTED: {
    httpStatus: 400,
    summary: 'a Flink API that sluice does not offer (the message names the alternative)',
  },
  JOB_BUILD_FAILED: { httpStatus: 400, summary: 'the job module threw while building its dataflow' },
  JOB_NO_EXECUTE: { httpStatus: 400, summary: 'the job module never called env.execute()' },
  JOB_MULTIPLE_EXECUTE: { httpStatus: 400, summary: 'a program run with sluice run called execute() twice' },
  JOB_CANCELED: { httpStatus: 409, summary: 'the job was cancelled, so it has no execution result' },
  LOCAL_EXECUTOR_MISSING: {
    httpStatus: 500,
    summary: 'execute() outside a cluster, but no local executor is registered',
  },
  JOB_FINGERPRINT_MISMATCH: { httpStatus: 500, summary: 'a process rebuilt a different graph from the same bundle' },
  // cluster and RPC
  RPC_PROTOCOL_VERSION: { httpStatus: 400, summary: 'peer speaks another protocol version' },
  RPC_AUTH_FAILED: { httpStatus: 401, summary: 'peer did not present the shared secret' },
  TLS_HANDSHAKE_FAILED: {
    httpStatus: 401,
    summary: 'a TLS handshake failed (untrusted or missing certificate, wrong host name, or not TLS)',
  },
  RPC_CONNECTION_LOST: { httpStatus: 503, summary: 'a control-plane connection was lost' },
  // high availability
  HA_UNREACHABLE: { httpStatus: 503, summary: 'the high-availability service (ZooKeeper quorum) cannot be reached' },
  HA_STORAGE: { httpStatus: 500, summary: 'the high-availability storage directory refused a read or write' },
  HA_NO_LEADER: { httpStatus: 503, summary: 'no job manager leads the cluster right now' },
  RPC_UNKNOWN_MESSAGE: { httpStatus: 400, summary: 'a control-plane message of a kind the receiver does not know' },
  RPC_MALFORMED_MESSAGE: { httpStatus: 400, summary: 'a control-plane message failed validation' },
  TASK_KEY_INVALID: { httpStatus: 500, summary: 'a task key is not "vertexId#subtaskIndex"' },
  TASK_INVALID_TRANSITION: {
    httpStatus: 500,
    summary: 'internal error: a task stop-with-savepoint transition not allowed',
  },
  WORKER_LOST: { httpStatus: 500, summary: 'a task worker missed its heartbeats or disconnected' },
  NOT_ENOUGH_SLOTS: { httpStatus: 503, summary: 'the cluster has fewer free slots than the job needs' },
  JOB_NOT_FOUND: { httpStatus: 404, summary: 'no job with this id' },
  JOB_INVALID_TRANSITION: { httpStatus: 409, summary: 'job status transition not allowed' },
  JOB_NOT_RUNNING: { httpStatus: 409, summary: 'operation requires a running job' },
  TASK_FAILED: { httpStatus: 500, summary: 'a subtask threw' },
  COLLECT_RECORD_TOO_LARGE: {
    httpStatus: 500,
    summary: 'a collected record is larger than collect-sink.batch-size.max (one batch to the client)',
  },
  COLLECT_CLIENT_GONE: {
    httpStatus: 409,
    summary: 'a collect job was cancelled because its client stopped fetching for client.heartbeat.timeout',
  },
  // CLI
  CLI_CLUSTER_UNREACHABLE: { httpStatus: 503, summary: 'no job manager answers at the REST address the CLI uses' },
  CLI_CLUSTER_ALREADY_RUNNING: {
    httpStatus: 409,
    summary: 'sluice cluster start with a local cluster already recorded',
  },
  CLI_NO_CLUSTER: {
    httpStatus: 404,
    summary: 'no local cluster recorded (sluice cluster stop or scale without start)',
  },
  CLI_SUPERVISOR_GONE: {
    httpStatus: 503,
    summary: "the local cluster's worker supervisor is not running (sluice scale cannot add or remove workers)",
  },
  // REST
  REST_NOT_FOUND: { httpStatus: 404, summary: 'no such resource' },
  REST_BAD_REQUEST: { httpStatus: 400, summary: 'malformed request' },
  REST_UNAUTHORIZED: { httpStatus: 401, summary: 'missing or wrong bearer token' },
  REST_FORBIDDEN: { httpStatus: 403, summary: 'token lacks the required scope' },
  REST_PAYLOAD_TOO_LARGE: { httpStatus: 413, summary: 'upload exceeds the configured cap' },
  REST_PATH_OUTSIDE_ROOT: { httpStatus: 400, summary: 'path escapes the configured root' },
  // config
  CONFIG_INVALID: { httpStatus: 400, summary: 'a cluster.yaml or -D value is invalid' },
  CONFIG_UNKNOWN_KEY: { httpStatus: 400, summary: 'unknown configuration key' },
  CONFIG_UNSUPPORTED: { httpStatus: 400, summary: 'a configuration value names a feature sluice does not implement' },
  // checkpoints
  CHECKPOINT_DECLINED: { httpStatus: 500, summary: 'a task declined a checkpoint' },
  CHECKPOINT_EXPIRED: { httpStatus: 500, summary: 'a checkpoint timed out' },
  CHECKPOINT_STORAGE: { httpStatus: 500, summary: 'writing checkpoint files failed' },
  CHECKPOINT_CORRUPT: { httpStatus: 500, summary: 'a checkpoint file failed its checksum' },
  CHECKPOINT_TOLERABLE_FAILURES_EXCEEDED: { httpStatus: 500, summary: 'too many failed checkpoints' },
  CHECKPOINTING_DISABLED: { httpStatus: 400, summary: 'checkpointing is not enabled for this job' },
  SAVEPOINT_NO_TARGET: { httpStatus: 400, summary: 'no savepoint directory given or configured' },
  RESTORE_UNMATCHED_STATE: { httpStatus: 400, summary: 'snapshot state has no operator in the new program' },
  RESTORE_MAX_PARALLELISM_CHANGED: { httpStatus: 400, summary: 'max parallelism differs from the snapshot' },
  RESTORE_NOT_FOUND: { httpStatus: 404, summary: 'no snapshot at this path' },
  // model serving
  MODEL_INVALID_DESCRIPTOR: { httpStatus: 400, summary: 'model descriptor failed validation' },
  MODEL_LOAD_FAILED: { httpStatus: 400, summary: 'model bytes could not be loaded' },
  MODEL_SCHEMA_MISMATCH: { httpStatus: 400, summary: 'model input/output does not match the declared schema' },
  MODEL_HASH_MISMATCH: { httpStatus: 400, summary: 'model bytes do not match sha256' },
  MODEL_SERVER_FAILED: {
    httpStatus: 502,
    summary: 'an external model server (Open Inference Protocol) failed, timed out or gave a malformed reply',
  },
  MODEL_LOCATION_FAILED: {
    httpStatus: 400,
    summary: 'a model location could not be read (unreachable, too large, too slow, or an unsupported scheme)',
  },
  MODEL_BAD_OUTPUT: { httpStatus: 500, summary: 'model produced NaN or malformed output' },
  MODEL_UNKNOWN_TYPE: { httpStatus: 400, summary: 'no factory registered for modelType' },
  MODEL_POOL_SATURATED: { httpStatus: 503, summary: 'the inference worker pool queue is full' },
  MODEL_POOL_CLOSED: { httpStatus: 503, summary: 'the inference worker pool is closed or its worker died' },
  TRAINING_FAILED: {
    httpStatus: 500,
    summary: 'an off-thread model training failed, or its worker thread died or was closed',
  },
  TRAINING_TIMED_OUT: {
    httpStatus: 504,
    summary: 'an off-thread model training ran longer than trainingTimeoutMs; its worker thread was terminated',
  },
  // state
  STATE_KEY_GROUP_OUT_OF_RANGE: {
    httpStatus: 500,
    summary: 'a key was routed to a subtask that does not own its key group',
  },
  STATE_NO_CURRENT_KEY: { httpStatus: 500, summary: 'keyed state or timers accessed with no current key set' },
  STATE_CORRUPT_NAMESPACE: { httpStatus: 500, summary: 'a state or timer namespace does not name a window' },
  STATE_NOT_MERGEABLE: { httpStatus: 500, summary: 'mergePartitionedState on a state kind that cannot merge' },
  STATE_QUERYABLE_UNKNOWN: { httpStatus: 404, summary: 'no running operator of the job declares this queryable state' },
  STATE_QUERYABLE_NO_VALUE: { httpStatus: 404, summary: 'the queryable state holds no value for the key' },
  STATE_QUERYABLE_DUPLICATE: {
    httpStatus: 400,
    summary: 'two states of one operator share a queryable name, or it names states of different kinds',
  },
  STATE_QUERYABLE_UNAVAILABLE: {
    httpStatus: 503,
    summary: 'the subtask owning the key is not running (the job restarts, rescales or ended)',
  },
  STATE_BACKEND_IO: { httpStatus: 500, summary: 'the RocksDB state backend cannot open, read or write its directory' },
  STATE_VALUE_NOT_SERIALIZABLE: { httpStatus: 500, summary: 'a keyed state value cannot be serialized' },
  // event time
  EVENT_TIME_NO_TIMESTAMP: { httpStatus: 500, summary: 'an event-time operator received a record without a timestamp' },
  WINDOW_INVALID_MERGE: {
    httpStatus: 500,
    summary: 'merging windows would move a window end behind event or processing time',
  },
  WINDOW_STATE_INCONSISTENT: { httpStatus: 500, summary: 'a window is missing from the in-flight merging window set' },
  // data
  DATA_MALFORMED_RECORD: { httpStatus: 400, summary: 'a record could not be decoded or parsed' },
  // program parameters (ParameterTool)
  PARAMETER_REQUIRED_MISSING: { httpStatus: 400, summary: 'a required program parameter was not given' },
  PARAMETER_NOT_A_NUMBER: { httpStatus: 400, summary: 'a program parameter is not the number it is read as' },
  // async I/O and field aggregations
  ASYNC_ELEMENT_FAILED: { httpStatus: 500, summary: 'an async function completed an element exceptionally' },
  ASYNC_TIMEOUT: { httpStatus: 500, summary: 'an async function call timed out (default timeout handler)' },
  AGGREGATION_FIELD_INVALID: { httpStatus: 400, summary: 'sum/min/max/minBy/maxBy names a field a record lacks' },
  // kafka
  KAFKA_CONFIG: { httpStatus: 400, summary: 'Kafka connector misconfigured' },
  KAFKA_GROUP_ACTIVE: { httpStatus: 409, summary: 'offsets not committed: the consumer group has active members' },
  // benchmarks
  NEXMARK_CONFIG: { httpStatus: 400, summary: 'a Nexmark generator option is invalid' },
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class SluiceError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SluiceError';
    this.code = code;
    this.httpStatus = ErrorCodes[code].httpStatus;
  }
}

export function isSluiceError(e: unknown): e is SluiceError {
  return (
    e instanceof Error && (e as { name?: string }).name === 'SluiceError' && typeof (e as SluiceError).code === 'string'
  );
}
