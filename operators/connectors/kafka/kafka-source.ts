/**
 * KafkaSource (Flink's name): a Source whose splits are topic-partitions. `createSplits` lists the
 * partitions of the configured topics (or of the topics matching the pattern) in a fixed order — topic
 * name, then partition — and resolves the starting offsets (and, bounded, the stopping offsets) through
 * the admin API, so split i goes to subtask i % parallelism in every process; restore and rescale hand
 * the checkpointed splits to the readers instead and nothing is resolved again.
 *
 * Invariants: partitions are discovered once, at a fresh start (no periodic discovery); a topic pattern
 * is matched against the whole topic name; internal topics (leading `__`) never match a pattern.
 */
import type { Source, SourceReader, SourceReaderContext } from '../../../runtime/api/source.js';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { createKafka } from './kafka-client.js';
import { compareSplits, splitId, type KafkaPartitionSplit } from './kafka-partition-split.js';
import type { KafkaSourceConfig } from './kafka-source-config.js';
import { KafkaSourceReader } from './kafka-source-reader.js';
import { resolveOffsets } from './offsets-initializer.js';
import { KafkaSourceBuilder } from './kafka-source-builder.js';

export class KafkaSource<T> implements Source<T, KafkaPartitionSplit> {
  readonly boundedness;

  static builder<T = Buffer | null>(): KafkaSourceBuilder<T> {
    return new KafkaSourceBuilder<T>((config) => new KafkaSource<T>(config));
  }

  constructor(readonly config: KafkaSourceConfig<T>) {
    this.boundedness = config.bounded ? ('BOUNDED' as const) : ('CONTINUOUS_UNBOUNDED' as const);
  }

  async createSplits(_parallelism: number): Promise<KafkaPartitionSplit[]> {
    const c = this.config;
    const admin = createKafka(c.bootstrapServers, c.properties, 'enumerator').admin();
    await admin.connect();
    try {
      let topics = c.topics ? [...c.topics] : [];
      if (c.topicPattern) {
        const re = c.topicPattern;
        topics = (await admin.listTopics()).filter((name) => !name.startsWith('__') && matchesWhole(re, name));
      }
      topics.sort();
      if (!topics.length) return [];
      const meta = await admin.fetchTopicMetadata({ topics });
      const partitions = meta.topics
        .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId })))
        .sort(compareSplits);
      const start = await resolveOffsets(c.startingOffsets, admin, partitions, c.groupId);
      const stop = c.stoppingOffsets
        ? await resolveOffsets(c.stoppingOffsets, admin, partitions, c.groupId)
        : undefined;
      return partitions.map((p) => {
        const id = splitId(p.topic, p.partition);
        const split: KafkaPartitionSplit = { id, topic: p.topic, partition: p.partition, offset: start.get(id)! };
        if (stop) split.stoppingOffset = stop.get(id)!;
        return split;
      });
    } catch (e) {
      if (e instanceof SluiceError) throw e;
      throw new SluiceError(
        'TASK_FAILED',
        `KafkaSource: listing partitions or offsets failed: ${(e as Error)?.message ?? e}`,
        { cause: e },
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  createReader(ctx: SourceReaderContext): SourceReader<T, KafkaPartitionSplit> {
    return new KafkaSourceReader<T>(this.config, this.config.deserializer, ctx);
  }
}

function matchesWhole(re: RegExp, name: string): boolean {
  const whole = new RegExp(`^(?:${re.source})$`, re.flags.replace(/[gy]/g, ''));
  return whole.test(name);
}
