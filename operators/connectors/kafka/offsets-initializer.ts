/**
 * OffsetsInitializer (Flink's name): how a split's starting (or, in bounded mode, stopping) offset is
 * chosen — earliest, latest, the consumer group's committed offset, the first offset at or after a
 * timestamp, or explicit offsets. Resolved once, when splits are created, through the Kafka admin API;
 * the resolved offsets are then split state, so a restore never resolves again.
 *
 * Invariants: an initializer is plain data (the job graph is rebuilt in every process); resolution
 * returns a non-negative offset for every requested partition ("latest" is the last stable offset — the
 * admin client lists offsets under read_committed).
 */
import type { Admin } from 'kafkajs';
import { SluiceError } from '../../../runtime/errors/catalogue.js';
import { splitId } from './kafka-partition-split.js';

export type OffsetResetStrategy = 'EARLIEST' | 'LATEST';

export type OffsetsInitializer =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'committed'; reset: OffsetResetStrategy }
  | { kind: 'timestamp'; timestampMs: number }
  | { kind: 'offsets'; offsets: Record<string, number>; reset: OffsetResetStrategy };

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export const OffsetsInitializer = {
  earliest: (): OffsetsInitializer => ({ kind: 'earliest' }),
  latest: (): OffsetsInitializer => ({ kind: 'latest' }),
  /** The group's committed offsets; partitions without one start at `reset` (default EARLIEST). */
  committedOffsets: (reset: OffsetResetStrategy = 'EARLIEST'): OffsetsInitializer => ({ kind: 'committed', reset }),
  /** The first offset whose record timestamp is >= `timestampMs` (the end of the partition when none). */
  timestamp: (timestampMs: number): OffsetsInitializer => {
    if (!Number.isFinite(timestampMs))
      throw new SluiceError('API_INVALID_ARGUMENT', `OffsetsInitializer.timestamp: not a timestamp: ${timestampMs}`);
    return { kind: 'timestamp', timestampMs };
  },
  /**
   * Explicit offsets, keyed `<topic>-<partition>` or given as a list; partitions not named start at
   * `reset` (default EARLIEST).
   */
  offsets: (
    offsets: Record<string, number> | TopicPartitionOffset[],
    reset: OffsetResetStrategy = 'EARLIEST',
  ): OffsetsInitializer => {
    const map: Record<string, number> = Array.isArray(offsets)
      ? Object.fromEntries(offsets.map((o) => [splitId(o.topic, o.partition), o.offset]))
      : { ...offsets };
    for (const [k, v] of Object.entries(map)) {
      if (!Number.isSafeInteger(v) || v < 0)
        throw new SluiceError(
          'API_INVALID_ARGUMENT',
          `OffsetsInitializer.offsets: offset of ${k} must be a non-negative integer, got ${v}`,
        );
    }
    return { kind: 'offsets', offsets: map, reset };
  },
};

interface Bounds {
  low: Map<number, number>;
  high: Map<number, number>;
}

async function bounds(admin: Admin, topic: string): Promise<Bounds> {
  const rows = await admin.fetchTopicOffsets(topic);
  return {
    low: new Map(rows.map((r) => [r.partition, Number(r.low)])),
    high: new Map(rows.map((r) => [r.partition, Number(r.high)])),
  };
}

/** Resolves `init` for the given partitions; returns offsets keyed by split id. */
export async function resolveOffsets(
  init: OffsetsInitializer,
  admin: Admin,
  partitions: Array<{ topic: string; partition: number }>,
  groupId: string | undefined,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const topics = [...new Set(partitions.map((p) => p.topic))];
  for (const topic of topics) {
    const mine = partitions.filter((p) => p.topic === topic).map((p) => p.partition);
    const b = await bounds(admin, topic);
    const reset = (p: number, how: OffsetResetStrategy) => (how === 'EARLIEST' ? b.low.get(p) : b.high.get(p)) ?? 0;
    let explicit = new Map<number, number>();
    let fallback: OffsetResetStrategy = 'EARLIEST';
    switch (init.kind) {
      case 'earliest':
        break;
      case 'latest':
        fallback = 'LATEST';
        break;
      case 'committed': {
        if (!groupId)
          throw new SluiceError('KAFKA_CONFIG', 'OffsetsInitializer.committedOffsets() needs setGroupId(…)');
        const res = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const r of res.find((x) => x.topic === topic)?.partitions ?? []) {
          const o = Number(r.offset);
          if (o >= 0) explicit.set(r.partition, o);
        }
        fallback = init.reset;
        break;
      }
      case 'timestamp': {
        const res = await admin.fetchTopicOffsetsByTimestamp(topic, init.timestampMs);
        explicit = new Map(res.map((r) => [r.partition, Number(r.offset)]));
        break;
      }
      case 'offsets':
        for (const p of mine) {
          const o = init.offsets[splitId(topic, p)];
          if (o !== undefined) explicit.set(p, o);
        }
        fallback = init.reset;
        break;
    }
    for (const p of mine) out.set(splitId(topic, p), explicit.get(p) ?? reset(p, fallback));
  }
  return out;
}
