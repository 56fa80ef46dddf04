/**
 * Nexmark's three event types (an online auction: people, the auctions they open, the bids they make), with
 * the fields of the Nexmark benchmark's schema. Times are epoch milliseconds (`dateTime`, `expires`).
 *
 * Invariant: `kind` tells the type; ids are Nexmark's (persons and auctions start at 1000, categories at 10).
 */

export interface Person {
  readonly kind: 'person';
  id: number;
  name: string;
  emailAddress: string;
  creditCard: string;
  city: string;
  state: string;
  dateTime: number;
  extra: string;
}

export interface Auction {
  readonly kind: 'auction';
  id: number;
  itemName: string;
  description: string;
  initialBid: number;
  reserve: number;
  dateTime: number;
  expires: number;
  seller: number;
  category: number;
  extra: string;
}

export interface Bid {
  readonly kind: 'bid';
  auction: number;
  bidder: number;
  price: number;
  channel: string;
  url: string;
  dateTime: number;
  extra: string;
}

export type NexmarkEvent = Person | Auction | Bid;
