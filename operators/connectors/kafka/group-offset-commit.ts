/**
 * Commits offsets for a consumer group that this client is not a member of (the source reader's
 * `commit.offsets.on.checkpoint`): a consumer joins the group on the offsets' topics with every partition
 * paused, commits them with its generation, and leaves. kafkajs's `admin.setOffsets` does the same with a
 * consumer of its own, whose fetch wait is kafkajs's default (5 s) and cannot be set: its paused loop sleeps that
 * long before it lets the call return, so every commit took at least 5 s. Here the wait is the reader's
 * `fetch.max.wait.ms`. Invariants: a group that has members (a live application's group) is left alone — the
 * join would make it rebalance — and refused with KAFKA_GROUP_ACTIVE, as kafkajs refuses it; one join commits
 * every topic of a checkpoint; the consumer is disconnected (leaving the group, which is then empty again)
 * whether the commit succeeds or not.
 */
import type { Kafka } from 'kafkajs';
import { SluiceError } from '../../../runtime/errors/catalogue.js';

export interface GroupOffset {
  topic: string;
  partition: number;
  /** The next offset to read, as Kafka commits it. */
  offset: string;
}

export async function commitGroupOffsets(
  kafka: Kafka,
  groupId: string,
  offsets: readonly GroupOffset[],
  fetchMaxWaitMs: number,
): Promise<void> {
  const topics = [...new Set(offsets.map((o) => o.topic))];
  if (topics.length === 0) return;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: fetchMaxWaitMs });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics });
    const { state } = await consumer.describeGroup();
    if (state !== 'Empty' && state !== 'Dead')
      throw new SluiceError(
        'KAFKA_GROUP_ACTIVE',
        `Kafka source: offsets not committed to group "${groupId}": it has active members (state ${state})`,
      );
    // run() resolves once the group is joined; pausing right after it (as admin.setOffsets does) keeps the
    // fetch loop from reading records nobody consumes
    const joined = consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
    consumer.pause(topics.map((topic) => ({ topic })));
    await joined;
    await consumer.commitOffsets([...offsets]);
  } finally {
    await consumer.disconnect();
  }
}
