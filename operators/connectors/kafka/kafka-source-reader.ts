/**
 * KafkaSourceReader: the per-subtask reader of a KafkaSource. `pollNext` drains the SplitFetcher's
 * per-split queues without blocking, emitting each record through the split's own output (so per-split
 * watermark generators see their partition only) with the Kafka timestamp; `isAvailable` resolves when
 * the fetcher queues something. Bounded splits end at their stopping offset; when all have ended the
 * reader returns END_OF_INPUT. Optionally commits the offsets of a completed checkpoint to the consumer
 * group (`commit.offsets.on.checkpoint`), informational only: positions live in checkpointed state.
 *
 * Invariants: a split's `offset` is one past the last offset emitted or skipped (never moves back);
 * records below it are dropped (re-fetches after a seek); an undecodable record goes to
 * `reportMalformed` with topic, partition and offset and the reader continues; a fetcher failure is
 * rethrown from `pollNext` as TASK_FAILED.
 */
import type { Kafka } from 'kafkajs';
import type { InputStatus, ReaderOutput, SourceReader, SourceReaderContext } from '../../../runtime/api/source.js';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { platform } from '../../../runtime/platform/index.js';
import { commitGroupOffsets } from './group-offset-commit.js';
import { boolProperty, createKafka, intProperty } from './kafka-client.js';
import { isFinished, type KafkaPartitionSplit } from './kafka-partition-split.js';
import type { KafkaRecordDeserializer } from './kafka-record.js';
import type { KafkaSourceConfig } from './kafka-source-config.js';
import { SplitFetcher } from './split-fetcher.js';

export class KafkaSourceReader<T> implements SourceReader<T, KafkaPartitionSplit> {
  private readonly splits = new Map<string, KafkaPartitionSplit>();
  private readonly outputs = new Map<string, ReaderOutput<T>>();
  private fetcher?: SplitFetcher;
  private starting?: Promise<void>;
  private startError: unknown;
  private idleMarked = false;
  private readonly batchSize: number;
  private readonly commitOnCheckpoint: boolean;
  private readonly pendingCommits = new Map<number, KafkaPartitionSplit[]>();
  private nextCommit?: { checkpointId: number; offsets: KafkaPartitionSplit[] };
  private committing?: Promise<void>;
  private closing = false;
  private committer?: Kafka;
  /** The checkpoint whose offsets were last committed to the group (observability). */
  lastCommittedCheckpoint = -1;

  constructor(
    private readonly config: KafkaSourceConfig<T>,
    private readonly deserialize: KafkaRecordDeserializer<T>,
    private readonly ctx: SourceReaderContext,
  ) {
    this.batchSize = intProperty(config.properties, 'sluice.poll.batch.size', 1024);
    this.commitOnCheckpoint =
      boolProperty(config.properties, 'commit.offsets.on.checkpoint', false) && config.groupId !== undefined;
  }

  addSplits(splits: KafkaPartitionSplit[]): void {
    if (this.starting)
      throw new SluiceError(
        'API_INVALID_ARGUMENT',
        'KafkaSourceReader: splits are added once (no dynamic partition discovery)',
      );
    const live: KafkaPartitionSplit[] = [];
    for (const s of splits) {
      if (isFinished(s)) continue;
      const copy = { ...s };
      this.splits.set(s.id, copy);
      live.push(copy);
    }
    const p = this.config.properties;
    this.fetcher = new SplitFetcher(createKafka(this.config.bootstrapServers, p, `reader-${this.ctx.subtaskIndex}`), {
      privateGroupId: `${this.config.groupId ?? 'sluice'}-reader-${this.ctx.subtaskIndex}-${platform.random.hex(6)}`,
      readUncommitted: (p['isolation.level'] ?? 'read_uncommitted') === 'read_uncommitted',
      maxQueued: intProperty(p, 'sluice.fetch.queue.records', 20_000),
      maxWaitMs: intProperty(p, 'fetch.max.wait.ms', 200),
      maxBytesPerPartition: intProperty(p, 'max.partition.fetch.bytes', 1_048_576),
    });
    this.starting = this.fetcher.start(live).catch((e: unknown) => {
      this.startError = e;
    });
  }

  private splitOutput(output: ReaderOutput<T>, id: string): ReaderOutput<T> {
    let out = this.outputs.get(id);
    if (!out) {
      out = output.createOutputForSplit ? output.createOutputForSplit(id) : output;
      this.outputs.set(id, out);
    }
    return out;
  }

  private finish(output: ReaderOutput<T>, s: KafkaPartitionSplit): void {
    this.splits.delete(s.id);
    this.fetcher?.stopSplit(s.id);
    if (this.outputs.delete(s.id)) output.releaseOutputForSplit?.(s.id);
  }

  pollNext(output: ReaderOutput<T>): InputStatus {
    const failure = this.startError ?? this.fetcher?.error;
    if (failure !== undefined)
      throw new SluiceError(
        'TASK_FAILED',
        `KafkaSource: the Kafka consumer failed: ${(failure as Error)?.message ?? failure}`,
        { cause: failure },
      );
    if (this.splits.size === 0) {
      if (this.config.bounded) return 'END_OF_INPUT';
      if (!this.idleMarked) {
        this.idleMarked = true;
        output.markIdle();
      }
      return 'NOTHING_AVAILABLE';
    }
    let emitted = 0;
    for (const s of [...this.splits.values()]) {
      const out = this.splitOutput(output, s.id);
      while (emitted < this.batchSize && !isFinished(s)) {
        const item = this.fetcher!.shift(s.id);
        if (!item) break;
        if (item.kind === 'position') {
          s.offset = Math.max(
            s.offset,
            s.stoppingOffset === undefined ? item.next : Math.min(item.next, s.stoppingOffset),
          );
          continue;
        }
        if (item.offset < s.offset) continue;
        if (s.stoppingOffset !== undefined && item.offset >= s.stoppingOffset) {
          s.offset = s.stoppingOffset;
          break;
        }
        s.offset = item.offset + 1;
        const record = {
          topic: s.topic,
          partition: s.partition,
          offset: item.offset,
          timestamp: item.timestamp,
          key: item.key,
          value: item.value,
          headers: item.headers,
        };
        let value: T;
        try {
          value = this.deserialize(record);
        } catch (e) {
          this.ctx.reportMalformed(
            record,
            `Kafka record ${s.topic}/${s.partition}@${item.offset} could not be deserialized: ${(e as Error)?.message ?? e}`,
          );
          continue;
        }
        out.collect(value, item.timestamp);
        emitted++;
      }
      if (isFinished(s)) this.finish(output, s);
    }
    if (this.splits.size === 0 && this.config.bounded) return 'END_OF_INPUT';
    return this.fetcher!.hasQueued() ? 'MORE_AVAILABLE' : 'NOTHING_AVAILABLE';
  }

  isAvailable(): Promise<void> {
    if (this.startError !== undefined) return Promise.resolve();
    if (!this.fetcher || this.splits.size === 0) return new Promise(() => undefined);
    return this.fetcher.available();
  }

  snapshotState(checkpointId: number): KafkaPartitionSplit[] {
    const state = [...this.splits.values()].map((s) => ({ ...s }));
    if (this.commitOnCheckpoint) this.pendingCommits.set(checkpointId, state);
    return state;
  }

  notifyCheckpointComplete(checkpointId: number): void {
    const offsets = this.pendingCommits.get(checkpointId);
    for (const id of [...this.pendingCommits.keys()]) if (id <= checkpointId) this.pendingCommits.delete(id);
    if (!offsets?.length || !this.config.groupId) return;
    // coalesced: a commit joins the group (group-offset-commit.ts; on a real cluster the join can wait for
    // group.initial.rebalance.delay.ms); while one runs, only the newest offsets wait for the next
    this.nextCommit = { checkpointId, offsets };
    if (!this.committing) this.committing = this.commitLoop(this.config.groupId);
  }

  private async commitLoop(groupId: string): Promise<void> {
    while (this.nextCommit && !this.closing) {
      const { checkpointId, offsets } = this.nextCommit;
      this.nextCommit = undefined;
      try {
        const p = this.config.properties;
        this.committer ??= createKafka(this.config.bootstrapServers, p, `reader-${this.ctx.subtaskIndex}-commit`);
        const committed = offsets.map((s) => ({ topic: s.topic, partition: s.partition, offset: String(s.offset) }));
        await commitGroupOffsets(this.committer, groupId, committed, intProperty(p, 'fetch.max.wait.ms', 200));
        this.lastCommittedCheckpoint = checkpointId;
      } catch {
        // informational (as in Flink): a failed commit never fails the job; the next checkpoint commits newer offsets
      }
    }
    this.committing = undefined;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.starting;
    await this.fetcher?.close();
    await this.committing;
  }
}
