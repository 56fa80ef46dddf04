/**
 * Nexmark q4, average price for a category (queries/q4.sql): the winning (maximum) price of each auction
 * among its bids within [dateTime, expires], then per category the average of those winning prices.
 *
 * Deliberate difference: q4 emits the updated average of a category whenever it changes (Flink's SQL emits
 * retractions and updates; the last value per category is the same).
 *
 * Invariants: per auction, its maximum so far (bids before their auction wait in state); per category, the
 * sum and count of winning prices. uids `nexmark-q4-winning-bid` and `nexmark-q4-average`.
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
  type RuntimeContext,
  type ValueState,
  ValueStateDescriptor,
} from 'sluice';
import { auctionsWithBids } from './event-streams.js';

interface MaxChange {
  category: number;
  previous: number | null;
  current: number;
}

/**
 * q4, first half: per auction, the maximum bid price among bids within [auction.dateTime, auction.expires];
 * bids that arrive before their auction wait in state. Emits each change of an auction's maximum.
 */
class WinningBid implements KeyedCoProcessFunctionLike<number, Auction, Bid, MaxChange> {
  private auction!: ValueState<Auction | null>;
  private max!: ValueState<number | null>;
  private early!: ListState<[number, number]>;
  open(ctx: RuntimeContext): void {
    this.auction = ctx.getState(new ValueStateDescriptor<Auction | null>('auction', null));
    this.max = ctx.getState(new ValueStateDescriptor<number | null>('max-price', null));
    this.early = ctx.getListState(new ListStateDescriptor<[number, number]>('early-bids'));
  }
  private offer(a: Auction, price: number, at: number, out: Collector<MaxChange>): void {
    if (at < a.dateTime || at > a.expires) return;
    const previous = this.max.value() ?? null;
    if (previous !== null && price <= previous) return;
    this.max.update(price);
    out.collect({ category: a.category, previous, current: price });
  }
  processElement1(a: Auction, _ctx: KeyedProcessContext<number>, out: Collector<MaxChange>): void {
    this.auction.update(a);
    for (const [price, at] of this.early.get()) this.offer(a, price, at, out);
    this.early.clear();
  }
  processElement2(b: Bid, _ctx: KeyedProcessContext<number>, out: Collector<MaxChange>): void {
    const a = this.auction.value();
    if (a) this.offer(a, b.price, b.dateTime, out);
    else this.early.add([b.price, b.dateTime]);
  }
}

/** q4, second half: per category, the running sum and count of winning prices; emits the new average. */
class CategoryAverage {
  private sum!: ValueState<[number, number]>;
  open(ctx: RuntimeContext): void {
    this.sum = ctx.getState(new ValueStateDescriptor<[number, number]>('sum-count', [0, 0]));
  }
  processElement(c: MaxChange, _ctx: KeyedProcessContext<number>, out: Collector<{ id: number; final: number }>) {
    const [s, n] = this.sum.value() ?? [0, 0];
    const next: [number, number] = c.previous === null ? [s + c.current, n + 1] : [s + c.current - c.previous, n];
    this.sum.update(next);
    out.collect({ id: c.category, final: Math.trunc(next[0] / next[1]) });
  }
}

/** q4: SELECT category, AVG(final) over the auctions' winning prices (BIGINT average, truncated, as Flink's AVG). */
export function q4(events: DataStream<NexmarkEvent>) {
  return auctionsWithBids(events)
    .process(new WinningBid())
    .uid('nexmark-q4-winning-bid')
    .name('q4: max price per auction')
    .keyBy((c: MaxChange) => c.category)
    .process(new CategoryAverage())
    .uid('nexmark-q4-average')
    .name('q4: average per category');
}
