/**
 * The three Nexmark streams every query starts from: the bids, auctions and persons of the events stream
 * (one filter each, typed by the event's `kind`). Timestamps and watermarks are the events stream's.
 *
 * Invariant: each returns exactly the events of its kind, in their order, with their event times.
 */
import type { Auction, Bid, DataStream, NexmarkEvent, Person } from 'sluice';

const isBid = (e: NexmarkEvent): e is Bid => e.kind === 'bid';
const isAuction = (e: NexmarkEvent): e is Auction => e.kind === 'auction';
const isPerson = (e: NexmarkEvent): e is Person => e.kind === 'person';

export const bids = (events: DataStream<NexmarkEvent>) =>
  events.filter(isBid).name('bids') as unknown as DataStream<Bid>;
export const auctions = (events: DataStream<NexmarkEvent>) =>
  events.filter(isAuction).name('auctions') as unknown as DataStream<Auction>;
export const persons = (events: DataStream<NexmarkEvent>) =>
  events.filter(isPerson).name('persons') as unknown as DataStream<Person>;
