/**
 * ModelTopicSource: a model stream read from a Kafka topic. Each record is one ModelDescriptor,
 * Kafka key = model key (the model's name), value = the descriptor in its JSON encoding
 * (`encodeDescriptorJson`) or msgpack (`encodeDescriptorMsgpack`); `format: 'auto'` (default) tells them
 * apart by the first byte. The stream is "latest per model key", like a compacted topic read as a KTable:
 *
 *  1. Catch-up. At a fresh start every split (topic-partition) gets `catchUpTo` = the partition's last
 *     stable offset at job start. The reader reads [start, catchUpTo) without emitting and keeps, per model
 *     key, the newest decodable descriptor in log order (a tombstone — null value — deletes the key; an
 *     undecodable record is skipped, so the key keeps its previous descriptor, like Kafka Streams'
 *     log-and-continue). When every split of the reader is caught up, the survivors are emitted in one
 *     `pollNext` (split order, then offset), with their Kafka timestamps, and the malformed records met on
 *     the way are reported.
 *  2. Live. Every record after `catchUpTo` is emitted as it arrives (live tombstones are dropped: serving
 *     operators cannot unload a model).
 * "Newest" is log order, as compaction sees it, not version order. A key is expected in one partition (Kafka's
 * key partitioning); with parallelism > 1 each reader emits the survivors of its own partitions.
 *
 * Checkpoints (invariants):
 *  - Nothing is emitted during catch-up, and the catch-up result is emitted atomically (no checkpoint can
 *    fall inside it), so a snapshot taken during catch-up is the split as created: start offset and
 *    `catchUpTo`. A restore repeats the catch-up over the same, fixed range and emits the same set.
 *  - After catch-up, a snapshot holds the live positions (no `catchUpTo`), exactly as KafkaSource: a
 *    restore continues after the last descriptor emitted before the checkpoint and re-emits none, and the
 *    serving operators restore the models they had installed from their own state. So a restore never
 *    changes which model serves. (Caveat: the catch-up range must still be on the topic; compaction keeps
 *    it valid, time retention that deletes the newest descriptor of a key does not.)
 *  - Splits restored after a rescale may mix caught-up and catching-up partitions: the live ones wait
 *    until the catch-up of the others is emitted.
 *
 * Ends: with `bounded: true` the source ends right after the catch-up (serve what the topic holds at job
 * start). Otherwise a live **end marker** — a record with header `sluice-end-of-models` — ends its
 * partition, and the source ends when all its partitions have ended (a reader without partitions ends at
 * once). A bounded job whose trainer publishes into the topic writes the marker at end of input, as the
 * directory source's `_done`. Markers inside the catch-up range were written by earlier runs: ignored.
 *
 * Built on KafkaSource's machinery: the splits come from a KafkaSource (starting offsets, bounded
 * `latest()` as `catchUpTo`), and each phase is a KafkaSourceReader (catch-up: bounded at `catchUpTo`;
 * live: unbounded), whose deserializer never throws but tags each record. Default `isolation.level` is
 * read_committed (trainers publish transactionally). The reader marks its output idle at start: a quiet
 * model stream must not hold back event time downstream.
 */
import type {
  InputStatus,
  ReaderOutput,
  Source,
  SourceReader,
  SourceReaderContext,
} from '../../../runtime/api/source.js';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import {
  decodeDescriptorJson,
  decodeDescriptorMsgpack,
  encodeDescriptorJson,
  encodeDescriptorMsgpack,
  type ModelDescriptor,
} from '../../ml/descriptor.js';
import { createKafka } from './kafka-client.js';
import type { KafkaPartitionSplit } from './kafka-partition-split.js';
import type { KafkaRecord } from './kafka-record.js';
import type { KafkaRecordSerializer } from './kafka-record-serializer.js';
import type { KafkaSourceConfig } from './kafka-source-config.js';
import { KafkaSourceReader } from './kafka-source-reader.js';
import { KafkaSource } from './kafka-source.js';
import { OffsetsInitializer } from './offsets-initializer.js';

export const MODEL_TOPIC_END_HEADER = 'sluice-end-of-models';

export type DescriptorFormat = 'json' | 'msgpack' | 'auto';

/** A split of the model topic: a Kafka split plus, until its catch-up was emitted, the catch-up end. */
export interface ModelTopicSplit extends KafkaPartitionSplit {
  catchUpTo?: number;
}

export interface ModelTopicSourceOptions {
  bootstrapServers: string | string[];
  topic: string;
  /** Names the readers' private groups; no offsets are committed unless `commit.offsets.on.checkpoint`. */
  groupId?: string;
  format?: DescriptorFormat;
  /** End after emitting the latest descriptor per key present at job start. */
  bounded?: boolean;
  /** Where the log is read from (default earliest: the whole history decides the latest per key). */
  startingOffsets?: OffsetsInitializer;
  /** Create the topic (1 partition, cleanup.policy=compact) when it does not exist (default true). */
  createTopic?: boolean;
  /** KafkaSource properties; `isolation.level` defaults to read_committed. */
  properties?: Record<string, string>;
}

export type ModelTopicEntry =
  | { kind: 'model'; key: string; descriptor: ModelDescriptor }
  | { kind: 'tombstone'; key: string }
  | { kind: 'end' }
  | { kind: 'malformed'; raw: unknown; reason: string };

/** Classifies one record of a model topic (never throws). */
export function decodeModelRecord(r: KafkaRecord, format: DescriptorFormat = 'auto'): ModelTopicEntry {
  const key = r.key?.toString('utf8');
  if (r.headers?.[MODEL_TOPIC_END_HEADER] !== undefined) return { kind: 'end' };
  const at = `${r.topic}/${r.partition}@${r.offset}`;
  const raw = { topic: r.topic, partition: r.partition, offset: r.offset, key: key ?? null, value: r.value };
  if (r.value === null || r.value.length === 0) {
    return key
      ? { kind: 'tombstone', key }
      : { kind: 'malformed', raw, reason: `Kafka record ${at} has neither a model key nor a descriptor` };
  }
  try {
    const json = format === 'json' || (format === 'auto' && isJsonStart(r.value));
    const descriptor = json ? decodeDescriptorJson(r.value.toString('utf8')) : decodeDescriptorMsgpack(r.value);
    return { kind: 'model', key: key || descriptor.name, descriptor };
  } catch (e) {
    return {
      kind: 'malformed',
      raw,
      reason: `Kafka record ${at} is not a model descriptor: ${(e as Error)?.message ?? e}`,
    };
  }
}

function isJsonStart(b: Buffer): boolean {
  for (const c of b) {
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    return c === 0x7b; // '{'; msgpack maps start with 0x80–0x8f, 0xde or 0xdf
  }
  return false;
}

/** What a publisher writes: a descriptor, or the end marker for one partition. */
export type ModelTopicMessage = { descriptor: ModelDescriptor } | { end: true; partition: number };

export const endOfModels = (partition = 0): ModelTopicMessage => ({ end: true, partition });

/** A KafkaSink record serializer for a model topic (key = model name, value = encoded descriptor). */
export function modelTopicSerializer(
  topic: string,
  format: Exclude<DescriptorFormat, 'auto'> = 'json',
): KafkaRecordSerializer<ModelTopicMessage> {
  return {
    topic,
    serializeKey: (m) => ('descriptor' in m ? m.descriptor.name : null),
    serializeValue: (m) =>
      'descriptor' in m
        ? format === 'json'
          ? encodeDescriptorJson(m.descriptor)
          : Buffer.from(encodeDescriptorMsgpack(m.descriptor))
        : null,
    headers: (m): Record<string, string> => ('descriptor' in m ? {} : { [MODEL_TOPIC_END_HEADER]: '1' }),
    partition: (m) => ('descriptor' in m ? undefined : m.partition),
  };
}

export class ModelTopicSource implements Source<ModelDescriptor, ModelTopicSplit> {
  readonly boundedness;
  private readonly kafkaSource: KafkaSource<ModelTopicEntry>;
  readonly config: KafkaSourceConfig<ModelTopicEntry>;

  constructor(private readonly o: ModelTopicSourceOptions) {
    if (!o.topic) throw new SluiceError('KAFKA_CONFIG', 'ModelTopicSource: a topic is required');
    const format = o.format ?? 'auto';
    if (!['json', 'msgpack', 'auto'].includes(format))
      throw new SluiceError('KAFKA_CONFIG', `ModelTopicSource: format ${format} is not json, msgpack or auto`);
    const b = KafkaSource.builder<ModelTopicEntry>()
      .setBootstrapServers(o.bootstrapServers)
      .setTopics(o.topic)
      .setGroupId(o.groupId ?? `model-topic-${o.topic}`)
      .setStartingOffsets(o.startingOffsets ?? OffsetsInitializer.earliest())
      .setBounded(OffsetsInitializer.latest()) // the catch-up end of each split
      .setDeserializer((r) => decodeModelRecord(r, format))
      .setProperty('isolation.level', 'read_committed');
    for (const [k, v] of Object.entries(o.properties ?? {})) b.setProperty(k, v);
    this.kafkaSource = b.build();
    this.config = this.kafkaSource.config;
    this.boundedness = o.bounded ? ('BOUNDED' as const) : ('CONTINUOUS_UNBOUNDED' as const);
  }

  async createSplits(parallelism: number): Promise<ModelTopicSplit[]> {
    if (this.o.createTopic !== false) await this.ensureTopic();
    const splits = await this.kafkaSource.createSplits(parallelism);
    return splits.map(({ stoppingOffset, ...s }) => ({ ...s, catchUpTo: stoppingOffset! }));
  }

  private async ensureTopic(): Promise<void> {
    const admin = createKafka(this.config.bootstrapServers, this.config.properties, 'model-topic-admin').admin();
    try {
      await admin.connect();
      if ((await admin.listTopics()).includes(this.o.topic)) return;
      await admin
        .createTopics({
          topics: [
            { topic: this.o.topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
          ],
          waitForLeaders: true,
        })
        .catch(async (e: unknown) => {
          if (!(await admin.listTopics()).includes(this.o.topic)) throw e; // lost a creation race otherwise
        });
    } catch (e) {
      throw new SluiceError(
        'TASK_FAILED',
        `ModelTopicSource: creating topic ${this.o.topic} failed: ${(e as Error)?.message ?? e}`,
        { cause: e },
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  createReader(ctx: SourceReaderContext): SourceReader<ModelDescriptor, ModelTopicSplit> {
    return new ModelTopicReader(this.config, this.o.bounded === true, ctx);
  }
}

interface Latest {
  descriptor: ModelDescriptor;
  timestamp: number;
  split: number;
  seq: number;
}

class ModelTopicReader implements SourceReader<ModelDescriptor, ModelTopicSplit> {
  private assigned: ModelTopicSplit[] = [];
  private catchUp?: KafkaSourceReader<ModelTopicEntry>;
  private live?: KafkaSourceReader<ModelTopicEntry>;
  private readonly latest = new Map<string, Latest>();
  private readonly skipped: Array<{ raw: unknown; reason: string }> = [];
  private readonly ended = new Set<string>();
  private readonly outputs = new Map<string, ReaderOutput<ModelDescriptor>>();
  private readonly closing: Array<Promise<void>> = [];
  private out?: ReaderOutput<ModelDescriptor>;
  private idleMarked = false;
  private finished = false;

  constructor(
    private readonly config: KafkaSourceConfig<ModelTopicEntry>,
    private readonly bounded: boolean,
    private readonly ctx: SourceReaderContext,
  ) {}

  addSplits(splits: ModelTopicSplit[]): void {
    if (this.assigned.length || this.catchUp || this.live)
      throw new SluiceError('API_INVALID_ARGUMENT', 'ModelTopicSource: splits are added once');
    this.assigned = splits.map((s) => ({ ...s }));
    const catching = this.assigned.filter((s) => s.catchUpTo !== undefined && s.offset < s.catchUpTo);
    if (catching.length) {
      this.catchUp = new KafkaSourceReader<ModelTopicEntry>(
        { ...this.config, bounded: true },
        this.config.deserializer,
        this.ctx,
      );
      this.catchUp.addSplits(catching.map(({ catchUpTo, ...s }) => ({ ...s, stoppingOffset: catchUpTo })));
    } else this.goLive();
  }

  /** Ends the catch-up phase (or skips it): bounded → finished, otherwise a live reader from catchUpTo. */
  private goLive(): void {
    const positions = this.assigned.map(({ catchUpTo, ...s }) => ({
      ...s,
      offset: Math.max(s.offset, catchUpTo ?? 0),
    }));
    this.assigned = positions;
    if (this.bounded || positions.length === 0) {
      this.finished = true;
      return;
    }
    this.live = new KafkaSourceReader<ModelTopicEntry>(
      { ...this.config, bounded: false, stoppingOffsets: undefined },
      this.config.deserializer,
      this.ctx,
    );
    this.live.addSplits(positions);
  }

  private splitOutput(id: string): ReaderOutput<ModelDescriptor> {
    const o = this.out!;
    let split = this.outputs.get(id);
    if (!split) this.outputs.set(id, (split = o.createOutputForSplit ? o.createOutputForSplit(id) : o));
    return split;
  }

  private releaseAll(): void {
    for (const id of this.outputs.keys()) this.out?.releaseOutputForSplit?.(id);
    this.outputs.clear();
  }

  /** Proxy output of the catch-up reader: remembers the newest descriptor per key, emits nothing. */
  private readonly catchUpOutput = splitProxy((id, e, timestamp) => {
    if (e.kind === 'model') {
      const split = this.assigned.findIndex((s) => s.id === id);
      this.latest.set(e.key, { descriptor: e.descriptor, timestamp: timestamp ?? NaN, split, seq: this.seq++ });
    } else if (e.kind === 'tombstone') this.latest.delete(e.key);
    else if (e.kind === 'malformed') this.skipped.push({ raw: e.raw, reason: e.reason });
  });
  /** Arrival order during catch-up (log order within a split). */
  private seq = 0;

  /** Proxy output of the live reader: emits descriptors, reports malformed records, ends on markers. */
  private readonly liveOutput = splitProxy((id, e, timestamp) => {
    if (this.ended.has(id)) return; // after its end marker a partition emits nothing
    if (e.kind === 'model') this.splitOutput(id).collect(e.descriptor, timestamp);
    else if (e.kind === 'malformed') this.ctx.reportMalformed(e.raw, e.reason);
    else if (e.kind === 'end') {
      this.ended.add(id);
      if (this.outputs.delete(id)) this.out?.releaseOutputForSplit?.(id);
    }
  });

  pollNext(output: ReaderOutput<ModelDescriptor>): InputStatus {
    this.out = output;
    if (!this.idleMarked) {
      this.idleMarked = true;
      output.markIdle();
    }
    if (this.finished) return this.end();
    if (this.catchUp) {
      const status = this.catchUp.pollNext(this.catchUpOutput);
      if (status !== 'END_OF_INPUT') return status;
      this.emitCatchUp();
      const done = this.catchUp;
      this.catchUp = undefined;
      this.closing.push(Promise.resolve(done.close()).catch(() => undefined));
      this.goLive();
      return this.finished ? this.end() : 'MORE_AVAILABLE';
    }
    const status = this.live!.pollNext(this.liveOutput);
    if (this.assigned.every((s) => this.ended.has(s.id))) {
      this.finished = true;
      return this.end();
    }
    return status;
  }

  private end(): InputStatus {
    this.releaseAll();
    return 'END_OF_INPUT';
  }

  private emitCatchUp(): void {
    for (const m of this.skipped.splice(0)) this.ctx.reportMalformed(m.raw, m.reason);
    const survivors = [...this.latest.values()].sort((a, b) => a.split - b.split || a.seq - b.seq);
    this.latest.clear();
    for (const l of survivors) this.splitOutput(this.assigned[l.split]!.id).collect(l.descriptor, l.timestamp);
  }

  isAvailable(): Promise<void> {
    if (this.finished) return Promise.resolve();
    if (this.catchUp) return this.catchUp.isAvailable();
    return this.live ? this.live.isAvailable() : Promise.resolve();
  }

  snapshotState(checkpointId: number): ModelTopicSplit[] {
    if (this.finished) return [];
    if (this.catchUp) return this.assigned.map((s) => ({ ...s })); // nothing emitted yet: the splits as assigned
    const ended = this.ended;
    return this.live!.snapshotState(checkpointId).filter((s) => !ended.has(s.id));
  }

  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return this.live?.notifyCheckpointComplete(checkpointId);
  }

  async close(): Promise<void> {
    await Promise.all([...this.closing, this.catchUp?.close(), this.live?.close()]);
  }
}

/** A reader output that hands every entry of every split, with the split's id, to `onEntry`. */
function splitProxy(
  onEntry: (splitId: string, e: ModelTopicEntry, timestamp: number | undefined) => void,
): ReaderOutput<ModelTopicEntry> {
  return {
    collect: () => undefined,
    markIdle: () => undefined,
    createOutputForSplit: (id) => ({ markIdle: () => undefined, collect: (e, timestamp) => onEntry(id, e, timestamp) }),
    releaseOutputForSplit: () => undefined,
  };
}
