/**
 * Fetch v4: returns stored batches from each requested partition, long-polling up to max_wait_ms until
 * min_bytes are available. With isolation_level 1 (read_committed) nothing at or beyond the last stable
 * offset is returned and the aborted transactions overlapping the returned range are listed, so the
 * client can drop aborted records; control batches are returned as stored (clients skip them).
 * Invariants: a fetch at the log end returns no records and no error; a fetch beyond the log end or below
 * the log start is OFFSET_OUT_OF_RANGE; at least one whole batch is returned per partition when available,
 * even if it exceeds partition_max_bytes (as Kafka does, so a large batch can never stall a consumer).
 */
import { ErrorCode } from '../protocol/api-keys.js';
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { BrokerContext, RequestHeader } from './context.js';

interface FetchPartition {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}
interface PartitionData {
  partition: number;
  error: number;
  highWatermark: number;
  lastStableOffset: number;
  aborted: Array<{ producerId: number; firstOffset: number }>;
  records: Buffer[];
}

function collect(
  ctx: BrokerContext,
  topics: Array<{ topic: string; partitions: FetchPartition[] }>,
  readCommitted: boolean,
  maxBytes: number,
) {
  let total = 0;
  const out = topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): PartitionData => {
      const log = ctx.logs.partition(t.topic, p.partition);
      if (log === undefined)
        return {
          partition: p.partition,
          error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: -1,
          lastStableOffset: -1,
          aborted: [],
          records: [],
        };
      const hw = log.highWatermark;
      const lso = log.lastStableOffset();
      const base = { partition: p.partition, highWatermark: hw, lastStableOffset: lso, aborted: [], records: [] };
      if (p.fetchOffset > log.logEndOffset || p.fetchOffset < log.logStartOffset)
        return { ...base, error: ErrorCode.OFFSET_OUT_OF_RANGE };
      const upTo = readCommitted ? lso : hw;
      const budget = Math.max(0, Math.min(p.maxBytes, maxBytes - total));
      const records = total > 0 && budget === 0 ? [] : log.read(p.fetchOffset, upTo, budget);
      for (const b of records) total += b.length;
      const aborted = readCommitted && records.length > 0 ? log.abortedTransactions(p.fetchOffset, upTo) : [];
      return { ...base, error: ErrorCode.NONE, aborted, records };
    }),
  }));
  return { out, total };
}

export async function fetch(ctx: BrokerContext, _req: RequestHeader, r: Reader, w: Writer): Promise<void> {
  r.int32(); // replica id
  const maxWaitMs = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  const readCommitted = r.int8() === 1;
  const topics = r.array((r) => ({
    topic: r.string(),
    partitions: r.array((r): FetchPartition => ({ partition: r.int32(), fetchOffset: r.int64(), maxBytes: r.int32() })),
  }));
  const deadline = Date.now() + Math.max(0, maxWaitMs);
  let result = collect(ctx, topics, readCommitted, maxBytes);
  const hasError = () => result.out.some((t) => t.partitions.some((p) => p.error !== ErrorCode.NONE));
  while (result.total < Math.max(1, minBytes) && !hasError() && !ctx.closing && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(
        () => {
          off();
          resolve();
        },
        Math.max(0, deadline - Date.now()),
      );
      const off = ctx.logs.onAppend(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    result = collect(ctx, topics, readCommitted, maxBytes);
  }
  w.int32(0);
  w.array(result.out, (w, t) => {
    w.string(t.topic);
    w.array(t.partitions, (w, p) => {
      w.int32(p.partition).int16(p.error).int64(p.highWatermark).int64(p.lastStableOffset);
      w.array(p.aborted, (w, a) => w.int64(a.producerId).int64(a.firstOffset));
      w.int32(p.records.reduce((n, b) => n + b.length, 0));
      for (const b of p.records) w.raw(b);
    });
  });
}
