/**
 * Nexmark q11, user sessions (queries/q11.sql): per bidder, the bids of each event-time session, a session
 * ending after 10 s without a bid. One row per session: bidder, bid_count, starttime (the first bid's time)
 * and endtime (the last bid's time + 10 s, as the SQL's SESSION_END).
 *
 * Invariants: session windows merge when a bid falls within 10 s of the session (Flink's
 * EventTimeSessionWindows); a session's row is emitted once, when the watermark passes its end. The count is
 * an incremental aggregate (one number per open session), uid `nexmark-q11-sessions`.
 */
import { type Bid, type Collector, type DataStream, EventTimeSessionWindows, type NexmarkEvent } from 'sluice';
import { bids, countBids } from './event-streams.js';

export const Q11_GAP_MS = 10_000;

export interface Q11Row {
  bidder: number;
  bid_count: number;
  starttime: number;
  endtime: number;
}

/** q11: SELECT bidder, count(*), SESSION_START, SESSION_END FROM bid GROUP BY bidder, SESSION(dateTime, 10 s). */
export function q11(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .keyBy((b: Bid) => b.bidder)
    .window(EventTimeSessionWindows.withGap(Q11_GAP_MS))
    .aggregate(countBids, (bidder: number, ctx, counts: number[], out: Collector<Q11Row>) =>
      out.collect({ bidder, bid_count: counts[0]!, starttime: ctx.window().start, endtime: ctx.window().end }),
    )
    .uid('nexmark-q11-sessions')
    .name('q11: bids per bidder and session');
}
