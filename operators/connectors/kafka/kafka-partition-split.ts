/**
 * KafkaPartitionSplit: one topic-partition as a source split (Flink's KafkaPartitionSplit). `offset` is the
 * next offset to emit — the checkpointed position; `stoppingOffset` (bounded mode) is exclusive and fixed
 * when the split is created, so a restored split stops where the original run would have stopped.
 *
 * Invariants: plain data (msgpack-encodable); `id` is `<topic>-<partition>` and unique per source;
 * offsets are non-negative integers below 2^53.
 */
export interface KafkaPartitionSplit {
  id: string;
  topic: string;
  partition: number;
  /** Next offset to emit. */
  offset: number;
  /** Bounded mode: exclusive end offset; absent = unbounded. */
  stoppingOffset?: number;
}

export function splitId(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

export function isFinished(s: KafkaPartitionSplit): boolean {
  return s.stoppingOffset !== undefined && s.offset >= s.stoppingOffset;
}

/** Deterministic order of splits: by topic name, then partition (every process derives the same list). */
export function compareSplits(
  a: { topic: string; partition: number },
  b: { topic: string; partition: number },
): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}
