/**
 * SplitFetcher: the kafkajs consumer behind a KafkaSourceReader. kafkajs has no `assign()`, so the
 * fetcher joins a *private* consumer group (unique per reader, never committed to) whose partition
 * assigner gives its only member exactly the reader's splits; it seeks every split to its checkpointed
 * offset after each (re)join and never relies on the group's committed offsets. Fetched batches go into
 * per-split queues that the reader drains without blocking; after each batch a position marker (last
 * fetched offset + 1, including control records and aborted data that kafkajs filters out) lets the
 * reader advance past offsets that carry no record.
 *
 * Invariants: records of one split are queued in offset order (a re-fetch after a seek may repeat
 * offsets — the reader drops offsets below its position); the queues are bounded: above `maxQueued`
 * records the consumer pauses, and resumes below half of it; a consumer crash without restart is kept in
 * `error` and wakes the reader.
 */
import { AssignerProtocol, type Consumer, type IHeaders, type Kafka, type PartitionAssigner } from 'kafkajs';
import { splitId } from './kafka-partition-split.js';

export interface FetchedRecord {
  kind: 'record';
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

export type QueueItem = FetchedRecord | { kind: 'position'; next: number };

export interface FetcherOptions {
  privateGroupId: string;
  readUncommitted: boolean;
  maxQueued: number;
  maxWaitMs: number;
  maxBytesPerPartition: number;
}

interface Assigned {
  topic: string;
  partition: number;
  /** Where the next fetch should start: one past the highest offset queued, or the split's offset. */
  fetchPosition: number;
  queue: QueueItem[];
  stopped: boolean;
}

export class SplitFetcher {
  private consumer?: Consumer;
  private readonly assigned = new Map<string, Assigned>();
  private queued = 0;
  private paused = false;
  private closed = false;
  private wake?: () => void;
  error: unknown;

  constructor(
    private readonly kafka: Kafka,
    private readonly o: FetcherOptions,
  ) {}

  /** Starts consuming the given splits from the given offsets. Call once. */
  async start(splits: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    for (const s of splits)
      this.assigned.set(splitId(s.topic, s.partition), {
        topic: s.topic,
        partition: s.partition,
        fetchPosition: s.offset,
        queue: [],
        stopped: false,
      });
    if (!splits.length) return;
    const byTopic = this.byTopic();
    const selfAssigner: PartitionAssigner = () => ({
      name: 'SluiceSplitAssigner',
      version: 1,
      protocol: ({ topics }) => ({
        name: 'SluiceSplitAssigner',
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
      }),
      // the private group has one member: it gets every split of this reader
      assign: async ({ members }) =>
        members.map((m, i) => ({
          memberId: m.memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: i === 0 ? byTopic : {},
            userData: Buffer.alloc(0),
          }),
        })),
    });
    const c = this.kafka.consumer({
      groupId: this.o.privateGroupId,
      partitionAssigners: [selfAssigner],
      readUncommitted: this.o.readUncommitted,
      maxWaitTimeInMs: this.o.maxWaitMs,
      maxBytesPerPartition: this.o.maxBytesPerPartition,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      allowAutoTopicCreation: false,
    });
    this.consumer = c;
    c.on(c.events.GROUP_JOIN, () => this.seekAll());
    c.on(c.events.END_BATCH_PROCESS, (e) => {
      const a = this.assigned.get(splitId(e.payload.topic, e.payload.partition));
      const last = Number(e.payload.lastOffset);
      if (!a || a.stopped || !(last >= 0)) return;
      a.queue.push({ kind: 'position', next: last + 1 });
      a.fetchPosition = Math.max(a.fetchPosition, last + 1);
      this.notify();
    });
    c.on(c.events.CRASH, (e) => {
      if (e.payload.restart) return;
      this.error = e.payload.error;
      this.notify();
    });
    await c.connect();
    await c.subscribe({ topics: Object.keys(byTopic), fromBeginning: true });
    await c.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const a = this.assigned.get(splitId(batch.topic, batch.partition));
        if (!a || a.stopped) return;
        for (const m of batch.messages) {
          a.queue.push({
            kind: 'record',
            offset: Number(m.offset),
            timestamp: Number(m.timestamp),
            key: m.key ?? null,
            value: m.value ?? null,
            headers: m.headers ?? {},
          });
        }
        this.queued += batch.messages.length;
        if (this.queued > this.o.maxQueued && !this.paused) {
          this.paused = true;
          c.pause(Object.entries(this.byTopic()).map(([topic, partitions]) => ({ topic, partitions })));
        }
        this.notify();
      },
    });
    this.seekAll();
  }

  private byTopic(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const a of this.assigned.values()) if (!a.stopped) (out[a.topic] ??= []).push(a.partition);
    return out;
  }

  private seekAll(): void {
    if (!this.consumer || this.closed) return;
    for (const a of this.assigned.values()) {
      if (!a.stopped) this.consumer.seek({ topic: a.topic, partition: a.partition, offset: String(a.fetchPosition) });
    }
  }

  /** Next queued item of a split, or undefined. */
  shift(id: string): QueueItem | undefined {
    const a = this.assigned.get(id);
    const item = a?.queue.shift();
    if (item?.kind === 'record') {
      this.queued--;
      if (this.paused && this.queued < this.o.maxQueued / 2) {
        this.paused = false;
        this.consumer?.resume(Object.entries(this.byTopic()).map(([topic, partitions]) => ({ topic, partitions })));
      }
    }
    return item;
  }

  hasQueued(): boolean {
    for (const a of this.assigned.values()) if (a.queue.length) return true;
    return false;
  }

  /** Stops fetching one split (bounded end reached): its queue is dropped and the partition paused. */
  stopSplit(id: string): void {
    const a = this.assigned.get(id);
    if (!a || a.stopped) return;
    a.stopped = true;
    this.queued -= a.queue.filter((i) => i.kind === 'record').length;
    a.queue = [];
    this.consumer?.pause([{ topic: a.topic, partitions: [a.partition] }]);
  }

  /** Resolves when an item is queued, the fetcher failed or closed. */
  available(): Promise<void> {
    if (this.hasQueued() || this.error !== undefined || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const prev = this.wake;
      this.wake = () => {
        prev?.();
        resolve();
      };
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
