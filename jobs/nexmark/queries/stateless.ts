/**
 * The stateless Nexmark queries q0 (pass-through), q1 (currency conversion) and q2 (selection): one map or
 * filter over the bids each, as Nexmark's queries/q0.sql, q1.sql and q2.sql. Result rows have the SQL's
 * column names.
 *
 * Invariant: no state, so no uid is needed; one output row per qualifying bid, in the bids' order.
 */
import type { DataStream, NexmarkEvent } from 'sluice';
import { bids } from './event-streams.js';

/** q0 pass-through: SELECT auction, bidder, price, dateTime, extra FROM bid. */
export function q0(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .map((b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra }))
    .name('q0: project');
}

/** q1 currency conversion: price in euros, 0.908 × price (the SQL's DECIMAL(23, 3), rounded to 3 places). */
export function q1(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .map((b) => ({
      auction: b.auction,
      bidder: b.bidder,
      price: Math.round(b.price * 908) / 1000,
      dateTime: b.dateTime,
      extra: b.extra,
    }))
    .name('q1: dollars to euros');
}

/** q2 selection: SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0. */
export function q2(events: DataStream<NexmarkEvent>) {
  return bids(events)
    .filter((b) => b.auction % 123 === 0)
    .map((b) => ({ auction: b.auction, price: b.price }))
    .name('q2: auction % 123 = 0');
}
