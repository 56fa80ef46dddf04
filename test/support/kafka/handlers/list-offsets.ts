/**
 * ListOffsets v1–2: earliest (-2), latest (-1) and by-timestamp offset lookup per partition. With
 * isolation_level read_committed (v2) "latest" is the last stable offset, and timestamp lookups do not look
 * past it.
 * Invariant: a timestamp later than every record answers offset -1 and timestamp -1, as Kafka does.
 */
import { ErrorCode } from '../protocol/api-keys.js';
import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { BrokerContext, RequestHeader } from './context.js';

export function listOffsets(ctx: BrokerContext, req: RequestHeader, r: Reader, w: Writer): void {
  const v = req.apiVersion;
  r.int32(); // replica id
  const readCommitted = v >= 2 ? r.int8() === 1 : false;
  const topics = r.array((r) => ({
    name: r.string(),
    partitions: r.array((r) => ({ index: r.int32(), timestamp: r.int64() })),
  }));
  if (v >= 2) w.int32(0);
  w.array(topics, (w, t) => {
    w.string(t.name);
    w.array(t.partitions, (w, p) => {
      const log = ctx.logs.partition(t.name, p.index);
      if (log === undefined) {
        w.int32(p.index).int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).int64(-1).int64(-1);
        return;
      }
      const end = readCommitted ? log.lastStableOffset() : log.highWatermark;
      let offset: number;
      let timestamp = -1;
      if (p.timestamp === -2) offset = log.logStartOffset;
      else if (p.timestamp === -1) offset = end;
      else {
        const hit = log.offsetForTimestamp(p.timestamp, end);
        offset = hit?.offset ?? -1;
        timestamp = hit?.timestamp ?? -1;
      }
      w.int32(p.index).int16(ErrorCode.NONE).int64(timestamp).int64(offset);
    });
  });
}
