/**
 * `--kafka host:port` for the jobs in jobs/: separates the Kafka flags from a job's positional arguments and
 * builds the topic sources and sinks a job uses instead of its embedded generator and file sinks.
 *
 * Flags (anywhere after the job module; `sluice run` passes them through to the job):
 *   --kafka host:port   read and write topics on this bootstrap server
 *   --topic-prefix p    topic names are `<p>.<stream>` (default: the job's own prefix, e.g. `taxi`)
 *   --no-feed           do not write the job's generated input into its input topic (another producer does)
 *   --feed-only         only write the generated input into the input topic, then end
 *   --bounded           read the input topics up to the offsets at job start, then end (implies --no-feed)
 *   --kafka-property k=v  a Kafka client property for every topic source and sink of the job (repeatable),
 *                       e.g. `retries=2` so a lost broker fails the job over sooner than kafkajs's default
 *
 * Invariants: without --kafka nothing here touches the network and the job runs exactly as before; every
 * reader uses read_committed, every writer of a checkpointed job is EXACTLY_ONCE unless the job says
 * otherwise, so a topic-to-topic job keeps the exactly-once guarantee end to end. A topic source creates its
 * topic when missing (broker defaults), so a job that feeds its own input starts on an empty broker.
 */
import { Kafka, logLevel } from 'kafkajs';
// only package imports (kept external by the job bundler): relative imports of runtime or connector files
// would copy them into every job bundle (and past upload limits such as the security test's 64 kb)
import {
  KafkaSink,
  KafkaSource,
  OffsetsInitializer,
  SluiceError,
  type DeliveryGuarantee,
  type KafkaPartitionSplit,
  type KafkaRecord,
} from 'sluice';

export interface KafkaMode {
  /** Bootstrap server, e.g. `localhost:9092`. */
  bootstrap: string;
  prefix: string;
  feed: boolean;
  process: boolean;
  bounded: boolean;
  /** `--kafka-property` values, set on every topic source and sink (absent when none was given). */
  properties?: Record<string, string>;
}

export interface JobArgs {
  /** The job's own positional arguments, with the Kafka flags removed. */
  positional: string[];
  /** Set when `--kafka` was given. */
  kafka?: KafkaMode;
}

const HOST_PORT = /^[^:\s]+:\d{1,5}$/;

/** Splits `--kafka host:port` and its companion flags from the positional arguments of a job. */
export function parseJobArgs(args: string[], defaultPrefix: string): JobArgs {
  const positional: string[] = [];
  let bootstrap: string | undefined;
  let prefix = defaultPrefix;
  let feed = true;
  let feedOnly = false;
  let bounded = false;
  const properties: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (flag: string): string => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v === undefined || v === '') throw new SluiceError('KAFKA_CONFIG', `${flag} needs a value`);
      return v;
    };
    if (a === '--kafka' || a.startsWith('--kafka=')) bootstrap = value('--kafka');
    else if (a === '--topic-prefix' || a.startsWith('--topic-prefix=')) prefix = value('--topic-prefix');
    else if (a === '--no-feed') feed = false;
    else if (a === '--feed-only') feedOnly = true;
    else if (a === '--bounded') bounded = true;
    else if (a === '--kafka-property' || a.startsWith('--kafka-property=')) {
      const kv = value('--kafka-property');
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new SluiceError('KAFKA_CONFIG', `--kafka-property expects key=value, got "${kv}"`);
      properties[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a.startsWith('--'))
      throw new SluiceError(
        'KAFKA_CONFIG',
        `unknown job option ${a} (the job knows --kafka host:port, --topic-prefix, --no-feed, --feed-only, --bounded, --kafka-property; options of sluice run itself go before the job module)`,
      );
    else positional.push(a);
  }
  if (!bootstrap) {
    if (prefix !== defaultPrefix || !feed || feedOnly || bounded || Object.keys(properties).length)
      throw new SluiceError(
        'KAFKA_CONFIG',
        '--topic-prefix, --no-feed, --feed-only, --bounded and --kafka-property need --kafka host:port',
      );
    return { positional };
  }
  if (!HOST_PORT.test(bootstrap))
    throw new SluiceError('KAFKA_CONFIG', `--kafka expects host:port, got "${bootstrap}"`);
  if (feedOnly && bounded) throw new SluiceError('KAFKA_CONFIG', '--feed-only and --bounded exclude each other');
  return {
    positional,
    kafka: {
      bootstrap,
      prefix,
      feed: feedOnly || (feed && !bounded),
      process: !feedOnly,
      bounded,
      ...(Object.keys(properties).length ? { properties } : {}),
    },
  };
}

export function topicName(mode: KafkaMode, stream: string): string {
  return `${mode.prefix}.${stream}`;
}

/**
 * A read_committed source over `<prefix>.<stream>` from the earliest offset; bounded at the offsets of job
 * start when the mode is bounded. Undecodable records go to the source's malformed side output.
 */
export function topicSource<T>(
  mode: KafkaMode,
  stream: string,
  deserialize: (record: KafkaRecord) => T,
): KafkaSource<T> {
  const b = KafkaSource.builder<T>()
    .setBootstrapServers(mode.bootstrap)
    .setTopics(topicName(mode, stream))
    .setGroupId(`${mode.prefix}-${stream}-reader`)
    .setStartingOffsets(OffsetsInitializer.earliest())
    .setDeserializer(deserialize)
    .setProperty('isolation.level', 'read_committed');
  for (const [k, v] of Object.entries(mode.properties ?? {})) b.setProperty(k, v);
  if (mode.bounded) b.setBounded(OffsetsInitializer.latest());
  return new InputTopicSource<T>(b.build().config);
}

/**
 * A KafkaSource that first creates its topic when it does not exist (broker's default partition count): a
 * job that feeds its own input topic (the default mode) starts on an empty broker, where listing the
 * partitions of a missing topic would fail the job.
 */
class InputTopicSource<T> extends KafkaSource<T> {
  override async createSplits(parallelism: number): Promise<KafkaPartitionSplit[]> {
    // best effort: if this fails (or loses a creation race), listing the partitions reports the real error
    await this.createMissingTopics().catch(() => undefined);
    return super.createSplits(parallelism);
  }

  private async createMissingTopics(): Promise<void> {
    const admin = new Kafka({
      clientId: 'sluice-topic-admin',
      brokers: this.config.bootstrapServers,
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = (this.config.topics ?? []).filter((t) => !existing.has(t));
      if (missing.length)
        await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}

/** A JSON-value source: each record's value is one JSON document. */
export function jsonTopicSource<T>(mode: KafkaMode, stream: string): KafkaSource<T> {
  return topicSource<T>(mode, stream, (r) => JSON.parse(r.value?.toString('utf8') ?? 'null') as T);
}

export interface TopicSinkOptions<T> {
  key?: (value: T) => string | Buffer | null;
  value?: (value: T) => string | Buffer | null;
  headers?: (value: T) => Record<string, string | Buffer>;
  guarantee?: DeliveryGuarantee;
}

/** A sink into `<prefix>.<stream>`; values are JSON by default; EXACTLY_ONCE by default. */
export function topicSink<T>(mode: KafkaMode, stream: string, o: TopicSinkOptions<T> = {}): KafkaSink<T> {
  const guarantee = o.guarantee ?? 'EXACTLY_ONCE';
  const b = KafkaSink.builder<T>()
    .setBootstrapServers(mode.bootstrap)
    .setRecordSerializer({
      topic: topicName(mode, stream),
      serializeValue: o.value ?? ((v: T) => JSON.stringify(v)),
      ...(o.key ? { serializeKey: o.key } : {}),
      ...(o.headers ? { headers: o.headers } : {}),
    })
    .setDeliveryGuarantee(guarantee);
  if (guarantee === 'EXACTLY_ONCE') b.setTransactionalIdPrefix(`${mode.prefix}-${stream}`);
  for (const [k, v] of Object.entries(mode.properties ?? {})) b.setProperty(k, v);
  return b.build();
}
