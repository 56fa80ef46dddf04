/**
 * The three Nexmark streams every query starts from: the bids, auctions and persons of the events stream
 * (one filter each, typed by the event's `kind`). Timestamps and watermarks are the events stream's.
 *
 * Invariant: each returns exactly the events of its kind, in their order, with their event times.
 * Also what several queries share: each auction with its bids, keyed by auction id (q4, q9), and the count of
 * bids per window (q5, q11, q12), one number per open window.
 */
import type { AggregateFunction, Auction, Bid, DataStream, NexmarkEvent, Person } from 'sluice';

const isBid = (e: NexmarkEvent): e is Bid => e.kind === 'bid';
const isAuction = (e: NexmarkEvent): e is Auction => e.kind === 'auction';
const isPerson = (e: NexmarkEvent): e is Person => e.kind === 'person';

export const bids = (events: DataStream<NexmarkEvent>) =>
  events.filter(isBid).name('bids') as unknown as DataStream<Bid>;
export const auctions = (events: DataStream<NexmarkEvent>) =>
  events.filter(isAuction).name('auctions') as unknown as DataStream<Auction>;
export const persons = (events: DataStream<NexmarkEvent>) =>
  events.filter(isPerson).name('persons') as unknown as DataStream<Person>;

/** COUNT(*) of the bids of a window, as an incremental aggregate. */
export const countBids: AggregateFunction<Bid, number, number> = {
  createAccumulator: () => 0,
  add: (_b: Bid, n: number) => n + 1,
  getResult: (n: number) => n,
  merge: (a: number, b: number) => a + b,
};

/** Auctions (input 1) and bids (input 2) keyed by auction id, for a per-auction join (q4, q9). */
export const auctionsWithBids = (events: DataStream<NexmarkEvent>) =>
  auctions(events)
    .connect(bids(events))
    .keyBy(
      (a: Auction) => a.id,
      (b: Bid) => b.auction,
    );
