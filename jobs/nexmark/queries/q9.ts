/**
 * Nexmark q9, winning bids (queries/q9.sql): per auction, the winning bid among its bids stamped within
 * [auction.dateTime, auction.expires]: the highest price, the earliest bid on equal prices. One row per
 * auction that has such a bid, with the auction's columns and the bid's (`bid_dateTime`, `bid_extra`).
 *
 * Deliberate differences from the SQL: the SQL is a regular join ranked by ROW_NUMBER, an update stream
 * that retracts an auction's leader whenever a better bid arrives and never closes; here the winner is
 * emitted once, when the watermark passes the auction's `expires` (at the end of a bounded input for the
 * auctions still open), and the auction's state is dropped. On a finite input the rows equal the SQL's
 * final table. Ties the SQL leaves to the engine (equal price and time) go to the lower bidder id, then the
 * smaller `extra`, so the result is deterministic.
 *
 * Invariants, per auction id: the auction once seen, its best bid so far (one, not the list), and the bids
 * that arrived before their auction. An early bid waits until the watermark reaches its time: an auction
 * arriving later is stamped after the watermark, hence after the bid, which it could not include. So state
 * is bounded by the open auctions and the bids of the last watermark interval. uid `nexmark-q9-winning-bid`.
 */
import {
  type Auction,
  type Bid,
  type Collector,
  type DataStream,
  type KeyedCoProcessFunctionLike,
  type KeyedProcessContext,
  type ListState,
  ListStateDescriptor,
  type NexmarkEvent,
  type OnTimerContext,
  type RuntimeContext,
  type ValueState,
  ValueStateDescriptor,
} from 'sluice';
import { auctionsWithBids } from './event-streams.js';

/** An auction's columns (without the event kind), then the winning bid's. */
export type Q9Row = Omit<Auction, 'kind'> & {
  auction: number;
  bidder: number;
  price: number;
  bid_dateTime: number;
  bid_extra: string;
};

type Candidate = Pick<Bid, 'bidder' | 'price' | 'dateTime' | 'extra'>;

/** Whether bid `a` ranks above bid `b`: higher price, then earlier, then lower bidder id, then smaller extra. */
export function q9Beats(a: Candidate, b: Candidate): boolean {
  if (a.price !== b.price) return a.price > b.price;
  if (a.dateTime !== b.dateTime) return a.dateTime < b.dateTime;
  if (a.bidder !== b.bidder) return a.bidder < b.bidder;
  return a.extra < b.extra;
}

class WinningBids implements KeyedCoProcessFunctionLike<number, Auction, Bid, Q9Row> {
  private auction!: ValueState<Auction | null>;
  private best!: ValueState<Candidate | null>;
  private early!: ListState<Candidate>;
  open(ctx: RuntimeContext): void {
    this.auction = ctx.getState(new ValueStateDescriptor<Auction | null>('auction', null));
    this.best = ctx.getState(new ValueStateDescriptor<Candidate | null>('best-bid', null));
    this.early = ctx.getListState(new ListStateDescriptor<Candidate>('early-bids'));
  }
  private offer(a: Auction, b: Candidate): void {
    if (b.dateTime < a.dateTime || b.dateTime > a.expires) return;
    const best = this.best.value();
    if (!best || q9Beats(b, best)) this.best.update(b);
  }
  processElement1(a: Auction, ctx: KeyedProcessContext<number>): void {
    this.auction.update(a);
    for (const b of this.early.get()) this.offer(a, b);
    this.early.clear();
    ctx.timerService().registerEventTimeTimer(a.expires);
  }
  processElement2(b: Bid, ctx: KeyedProcessContext<number>): void {
    const candidate: Candidate = { bidder: b.bidder, price: b.price, dateTime: b.dateTime, extra: b.extra };
    const a = this.auction.value();
    if (a) return this.offer(a, candidate);
    this.early.add(candidate);
    ctx.timerService().registerEventTimeTimer(b.dateTime);
  }
  onTimer(ts: number, _ctx: OnTimerContext<number>, out: Collector<Q9Row>): void {
    const a = this.auction.value();
    if (!a) {
      // Early bids stamped at or before the watermark: no auction that can still arrive includes them.
      const waiting = this.early.get().filter((b) => b.dateTime > ts);
      if (waiting.length) this.early.update(waiting);
      else this.early.clear();
      return;
    }
    if (ts < a.expires) return; // an early bid's timer, from before the auction arrived
    const b = this.best.value();
    if (b) {
      const { kind: _kind, ...auction } = a;
      out.collect({
        ...auction,
        auction: a.id,
        bidder: b.bidder,
        price: b.price,
        bid_dateTime: b.dateTime,
        bid_extra: b.extra,
      });
    }
    this.auction.clear();
    this.best.clear();
  }
}

/** q9: SELECT A.*, B.auction, B.bidder, B.price, B.dateTime, B.extra, the top-1 bid per auction (see above). */
export function q9(events: DataStream<NexmarkEvent>) {
  return auctionsWithBids(events)
    .process(new WinningBids())
    .uid('nexmark-q9-winning-bid')
    .name('q9: winning bid per auction');
}
