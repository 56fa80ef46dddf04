/**
 * The configuration options sluice knows: Flink's 2.x key names with their types and defaults (docs/flink-notes.md
 * §6) plus sluice's own `sluice.*` keys, and the 1.x deprecated aliases that map onto them.
 *
 * Invariants: every default is a string in the syntax the option's type accepts; mini-cluster defaults
 * differ from Flink's only where noted (heartbeats in seconds, loopback binds, local directories).
 */
export type OptionType = 'string' | 'int' | 'double' | 'boolean' | 'duration' | 'memory' | 'enum';

export interface OptionSpec {
  type: OptionType;
  default?: string;
  /** Inclusive lower bound for int/double/duration/memory values. */
  min?: number;
  /** Inclusive upper bound for double values. */
  max?: number;
  /** Enum values (matched case-insensitively; the spelling here is the typed value). */
  values?: readonly string[];
  /** Other spellings of enum values (lower case) → the value they stand for. */
  aliases?: Readonly<Record<string, string>>;
  /**
   * Values sluice implements when the option's type admits more (Flink features sluice does not have yet):
   * any other value is refused at validation with CONFIG_UNSUPPORTED and `why`.
   */
  supported?: { values: readonly string[]; why: string };
  description: string;
}

/** `const` type parameters keep each option's literal type, from which `SluiceConfig` is derived. */
const o = <
  const T extends OptionType,
  const E extends Omit<Partial<OptionSpec>, 'type' | 'description'> = Record<never, never>,
>(
  type: T,
  description: string,
  extra?: E,
): { type: T; description: string } & E => ({ type, description, ...(extra as E) });

export const OPTIONS = {
  'rest.address': o('string', 'address clients use to reach the REST server', { default: '127.0.0.1' }),
  'rest.port': o('int', 'REST port clients connect to', { default: '8081', min: 0 }),
  'rest.bind-address': o('string', 'address the REST server binds (defaults to rest.address)'),
  'rest.bind-port': o('string', 'port or range the REST server binds (defaults to rest.port)'),
  'rest.server.max-content-length': o('memory', 'largest request body accepted, jar uploads included', {
    default: '104857600',
    min: 1,
  }),
  'rest.async.store-duration': o('duration', 'how long async operation results stay pollable', {
    default: '5 min',
    min: 0,
  }),
  'rest.flamegraph.enabled': o('boolean', 'serve flame graphs of vertices (V8 CPU profiles of the workers)', {
    default: 'false',
  }),
  'rest.flamegraph.refresh-interval': o('duration', 'age after which a flame graph is sampled again', {
    default: '1 min',
    min: 0,
  }),
  'rest.flamegraph.num-samples': o('int', 'samples per flame graph', { default: '100', min: 1 }),
  'rest.flamegraph.delay-between-samples': o('duration', 'time between two samples', { default: '50 ms', min: 1 }),
  'env.log.dir': o('string', "directory of the processes' log and stdout files", { default: './.sluice/log' }),
  'env.log.max': o('int', 'rotated log files kept per file', { default: '10', min: 0 }),
  'sluice.log.max-file-size': o('memory', 'a log or stdout file rotates at this size', {
    default: '10 mb',
    min: 1024,
  }),
  'jobmanager.rpc.address': o('string', 'control-plane address of the job manager', { default: '127.0.0.1' }),
  'jobmanager.rpc.port': o('int', 'control-plane port of the job manager', { default: '6123', min: 0 }),
  'jobmanager.bind-host': o('string', 'address the control plane binds (defaults to jobmanager.rpc.address)'),
  // The adaptive scheduler exists only as reactive mode (scheduler-mode: reactive); see validate.ts.
  'jobmanager.scheduler': o('enum', 'scheduler', { default: 'default', values: ['default', 'adaptive'] }),
  'scheduler-mode': o('enum', 'reactive mode for the adaptive scheduler', { values: ['reactive'] }),
  'jobmanager.adaptive-scheduler.resource-wait-timeout': o('duration', 'how long to wait for resources', {
    default: '5 min',
    min: 0,
    supported: {
      values: ['5 min'],
      why: 'a job that does not get its slots fails at once with NOT_ENOUGH_SLOTS (reactive mode rescales running jobs only)',
    },
  }),
  'jobmanager.adaptive-scheduler.resource-stabilization-timeout': o('duration', 'quiet period before scheduling', {
    default: '10 s',
    min: 0,
  }),
  'jobmanager.adaptive-scheduler.min-parallelism-increase': o('int', 'smallest worthwhile scale-up', {
    default: '1',
    min: 1,
  }),
  'taskmanager.host': o('string', 'address a task worker advertises (and binds, unless taskmanager.bind-host)', {
    default: '127.0.0.1',
  }),
  'taskmanager.bind-host': o('string', "address a task worker's data plane binds (defaults to taskmanager.host)"),
  // Flink's default is 1. sluice's mini cluster starts 2 workers (`sluice run --workers 2`); with 2 slots
  // each it runs jobs up to parallelism 4 on a 2-core machine, and slot sharing keeps a whole pipeline
  // slice (all vertices' subtask i) in one slot.
  'taskmanager.numberOfTaskSlots': o('int', 'slots offered by each task worker', { default: '2', min: 1 }),
  'parallelism.default': o('int', 'parallelism of jobs that set none', { default: '1', min: 1 }),
  'pipeline.max-parallelism': o('int', 'max parallelism (-1: derived from parallelism)', { default: '-1', min: -1 }),
  'pipeline.auto-watermark-interval': o('duration', 'periodic watermark emission (0 disables)', {
    default: '200 ms',
    min: 0,
  }),
  'execution.checkpointing.interval': o('duration', 'checkpoint interval; checkpointing is off unless set', { min: 1 }),
  'execution.checkpointing.mode': o('enum', 'checkpointing guarantee', {
    default: 'EXACTLY_ONCE',
    values: ['EXACTLY_ONCE', 'AT_LEAST_ONCE'],
  }),
  'execution.checkpointing.timeout': o('duration', 'a checkpoint not complete by then is aborted', {
    default: '10 min',
    min: 1,
  }),
  'execution.checkpointing.min-pause': o('duration', 'minimum pause between checkpoints', { default: '0 ms', min: 0 }),
  'execution.checkpointing.max-concurrent-checkpoints': o('int', 'checkpoints in flight at once', {
    default: '1',
    min: 1,
  }),
  'execution.checkpointing.tolerable-failed-checkpoints': o('int', 'consecutive failures tolerated before failover', {
    default: '0',
    min: 0,
  }),
  'execution.checkpointing.unaligned.enabled': o('boolean', 'unaligned checkpoints', {
    default: 'false',
    supported: { values: ['false'], why: 'checkpoints are aligned (barriers do not overtake in-flight data)' },
  }),
  'execution.checkpointing.aligned-checkpoint-timeout': o('duration', 'switch to unaligned after this alignment time', {
    default: '0 ms',
    min: 0,
    supported: { values: ['0 ms'], why: 'checkpoints are always aligned, so there is nothing to switch to' },
  }),
  'execution.checkpointing.externalized-checkpoint-retention': o('enum', 'keep checkpoints after the job ends', {
    default: 'NO_EXTERNALIZED_CHECKPOINTS',
    values: ['NO_EXTERNALIZED_CHECKPOINTS', 'RETAIN_ON_CANCELLATION', 'DELETE_ON_CANCELLATION'],
  }),
  'execution.checkpointing.dir': o('string', 'checkpoint directory', { default: './.sluice/checkpoints' }),
  'execution.checkpointing.savepoint-dir': o('string', 'default savepoint directory', {
    default: './.sluice/savepoints',
  }),
  'execution.checkpointing.num-retained': o('int', 'completed checkpoints retained', { default: '1', min: 1 }),
  // RocksDB backend only (delta segments, see runtime/state/README.md); the heap backend's checkpoints stay full.
  'execution.checkpointing.incremental': o('boolean', 'incremental checkpoints', { default: 'false' }),
  'state.backend.type': o('enum', 'state backend', {
    default: 'hashmap',
    // Flink 2's ForSt (disaggregated state) is not offered: an unknown value, refused at load.
    values: ['hashmap', 'rocksdb'],
  }),
  'state.backend.rocksdb.localdir': o('string', 'parent directory of the RocksDB instances of a task worker', {
    default: './.sluice/rocksdb',
  }),
  'state.backend.rocksdb.block.cache-size': o('memory', 'RocksDB block cache per keyed operator subtask', {
    default: '8 mb',
    min: 0,
    max: 4294967295,
  }),
  'state.backend.rocksdb.writebuffer.size': o('memory', 'RocksDB memtable budget per keyed operator subtask', {
    default: '64 mb',
    min: 65536,
  }),
  'state.backend.rocksdb.timer-service.factory': o('enum', 'where the timers of the RocksDB backend live', {
    default: 'HEAP',
    values: ['HEAP', 'ROCKSDB'],
    supported: { values: ['HEAP'], why: 'timers stay on the heap and are checkpointed with the keyed state' },
  }),
  'execution.state-recovery.path': o('string', 'snapshot to restore from (-s)'),
  'execution.state-recovery.ignore-unclaimed-state': o('boolean', 'allow non-restored state (-n)', {
    default: 'false',
  }),
  'execution.state-recovery.claim-mode': o('enum', 'ownership of the restored snapshot', {
    default: 'NO_CLAIM',
    values: ['CLAIM', 'NO_CLAIM', 'LEGACY'],
    supported: { values: ['CLAIM', 'NO_CLAIM'], why: 'LEGACY is deprecated in Flink; use CLAIM or NO_CLAIM' },
  }),
  // Unset: none without checkpointing, exponential-delay with it (Flink 1.19+).
  'restart-strategy.type': o('enum', 'restart strategy', {
    values: ['none', 'fixed-delay', 'failure-rate', 'exponential-delay'],
    aliases: {
      disable: 'none',
      off: 'none',
      fixeddelay: 'fixed-delay',
      failurerate: 'failure-rate',
      exponentialdelay: 'exponential-delay',
    },
  }),
  'restart-strategy.fixed-delay.attempts': o('int', 'restart attempts', { default: '1', min: 0 }),
  'restart-strategy.fixed-delay.delay': o('duration', 'delay between restarts', { default: '1 s', min: 0 }),
  'restart-strategy.failure-rate.max-failures-per-interval': o('int', 'failures allowed per interval', {
    default: '1',
    min: 1,
  }),
  'restart-strategy.failure-rate.failure-rate-interval': o('duration', 'failure-rate interval', {
    default: '1 min',
    min: 1,
  }),
  'restart-strategy.failure-rate.delay': o('duration', 'delay between restarts', { default: '1 s', min: 0 }),
  'restart-strategy.exponential-delay.initial-backoff': o('duration', 'first restart delay', {
    default: '1 s',
    min: 0,
  }),
  'restart-strategy.exponential-delay.max-backoff': o('duration', 'largest restart delay', {
    default: '1 min',
    min: 0,
  }),
  'restart-strategy.exponential-delay.backoff-multiplier': o('double', 'delay multiplier', { default: '1.5', min: 1 }),
  'restart-strategy.exponential-delay.reset-backoff-threshold': o('duration', 'stable time that resets the backoff', {
    default: '1 h',
    min: 0,
  }),
  'restart-strategy.exponential-delay.jitter-factor': o('double', 'random share (±) of each delay', {
    default: '0.1',
    min: 0,
    max: 1,
  }),
  'restart-strategy.exponential-delay.attempts-before-reset-backoff': o('int', 'attempts before giving up', {
    default: '2147483647',
    min: 0,
  }),
  // Flink defaults are 10 s / 50 s; a local mini cluster should notice a dead worker within seconds.
  'slot.request.timeout': o('duration', 'how long a job deployment waits for free slots before it fails over', {
    default: '5 min',
    min: 1,
  }),
  'collect-sink.batch-size.max': o('memory', 'largest batch of results a collect sink hands its client', {
    default: '2 mb',
    min: 1,
  }),
  'client.heartbeat.interval': o('duration', 'how often an attached client tells the cluster it is alive', {
    default: '30 s',
    min: 1,
  }),
  'client.heartbeat.timeout': o('duration', 'a collect job whose client is silent this long is cancelled', {
    default: '180 s',
    min: 1,
  }),
  'heartbeat.interval': o('duration', 'heartbeat period', { default: '1000 ms', min: 1 }),
  'heartbeat.timeout': o('duration', 'a worker silent this long is lost', { default: '5000 ms', min: 1 }),
  'heartbeat.rpc-failure-threshold': o('int', 'failed heartbeat RPCs before a worker is lost', {
    default: '2',
    min: 1,
    supported: {
      values: ['2'],
      why: 'heartbeats are one-way notifications on the worker connection; a worker is lost when that connection closes or heartbeat.timeout passes',
    },
  }),
  // High availability (Flink's keys). ZooKeeper's session timeout bounds failover time: a killed leader's
  // ephemeral nodes vanish only when its session expires (Flink: 60 s; sluice: 6 s, like its short heartbeats).
  'high-availability.type': o('enum', 'high-availability services: none (standalone) or zookeeper', {
    default: 'NONE',
    values: ['NONE', 'ZOOKEEPER', 'KUBERNETES'],
    supported: {
      values: ['NONE', 'ZOOKEEPER'],
      why: 'Kubernetes HA services are not implemented; use zookeeper (the HA services are an interface a Kubernetes implementation can fill)',
    },
  }),
  'high-availability.zookeeper.quorum': o('string', 'ZooKeeper connect string, "host:port[,host:port…]"'),
  'high-availability.zookeeper.path.root': o('string', 'root znode under which every cluster keeps its data', {
    default: '/flink',
  }),
  'high-availability.cluster-id': o(
    'string',
    "this cluster's znode under the root (clusters sharing a quorum differ here)",
    {
      default: '/default',
    },
  ),
  'high-availability.storageDir': o(
    'string',
    'where the leader writes submitted job bundles and metadata (ZooKeeper holds pointers to them)',
  ),
  'high-availability.zookeeper.client.session-timeout': o('duration', 'ZooKeeper session timeout', {
    default: '6 s',
    min: 1,
  }),
  'high-availability.zookeeper.client.connection-timeout': o('duration', 'how long to wait for the quorum at start', {
    default: '15 s',
    min: 1,
  }),
  'taskmanager.registration.timeout': o(
    'duration',
    'how long a task worker keeps trying to (re-)register before it exits',
    {
      default: '5 min',
      min: 1,
    },
  ),
  'web.exception-history-size': o('int', 'exceptions kept per job', { default: '16', min: 0 }),
  'sluice.network.buffers-per-channel': o('int', 'credits (frames) a receiver grants each input channel', {
    default: '8',
    min: 1,
  }),
  'sluice.network.buffer-size': o('memory', 'target frame size', {
    default: '32 kb',
    min: 256,
    supported: {
      values: ['32 kb'],
      why: 'network buffers are cut by element count (1024 elements or a 2 ms flush), not by bytes',
    },
  }),
  's3.endpoint': o('string', 'S3 endpoint URL for s3:// locations (an S3-compatible service); default: AWS'),
  's3.path.style.access': o('boolean', 'address buckets by path (http://host/bucket) instead of by host name', {
    default: 'false',
  }),
  's3.access-key': o('string', 'S3 access key id (default: the AWS SDK credential chain)'),
  's3.secret-key': o('string', 'S3 secret access key (default: the AWS SDK credential chain)'),
  's3.region': o('string', 'S3 region', { default: 'us-east-1' }),
  'sluice.mini-cluster.workers': o('int', 'task workers a mini cluster starts', { default: '2', min: 1 }),
  // TLS (docs/flink-notes.md §6): Flink's keystore/truststore keys take PEM files here — `key` and `cert`
  // stand for the keystore, `truststore` is a PEM bundle of the CA certificates a peer must chain to.
  'security.ssl.internal.enabled': o('boolean', 'mutual TLS on the control plane and the data plane', {
    default: 'false',
  }),
  'security.ssl.internal.key': o('string', 'PEM private key of this process for internal TLS'),
  'security.ssl.internal.cert': o('string', 'PEM certificate (chain) of this process for internal TLS'),
  'security.ssl.internal.truststore': o('string', 'PEM CA certificates internal TLS peers must chain to'),
  'security.ssl.internal.handshake-timeout': o('duration', 'an internal TLS handshake must finish within this', {
    default: '10 s',
    min: 1,
  }),
  'security.ssl.verify-hostname': o('boolean', 'a TLS peer certificate must name the host it was reached at', {
    default: 'true',
  }),
  'security.ssl.rest.enabled': o('boolean', 'HTTPS for the REST endpoint', { default: 'false' }),
  'security.ssl.rest.key': o('string', 'PEM private key of the REST endpoint'),
  'security.ssl.rest.cert': o('string', 'PEM certificate (chain) of the REST endpoint'),
  'security.ssl.rest.truststore': o(
    'string',
    'PEM CA certificates REST clients trust (and client certificates chain to)',
  ),
  'security.ssl.rest.authentication-enabled': o('boolean', 'REST clients must present a trusted certificate', {
    default: 'false',
  }),
  'sluice.security.secret': o('string', 'shared secret for job manager / worker RPC (or SLUICE_SECRET)', {
    default: 'sluice-local-secret',
  }),
  'sluice.rest.request-timeout': o(
    'duration',
    'a REST request must arrive whole within this time (slow bodies are refused)',
    { default: '30 s', min: 1 },
  ),
  'sluice.security.path-roots': o(
    'string',
    'extra directories savepoint targets and restore paths may lie in, separated by ","; default: the system temp directory',
  ),
  'sluice.security.tokens': o(
    'string',
    'REST bearer tokens, "<token>:<scope>[,<scope>]" separated by ";" (scopes: read, mutate)',
  ),
  'sluice.rest.upload-dir': o('string', 'where uploaded job bundles are stored', { default: './.sluice/uploads' }),
  'sluice.rest.upload-retained-count': o('int', 'uploaded job bundles kept; the oldest are evicted past it', {
    default: '16',
    min: 1,
  }),
  'sluice.rest.upload-retained-size': o(
    'memory',
    'total size of uploaded job bundles kept; the oldest are evicted past it',
    {
      default: '1 gb',
      min: 1,
    },
  ),
} as const;

/** The option table as plain specs, for lookups by a key that is only known at run time. */
export const OPTION_SPECS: Readonly<Record<string, OptionSpec>> = OPTIONS;
